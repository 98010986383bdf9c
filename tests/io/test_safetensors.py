"""tg.save / tg.load of .safetensors files, and weights moving between tensorgate and PyTorch through them.

Round trips both ways: PyTorch's safetensors.torch.save_file → tg.load → model.load_state_dict gives the
PyTorch model's outputs, and tg.save → safetensors.torch.load_file → torch load_state_dict gives tensorgate's.
The zoo models are compared with the usual PyTorch spelling of each (tutorial LeNet, torchvision ResNet).
"""
import json
import os
import struct

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy", reason="the optional 'safetensors' package is "
                                        "not installed (pip install tensorgate[safetensors])")
torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

import tensorgate as tg  # noqa: E402
from tensorgate import nn  # noqa: E402
from tensorgate.io import ModelFileError  # noqa: E402
from tensorgate.models import pytorch_state_dict, zoo  # noqa: E402

tnn = torch.nn


# ---------------------------------------------------------------- the PyTorch spellings of the zoo
class TorchLeNet(tnn.Module):
    """LeNet as PyTorch's "Training a classifier" tutorial writes it (conv1, conv2, fc1, fc2, fc3)."""

    def __init__(self, c=1, k=10, padding=2):
        super().__init__()
        self.conv1, self.conv2 = tnn.Conv2d(c, 6, 5, padding=padding), tnn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = tnn.Linear(400, 120), tnn.Linear(120, 84), tnn.Linear(84, k)

    def forward(self, x):
        pool = tnn.functional.max_pool2d
        x = pool(self.conv2(pool(self.conv1(x).relu(), 2)).relu(), 2).flatten(1)
        return self.fc3(self.fc2(self.fc1(x).relu()).relu())


class TorchBasicBlock(tnn.Module):
    """torchvision's BasicBlock: conv1, bn1, conv2, bn2, downsample."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(cout)
        self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
        return (out + (x if self.downsample is None else self.downsample(x))).relu()


class TorchResNet(tnn.Module):
    """torchvision's ResNet layout (conv1, bn1, layer1..3, avgpool, fc) with ResNetSmall's sizes."""

    def __init__(self, c=1, k=10, widths=(16, 32, 64), blocks=1):
        super().__init__()
        self.conv1, self.bn1 = tnn.Conv2d(c, widths[0], 3, padding=1, bias=False), tnn.BatchNorm2d(widths[0])
        cin = widths[0]
        for i, w in enumerate(widths):
            layer = []
            for b in range(blocks):
                layer.append(TorchBasicBlock(cin, w, 2 if i > 0 and b == 0 else 1))
                cin = w
            setattr(self, f"layer{i + 1}", tnn.Sequential(*layer))
        self.n_layers = len(widths)
        self.fc = tnn.Linear(cin, k)

    def forward(self, x):
        x = self.bn1(self.conv1(x)).relu()
        for i in range(self.n_layers):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(x.mean(dim=(2, 3)))


def torch_vgg(c=1, k=10, size=28, widths=(16, 32, 64), hidden=128):
    """SmallVGG with torchvision's VGG layout: features.i and classifier.i."""
    layers, cin = [], c
    for w in widths:
        for _ in range(2):
            layers += [tnn.Conv2d(cin, w, 3, padding=1, bias=False), tnn.BatchNorm2d(w), tnn.ReLU()]
            cin = w
        layers.append(tnn.MaxPool2d(2))
        size //= 2
    model = tnn.Module()
    model.features = tnn.Sequential(*layers)
    model.classifier = tnn.Sequential(tnn.Linear(cin * size * size, hidden), tnn.ReLU(), tnn.Linear(hidden, k))
    model.forward = lambda x: model.classifier(model.features(x).flatten(1))
    return model


class TorchDepthwiseSeparable(tnn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.depthwise = tnn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False)
        self.bn1 = tnn.BatchNorm2d(cin)
        self.pointwise = tnn.Conv2d(cin, cout, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn2(self.pointwise(self.bn1(self.depthwise(x)).relu())).relu()


class TorchMobileNet(tnn.Module):
    """MobileNetSmall written with torch.nn, the same attributes (stem, blocks, pool, fc)."""

    def __init__(self, c=1, k=10, widths=(16, 32, 64, 64, 128), strides=(1, 2, 1, 2)):
        super().__init__()
        self.stem = tnn.Sequential(tnn.Conv2d(c, widths[0], 3, padding=1, bias=False), tnn.BatchNorm2d(widths[0]),
                                   tnn.ReLU())
        self.blocks = tnn.Sequential(*[TorchDepthwiseSeparable(a, b, s)
                                       for a, b, s in zip(widths[:-1], widths[1:], strides)])
        self.fc = tnn.Linear(widths[-1], k)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean(dim=(2, 3)))


PAIRS = {
    "lenet": (lambda: zoo.LeNet5(), lambda: TorchLeNet(), (1, 28, 28)),
    "lenet_rgb32": (lambda: zoo.LeNet5(3, 5, 32), lambda: TorchLeNet(3, 5, padding=0), (3, 32, 32)),
    "resnet": (lambda: zoo.ResNetSmall(1, 10, blocks=2), lambda: TorchResNet(blocks=2), (1, 16, 16)),
    "vgg": (lambda: zoo.SmallVGG(), lambda: torch_vgg(), (1, 28, 28)),
    "mobilenet": (lambda: zoo.MobileNetSmall(), lambda: TorchMobileNet(), (1, 16, 16)),
}


def _randomise_torch(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, b in model.named_buffers():
            if "running_mean" in name:
                b.copy_(0.1 * torch.randn(b.shape, generator=g))
            elif "running_var" in name:
                b.copy_(0.5 + torch.rand(b.shape, generator=g))
            elif "num_batches_tracked" in name:
                b.fill_(7)
        for name, p in model.named_parameters():
            if p.ndim == 1 and "bn" in name or "downsample.1" in name:
                p.copy_(0.8 + 0.4 * torch.rand(p.shape, generator=g) if name.endswith("weight")
                        else 0.1 * torch.randn(p.shape, generator=g))
    return model.eval()


def _randomise_tg(model, seed):
    rng = np.random.default_rng(seed)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.data[...] = 0.1 * rng.standard_normal(module.num_features)
            module.running_var.data[...] = rng.uniform(0.5, 1.5, module.num_features)
            module.num_batches_tracked.data[...] = 5
            module.weight.data[...] = rng.uniform(0.8, 1.2, module.num_features)
            module.bias.data[...] = 0.1 * rng.standard_normal(module.num_features)
    return model.eval()


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pytorch_weights_load_into_the_zoo_model(tmp_path, name):
    make_tg, make_torch, shape = PAIRS[name]
    torch.manual_seed(0)
    theirs = _randomise_torch(make_torch(), 1)
    path = tmp_path / "torch.safetensors"
    safetensors_torch.save_file(theirs.state_dict(), str(path))
    ours = make_tg()
    ours.load_state_dict(tg.load(path))                     # strict: every name found, mapped where it differs
    x = np.random.default_rng(2).standard_normal((3,) + shape).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours.eval()(x).data, expected, rtol=1e-4, atol=1e-5)
    for module in ours.modules():
        if isinstance(module, nn.BatchNorm2d):
            assert int(module.num_batches_tracked.data) == 7


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_zoo_weights_load_into_pytorch(tmp_path, name):
    make_tg, make_torch, shape = PAIRS[name]
    tg.manual_seed(3)
    ours = _randomise_tg(make_tg(), 4)
    path = tmp_path / "tg.safetensors"
    tg.save(pytorch_state_dict(ours), path)
    theirs = make_torch()
    theirs.load_state_dict(safetensors_torch.load_file(str(path)), strict=True)
    theirs.eval()
    x = np.random.default_rng(5).standard_normal((2,) + shape).astype(np.float32)
    with torch.no_grad():
        got = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, ours(x).data, rtol=1e-4, atol=1e-5)


def test_state_dict_round_trip_is_bit_exact(tmp_path):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    model(tg.randn(16, 3))
    path = tmp_path / "w.safetensors"
    tg.save(model.state_dict(), path, metadata={"epoch": "3"})
    back = tg.load(path)
    assert set(back) == set(model.state_dict())
    for k, v in model.state_dict().items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and back[k].tobytes() == v.tobytes(), k
    assert back["1.num_batches_tracked"].shape == () and back["1.num_batches_tracked"].dtype == np.int64
    assert os.listdir(tmp_path) == ["w.safetensors"]
    from tensorgate.io.safetensors_format import read_safetensors_metadata

    assert read_safetensors_metadata(path) == {"epoch": "3"}


def test_dtypes_and_torch_reads_them_alike(tmp_path):
    arrays = {"f16": np.arange(3, dtype=np.float16), "f64": np.eye(2), "i8": np.array([-1, 2], np.int8),
              "u8": np.array([255], np.uint8), "b": np.array([True, False]), "i64": np.array(5),
              "big_endian": np.arange(4, dtype=">f4").reshape(2, 2), "fortran": np.asfortranarray(np.ones((2, 3)))}
    path = tmp_path / "a.safetensors"
    tg.save(arrays, path)
    back, theirs = tg.load(path), safetensors_torch.load_file(str(path))
    for k, v in arrays.items():
        np.testing.assert_array_equal(back[k], v)
        np.testing.assert_array_equal(theirs[k].numpy(), v)
        assert back[k].dtype == v.dtype.newbyteorder("=")


def test_missing_num_batches_tracked_is_accepted_as_pytorch_does(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    model[1].num_batches_tracked.data[...] = 4
    state = {k: v for k, v in model.state_dict().items() if "num_batches" not in k}
    assert model.load_state_dict(state) == ([], [])
    assert int(model[1].num_batches_tracked.data) == 4          # kept, as torch.nn.BatchNorm1d keeps it
    reference = tnn.BatchNorm1d(3)
    result = reference.load_state_dict({k: torch.ones(3) for k in ("weight", "bias", "running_mean", "running_var")})
    assert result.missing_keys == [] and int(reference.num_batches_tracked) == 0
    del state["1.running_var"]
    with pytest.raises(ValueError, match="running_var"):
        model.load_state_dict(state)


def test_save_refuses_what_safetensors_cannot_hold(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match="state_dict"):
        tg.save(nn.Linear(2, 2), path)
    with pytest.raises(TypeError, match="'nested'"):
        tg.save({"nested": {"a": np.zeros(2)}}, path)
    with pytest.raises(TypeError, match="complex"):
        tg.save({"z": np.zeros(2, np.complex64)}, path)
    with pytest.raises(TypeError, match="strings"):
        tg.save({"a": np.zeros(2)}, path, metadata={"epoch": 3})
    assert not path.exists() and os.listdir(tmp_path) == []


def _file(header, data=b""):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


HOSTILE = {
    "empty": (b"", "fewer than the 8-byte"),
    "huge_header": (struct.pack("<Q", 10 ** 12) + b"{}", "exceeds the limit"),
    "header_past_end": (struct.pack("<Q", 100) + b"{}", "runs past the end"),
    "not_json": (struct.pack("<Q", 3) + b"{x}", "not JSON"),
    "not_object": (_file([1, 2]), "not a JSON object"),
    "bad_dtype": (_file({"a": {"dtype": "X9", "shape": [1], "data_offsets": [0, 1]}}, b"\0"), "unknown dtype"),
    "bfloat16": (_file({"a": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"\0\0"), "float32 first"),
    "negative_shape": (_file({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4),
                       "invalid shape"),
    "size_mismatch": (_file({"a": {"dtype": "F32", "shape": [1000], "data_offsets": [0, 4]}}, b"\0" * 4),
                      "needs 4000 bytes"),
    "overlap": (_file({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                       "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4), "overlap"),
    "truncated": (_file({"a": {"dtype": "F64", "shape": [4], "data_offsets": [0, 32]}}, b"\0" * 8), "truncated"),
    "trailing": (_file({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}, b"\0\0"), "trailing"),
    "extra_key": (_file({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1], "x": 1}}, b"\0"),
                  "exactly dtype"),
    "metadata_not_strings": (_file({"__metadata__": {"a": 1}}), "__metadata__"),
    "a_tgate_file": (b"TGATE\x89\r\n" + b"\0" * 60, "rename it to .tgate"),
    "a_torch_zip": (b"PK\x03\x04" + b"\0" * 60, "PyTorch .pt"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_get_a_clear_error(tmp_path, name):
    blob, match = HOSTILE[name]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(blob)
    with pytest.raises(ModelFileError, match=match):
        tg.load(path)


def test_only_regular_files_are_read(tmp_path):
    (tmp_path / "dir.safetensors").mkdir()
    with pytest.raises(ModelFileError, match="directory"):
        tg.load(tmp_path / "dir.safetensors")
    with pytest.raises(ModelFileError, match="no such file"):
        tg.load(tmp_path / "missing.safetensors")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.safetensors")
        with pytest.raises(ModelFileError, match="not a regular file"):   # would block forever if opened
            tg.load(tmp_path / "pipe.safetensors")
