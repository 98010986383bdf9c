"""PyTorch's layers written with other gates (L1, smooth L1, Huber and KL losses, ReLU6, Hardsigmoid,
Hardswish, Softsign, Softmin, PReLU, Threshold, the shrinks, CELU, GLU, GroupNorm, the distances, the 1-D
convolution and pools, constant padding), beyond their values and gradients
(tests/conformance/test_conformance_nn.py compares those with PyTorch): errors name the bad argument, fit
knows Keras's names, a model with them saves and loads."""
import numpy as np
import pytest

import tensorgate as tg
import tensorgate.nn.functional as F


@pytest.mark.parametrize("call, message", [
    (lambda: F.smooth_l1_loss(tg.zeros(3), tg.zeros(3), beta=-1.0), "smooth_l1_loss: beta must be non-negative"),
    (lambda: F.huber_loss(tg.zeros(3), tg.zeros(3), delta=0.0), "huber_loss: delta must be positive, got 0.0"),
    (lambda: F.l1_loss(tg.zeros(3), tg.zeros(3), reduction="avg"), "l1_loss: reduction must be 'mean', 'sum'"),
    (lambda: F.l1_loss(tg.zeros((3, 1)), tg.zeros(3)), r"l1_loss: .*\(3, 1\).*\(3,\)"),
    (lambda: F.l1_loss(tg.tensor([1, 2]), tg.zeros(2)), "l1_loss: input must be floating point"),
    (lambda: F.softmin(tg.zeros((2, 2))), "softmin: give dim"),
    (lambda: F.relu6(tg.zeros(2), inplace=True), "relu6: inplace=True is not supported"),
    (lambda: F.group_norm(tg.zeros((2, 6, 3)), 4), r"group_norm: num_groups \(4\) must be a positive int dividing "
                                                   r"the 6 channels"),
    (lambda: F.group_norm(tg.zeros(6), 2), r"group_norm: input must have a batch and a channel axis"),
    (lambda: F.group_norm(tg.zeros((2, 6)), 2, tg.ones(5)), r"group_norm: weight has shape \(5,\), expected \(6,\)"),
    (lambda: tg.nn.GroupNorm(4, 6), r"GroupNorm: num_groups \(4\) must be a positive int dividing num_channels"),
    (lambda: F.kl_div(tg.zeros(3), tg.zeros(3), reduction="avg"), "kl_div: reduction must be 'mean', 'batchmean'"),
    (lambda: tg.nn.KLDivLoss(reduction="avg"), "KLDivLoss: reduction must be"),
    (lambda: F.conv1d(tg.zeros((4, 9)), tg.zeros((2, 4, 3))), r"conv1d: input must be a batch of sequences \(N, C, L\)"),
    (lambda: F.conv1d(tg.zeros((1, 4, 9)), tg.zeros((2, 4))), r"conv1d: weight must have shape \(C_out, C_in/groups, k\)"),
    (lambda: tg.nn.Conv1d(4, 2, 3, stride=2, padding="same"), "Conv1d: padding='same' is not supported for strided"),
    (lambda: tg.nn.Conv1d(4, 2, 4, padding="same"), "Conv1d: padding='same' with an even kernel"),
    (lambda: tg.nn.Conv2d(4, 2, 3, padding="full"), "Conv2d: padding must be an int, a pair of ints, 'valid' or 'same'"),
    (lambda: tg.nn.Conv1d(4, 2, (3, 3)), r"Conv1d: kernel_size must be an int \(or a tuple of one int\)"),
    (lambda: tg.nn.Conv1d(4, 2, 3)(tg.zeros((1, 3, 9))), r"Conv1d\(4, 2\): expected input of shape \(N, 4, L\)"),
    (lambda: F.max_pool1d(tg.zeros((1, 2, 9)), 0), "max_pool1d: kernel_size must be >= 1, got 0"),
    (lambda: F.prelu(tg.zeros((2, 3, 4)), tg.zeros(4)), r"prelu: weight must have shape \(1,\) or \(C,\)"),
    (lambda: tg.nn.PReLU(0), "PReLU: num_parameters must be a positive int"),
    (lambda: F.softshrink(tg.zeros(3), -1.0), "softshrink: lambd must be non-negative"),
    (lambda: F.celu(tg.zeros(3), 0.0), "celu: alpha must not be 0"),
    (lambda: F.glu(tg.zeros((2, 3))), r"glu: the size along dim -1 must be even, got shape \(2, 3\)"),
    (lambda: tg.nn.Threshold(0.1, 0.0, inplace=True), "Threshold: inplace=True is not supported"),
    (lambda: tg.nn.ConstantPad2d((1, 2, 3)), r"ConstantPad2d: padding must be an int or 4 ints"),
    (lambda: tg.nn.ConstantPad1d(1)(tg.zeros((2, 3, 4, 5))), "ConstantPad1d: expected input with 2 or 3 axes"),
    (lambda: tg.nn.MultiMarginLoss(p=3), "MultiMarginLoss: p must be 1 or 2, got 3"),
    (lambda: F.multi_margin_loss(tg.zeros((2, 3)), [0, 3]), r"multi_margin_loss: class indices must be in \[0, 3\)"),
    (lambda: F.multi_margin_loss(tg.zeros((2, 3)), [0.5, 1.0]), r"multi_margin_loss: expects \(N, C\) scores and"),
    (lambda: F.soft_margin_loss(tg.zeros((2, 3)), tg.zeros(3)), r"soft_margin_loss: input shape \(2, 3\) and target"),
    (lambda: F.cosine_embedding_loss(tg.zeros((2, 3)), tg.zeros((2, 4)), [1, -1]), "cosine_embedding_loss: expects"),
    (lambda: F.triplet_margin_loss(tg.zeros(2), tg.zeros(2), tg.zeros(2), reduction="avg"),
     "triplet_margin_loss: reduction must be"),
    (lambda: tg.nn.InstanceNorm2d(3, track_running_stats=True), "InstanceNorm2d: track_running_stats=True is not"),
    (lambda: tg.nn.InstanceNorm1d(3)(tg.zeros((2, 4, 5))), r"InstanceNorm1d\(3\): expected input with 3 axes"),
    (lambda: F.pixel_shuffle(tg.zeros((1, 6, 2, 2)), 2), r"pixel_shuffle: expects \(N, C·r², H, W\) with r = 2"),
    (lambda: F.dropout1d(tg.zeros((2, 3, 4, 5))), r"dropout1d: input must be a batch of sequences \(N, C, L\)"),
    (lambda: tg.nn.Softmax2d()(tg.zeros((2, 3))), r"Softmax2d: expected input of shape \(N, C, H, W\)"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=message):
        call()


@pytest.mark.parametrize("name, cls", [("mae", tg.nn.L1Loss), ("mean_absolute_error", tg.nn.L1Loss),
                                       ("l1", tg.nn.L1Loss), ("huber", tg.nn.HuberLoss)])
def test_fit_knows_the_keras_names_and_learns_a_line(name, cls):
    from tensorgate.training.names import resolve_loss

    model = tg.nn.Sequential(tg.nn.Linear(2, 1))
    assert isinstance(resolve_loss(name, model), cls)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 2)).astype(np.float32)
    y = (X @ np.array([[2.0], [-1.0]], np.float32) + 0.5).astype(np.float32)
    _ = tg.manual_seed(0)
    history = tg.fit(model, name, tg.optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=40, batch_size=32,
                     metrics=(), verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]


def test_a_model_with_the_hard_activations_saves_and_loads(tmp_path):
    model = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.Hardswish(), tg.nn.ReLU6(), tg.nn.Hardsigmoid(),
                             tg.nn.Softsign(), tg.nn.Unflatten(1, (4, 1)), tg.nn.GroupNorm(2, 4), tg.nn.Flatten(),
                             tg.nn.Linear(4, 2), tg.nn.Softmin(dim=1))
    path = tmp_path / "model.tg"
    tg.save(model, path)
    again = tg.load(path)
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32) * 4
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    assert [type(m).__name__ for m in again] == [type(m).__name__ for m in model]


def test_group_norm_does_not_depend_on_the_batch():
    """Each example is normalised alone: one image gives what it gives inside a batch, in training too."""
    layer = tg.nn.GroupNorm(2, 4)
    x = np.random.default_rng(2).standard_normal((5, 4, 3, 3)).astype(np.float32)
    np.testing.assert_allclose(layer(x[2:3]).numpy(), layer(x).numpy()[2:3], rtol=1e-6, atol=1e-6)


def test_a_sequence_classifier_of_1d_layers_trains_saves_and_loads(tmp_path):
    """Conv1d, MaxPool1d and AdaptiveAvgPool1d in a model that learns to tell rising from falling sequences."""
    rng = np.random.default_rng(0)
    X = np.cumsum(rng.standard_normal((256, 1, 32)), axis=2).astype(np.float32)
    y = (X[:, 0, -1] > X[:, 0, 0]).astype(np.int64)
    _ = tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Conv1d(1, 8, 5, padding="same"), tg.nn.ReLU(), tg.nn.MaxPool1d(2),
                             tg.nn.Conv1d(8, 8, 3, padding=1), tg.nn.ReLU(), tg.nn.AdaptiveAvgPool1d(1),
                             tg.nn.Flatten(), tg.nn.Linear(8, 2))
    tg.fit(model, "cross_entropy", tg.optim.Adam(model.parameters(), lr=0.01), (X, y), epochs=30, verbose=0)
    accuracy = float((tg.predict(model, X).argmax(1) == y).mean())
    assert accuracy > 0.9, accuracy
    tg.save(model, tmp_path / "seq.tg")
    np.testing.assert_array_equal(tg.predict(tg.load(tmp_path / "seq.tg"), X), tg.predict(model, X))


def test_dropout1d_drops_whole_sequences():
    """In training each (example, channel) sequence is all zeros or all scaled by 1/(1 − p); in eval the identity."""
    _ = tg.manual_seed(0)
    layer = tg.nn.Dropout1d(0.5)
    out = layer(tg.ones((8, 16, 10))).numpy()
    per_sequence = {tuple(sorted(set(row.tolist()))) for row in out.reshape(-1, 10)}
    assert per_sequence == {(0.0,), (2.0,)}
    np.testing.assert_array_equal(layer.eval()(tg.ones((2, 3, 4))).numpy(), np.ones((2, 3, 4), np.float32))
