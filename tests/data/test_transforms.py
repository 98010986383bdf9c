"""tensorgate.data.transforms against their definitions in torchvision: RandomCrop's padding and window,
the flips, Normalize, Compose, and a DataLoader whose augmented batches repeat for the same seed."""
import numpy as np
import pytest

import tensorgate as tg
from tensorgate.data import ArrayDataset, DataLoader
from tensorgate.data.transforms import (Compose, Normalize, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip,
                                        TransformedDataset)


def image(c=2, h=5, w=6, dtype=np.float32):
    return (np.arange(c * h * w, dtype=dtype).reshape(c, h, w) + 1)


def test_random_crop_draws_every_window_of_the_padded_image_uniformly():
    tg.manual_seed(0)
    x = image()
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2)), constant_values=-1)
    crop = RandomCrop((5, 6), padding=2, fill=-1)
    seen = {}
    for _ in range(2500):
        out = crop(x)
        assert out.shape == x.shape and out.dtype == x.dtype
        hits = [(i, j) for i in range(5) for j in range(5) if np.array_equal(padded[:, i:i + 5, j:j + 6], out)]
        assert len(hits) == 1
        seen[hits[0]] = seen.get(hits[0], 0) + 1
    assert len(seen) == 25                                     # every offset 0 … 4 in both directions
    assert min(seen.values()) > 2500 / 25 * 0.6                # and none rare (uniform: 100 each)


def test_random_crop_padding_forms_and_modes_match_numpy_pad():
    x = image(1, 4, 4)
    crop = RandomCrop(4, padding=(1, 2, 3, 0), padding_mode="reflect")     # left, top, right, bottom
    assert crop.padding == (1, 2, 3, 0)
    assert RandomCrop(4, padding=(1, 2)).padding == (1, 2, 1, 2)
    tg.manual_seed(1)
    out = crop(x)
    padded = np.pad(x, ((0, 0), (2, 0), (1, 3)), mode="reflect")
    assert any(np.array_equal(padded[:, i:i + 4, j:j + 4], out) for i in range(3) for j in range(5))
    big = RandomCrop(6, pad_if_needed=True, padding_mode="edge")(x)
    assert big.shape == (1, 6, 6)
    with pytest.raises(ValueError, match="larger than the"):
        RandomCrop(5)(x)
    with pytest.raises(ValueError, match="padding_mode"):
        RandomCrop(4, padding_mode="wrap")
    with pytest.raises(ValueError, match="size"):
        RandomCrop(0)
    with pytest.raises(ValueError, match="padding"):
        RandomCrop(4, padding=-1)


def test_a_stack_of_images_shares_one_crop_as_in_torchvision():
    tg.manual_seed(3)
    stack = np.stack([image(), image() * 10])
    out = RandomCrop((3, 3))(stack)
    assert out.shape == (2, 2, 3, 3)
    np.testing.assert_array_equal(out[1], out[0] * 10)


@pytest.mark.parametrize("flip,axis", [(RandomHorizontalFlip, -1), (RandomVerticalFlip, -2)])
def test_flips_mirror_with_probability_p(flip, axis):
    x = image()
    np.testing.assert_array_equal(flip(p=1.0)(x), np.flip(x, axis))
    np.testing.assert_array_equal(flip(p=0.0)(x), x)
    tg.manual_seed(0)
    flipped = sum(not np.array_equal(flip()(x), x) for _ in range(2000))
    assert 900 < flipped < 1100                                 # p = 0.5 (binomial σ ≈ 22)
    with pytest.raises(ValueError, match="probability"):
        flip(p=1.5)


def test_normalize_is_per_channel_in_the_input_dtype():
    x = image(dtype=np.float32)
    out = Normalize([1.0, 2.0], [2.0, 4.0])(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0], (x[0] - 1) / 2)
    np.testing.assert_allclose(out[1], (x[1] - 2) / 4)
    assert Normalize(0.5, 0.5)(image(dtype=np.float64)).dtype == np.float64
    with pytest.raises(ValueError, match="3 means"):
        Normalize([0, 0, 0], [1, 1, 1])(x)
    with pytest.raises(ValueError, match="non-zero"):
        Normalize([0], [0])


def test_compose_and_transformed_dataset_apply_in_order():
    double, add_one = (lambda a: a * 2), (lambda a: a + 1)
    assert Compose([double, add_one])(np.array(3)) == 7
    ds = TransformedDataset(ArrayDataset(np.ones((4, 1, 2, 2)), np.arange(4)), double, target_transform=add_one)
    x, y = ds[2]
    assert np.all(x == 2) and y == 3 and len(ds) == 4
    with pytest.raises(TypeError, match="callable"):
        Compose([1])
    with pytest.raises(TypeError, match="__getitem__"):
        TransformedDataset(3, double)


def test_augmented_batches_repeat_for_a_seed_and_change_between_epochs():
    images = np.random.default_rng(0).random((64, 1, 8, 8)).astype(np.float32)
    augment = Compose([RandomCrop(8, padding=1), RandomHorizontalFlip()])

    def batches(seed):
        loader = DataLoader(TransformedDataset(ArrayDataset(images, np.arange(64)), augment), batch_size=16,
                            shuffle=True, seed=seed)
        return [[np.asarray(xb) for xb, _ in loader] for _ in range(2)]   # two epochs

    first, again = batches(5), batches(5)
    for a, b in zip(first[0] + first[1], again[0] + again[1]):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(first[0], first[1]))
    # every augmented image is one of its original's shifted and mirrored versions
    xb, yb = next(iter(DataLoader(TransformedDataset(ArrayDataset(images, np.arange(64)), augment), batch_size=8)))
    for x, k in zip(np.asarray(xb), np.asarray(yb)):
        padded = np.pad(images[k], ((0, 0), (1, 1), (1, 1)))
        windows = [padded[:, i:i + 8, j:j + 8] for i in range(3) for j in range(3)]
        assert any(np.array_equal(x, w) or np.array_equal(x, w[..., ::-1]) for w in windows)
