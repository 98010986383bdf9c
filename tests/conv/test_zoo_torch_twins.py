"""Issue 23's zoo networks (AlexNet, GoogLeNet, EfficientNet) against the same networks built in PyTorch here:
parameter counts, then, with the weights copied over, the outputs in evaluation mode and the outputs and every
parameter's gradient in training mode (float32, and float64 for one of them). Also tg.save / tg.load."""
from collections import namedtuple

import numpy as np
import pytest
import torch
from torch import nn as tnn

import tensorgate as tg
from tensorgate.models import zoo


# ---------------------------------------------------------------- the PyTorch twins, written from the docstrings
class TorchAlexNet(tnn.Module):
    def __init__(self, c=1, k=10, widths=(32, 64, 96, 96, 64), hidden=256, dropout=0.5, lrn=False):
        super().__init__()
        w0, w1, w2, w3, w4 = widths
        norm = (lambda: [tnn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)]) if lrn else (lambda: [])
        self.features = tnn.Sequential(
            tnn.Conv2d(c, w0, 5, padding=2), tnn.ReLU(), *norm(), tnn.MaxPool2d(3, 2),
            tnn.Conv2d(w0, w1, 5, padding=2), tnn.ReLU(), *norm(), tnn.MaxPool2d(3, 2),
            tnn.Conv2d(w1, w2, 3, padding=1), tnn.ReLU(), tnn.Conv2d(w2, w3, 3, padding=1), tnn.ReLU(),
            tnn.Conv2d(w3, w4, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(3, 2))
        self.avgpool = tnn.AdaptiveAvgPool2d(2)
        self.classifier = tnn.Sequential(tnn.Dropout(dropout), tnn.Linear(w4 * 4, hidden), tnn.ReLU(),
                                         tnn.Dropout(dropout), tnn.Linear(hidden, hidden), tnn.ReLU(),
                                         tnn.Linear(hidden, k))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def cbr(a, b, k, p=0):
    return tnn.Sequential(tnn.Conv2d(a, b, k, padding=p, bias=False), tnn.BatchNorm2d(b), tnn.ReLU())


class TorchInception(tnn.Module):
    def __init__(self, c, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        self.branch1 = cbr(c, c1, 1)
        self.branch2 = tnn.Sequential(cbr(c, c3r, 1), cbr(c3r, c3, 3, 1))
        self.branch3 = tnn.Sequential(cbr(c, c5r, 1), cbr(c5r, c5, 5, 2))
        self.branch4 = tnn.Sequential(tnn.MaxPool2d(3, 1, 1), cbr(c, pp, 1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class TorchAux(tnn.Module):
    def __init__(self, c, k, dropout=0.7):
        super().__init__()
        self.conv, self.fc1, self.fc2, self.dropout = cbr(c, 32, 1), tnn.Linear(128, 128), tnn.Linear(128, k), \
            tnn.Dropout(dropout)

    def forward(self, x):
        x = torch.flatten(self.conv(tnn.functional.adaptive_avg_pool2d(x, 2)), 1)
        return self.fc2(self.dropout(torch.relu(self.fc1(x))))


Outputs = namedtuple("Outputs", ["logits", "aux_logits2", "aux_logits1"])


class TorchGoogLeNet(tnn.Module):
    def __init__(self, c=1, k=10, aux=False, dropout=0.2, dropout_aux=0.7):
        super().__init__()
        self.stem = cbr(c, 32, 3, 1)
        self.inception3a, self.inception3b = TorchInception(32, 16, 24, 32, 4, 8, 8), \
            TorchInception(64, 32, 32, 48, 8, 24, 16)
        self.inception4a = TorchInception(120, 48, 24, 52, 4, 12, 16)
        self.inception4b = TorchInception(128, 40, 28, 56, 6, 16, 16)
        self.inception4c = TorchInception(128, 32, 32, 64, 6, 16, 16)
        self.inception5a = TorchInception(128, 64, 40, 80, 8, 32, 32)
        self.inception5b = TorchInception(208, 96, 48, 96, 12, 32, 32)
        self.aux1 = TorchAux(128, k, dropout_aux) if aux else None
        self.aux2 = TorchAux(128, k, dropout_aux) if aux else None
        self.dropout, self.fc = tnn.Dropout(dropout), tnn.Linear(256, k)

    def forward(self, x):
        pool = lambda t: tnn.functional.max_pool2d(t, 3, 2, 1)  # noqa: E731
        x = self.inception4a(pool(self.inception3b(self.inception3a(pool(self.stem(x))))))
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4c(self.inception4b(x))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.inception5b(self.inception5a(pool(x)))
        logits = self.fc(self.dropout(x.mean((2, 3))))
        return Outputs(logits, aux2, aux1) if aux1 is not None else logits


def cbs(a, b, k, s=1, g=1):
    return tnn.Sequential(tnn.Conv2d(a, b, k, s, (k - 1) // 2, groups=g, bias=False), tnn.BatchNorm2d(b), tnn.SiLU())


class TorchSE(tnn.Module):
    def __init__(self, c, s):
        super().__init__()
        self.fc1, self.fc2 = tnn.Conv2d(c, s, 1), tnn.Conv2d(s, c, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(tnn.functional.silu(self.fc1(x.mean((2, 3), keepdim=True))))) * x


def divisible(v, d=8):  # torchvision's _make_divisible
    new = max(d, int(v + d / 2) // d * d)
    return new + d if new < 0.9 * v else new


class TorchMBConv(tnn.Module):
    def __init__(self, a, b, t, k, s):
        super().__init__()
        h = divisible(a * t)
        self.res = s == 1 and a == b
        self.block = tnn.Sequential(*([cbs(a, h, 1)] if h != a else []), cbs(h, h, k, s, h), TorchSE(h, max(1, a // 4)),
                                    tnn.Sequential(tnn.Conv2d(h, b, 1, bias=False), tnn.BatchNorm2d(b)))

    def forward(self, x):
        return self.block(x) + x if self.res else self.block(x)


class TorchEfficientNet(tnn.Module):
    # B0's (expand, channels, blocks, kernel) with the strides for small images (stem 1, stage 6 at 1)
    STAGES = [(1, 16, 1, 1, 3), (6, 24, 2, 2, 3), (6, 40, 2, 2, 5), (6, 80, 3, 2, 3), (6, 112, 3, 1, 5),
              (6, 192, 4, 1, 5), (6, 320, 1, 1, 3)]

    def __init__(self, c=1, k=10, width=0.4, depth=0.5, dropout=0.2):
        super().__init__()
        c0 = divisible(32 * width)
        self.stem, blocks = cbs(c, c0, 3), []
        for t, ch, n, s, ks in self.STAGES:
            out = divisible(ch * width)
            for i in range(int(np.ceil(n * depth))):
                blocks.append(TorchMBConv(c0, out, t, ks, s if i == 0 else 1))
                c0 = out
        self.blocks, self.head = tnn.Sequential(*blocks), cbs(c0, 4 * c0, 1)
        self.dropout, self.fc = tnn.Dropout(dropout), tnn.Linear(4 * c0, k)

    def forward(self, x):
        return self.fc(self.dropout(self.head(self.blocks(self.stem(x))).mean((2, 3))))


CASES = {   # name: (tensorgate model, torch twin, input shape, the model's parameter count)
    "alexnet": (lambda: zoo.AlexNet(), lambda: TorchAlexNet(), (1, 28, 28), 380042),
    "alexnet_rgb32_lrn": (lambda: zoo.AlexNet(3, 10, 32, local_response_norm=True), lambda: TorchAlexNet(3, lrn=True),
                          (3, 32, 32), 381642),
    "googlenet": (lambda: zoo.GoogLeNet(), lambda: TorchGoogLeNet(), (1, 28, 28), 266322),
    "googlenet_aux_rgb32": (lambda: zoo.GoogLeNet(3, 10, aux_logits=True), lambda: TorchGoogLeNet(3, aux=True),
                            (3, 32, 32), None),
    "efficientnet": (lambda: zoo.EfficientNet(), lambda: TorchEfficientNet(), (1, 28, 28), 462856),
    "efficientnet_b0_rgb32": (lambda: zoo.EfficientNet(3, 10, 1.0, 1.0), lambda: TorchEfficientNet(3, 10, 1.0, 1.0),
                              (3, 32, 32), None),
}


def _twins(name, dtype=np.float32, batch=3, size=None):
    tg.manual_seed(0)
    torch.manual_seed(0)
    build, build_torch, shape, count = CASES[name]
    ours, theirs = build(), build_torch()
    if dtype == np.float64:
        ours, theirs = ours.double(), theirs.double()
    rng = np.random.default_rng(1)
    with torch.no_grad():   # BatchNorm statistics and affine parameters away from 0 and 1, in both
        for m in theirs.modules():
            if isinstance(m, tnn.BatchNorm2d):
                m.running_mean.copy_(torch.tensor(0.1 * rng.standard_normal(m.num_features)))
                m.running_var.copy_(torch.tensor(rng.uniform(0.5, 1.5, m.num_features)))
                m.weight.copy_(torch.tensor(rng.uniform(0.8, 1.2, m.num_features)))
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    if size is not None:
        shape = shape[:1] + (size, size)
    x = rng.standard_normal((batch,) + shape).astype(dtype)
    return ours, theirs, x, count


@pytest.mark.parametrize("name", sorted(CASES))
def test_parameter_count_and_eval_outputs_equal_pytorch(name):
    ours, theirs, x, count = _twins(name)
    torch_count = sum(p.numel() for p in theirs.parameters())
    assert ours.num_parameters() == torch_count
    if count is not None:
        assert torch_count == count
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    ours.eval()
    theirs.eval()
    with torch.no_grad():
        expected = theirs(torch.tensor(x)).numpy()
    got = ours(x).data
    assert got.shape == expected.shape == (3, 10) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


@pytest.mark.parametrize("name,dtype", [("alexnet_rgb32_lrn", np.float32), ("alexnet", np.float64),
                                        ("googlenet_aux_rgb32", np.float32), ("googlenet", np.float64),
                                        ("efficientnet", np.float32), ("efficientnet", np.float64)])
def test_training_outputs_and_gradients_equal_pytorch(name, dtype):
    """Training mode (batch statistics, aux heads) with dropout off in both: outputs and every gradient.

    On 16×16 images (any size works) to keep the test short."""
    ours, theirs, x, _ = _twins(name, dtype, batch=2, size=16)
    for m in list(ours.modules()) + list(theirs.modules()):
        if hasattr(m, "p") and type(m).__name__ == "Dropout":
            m.p = 0.0
    out, t_out = ours(x), theirs(torch.tensor(x))
    if name.startswith("googlenet_aux"):
        assert type(out).__name__ == "GoogLeNetOutputs" and out._fields == ("logits", "aux_logits2", "aux_logits1")
        loss = out.logits.sum() + 0.3 * (out.aux_logits1 ** 2).sum() + 0.3 * (out.aux_logits2 ** 2).sum()
        t_loss = t_out.logits.sum() + 0.3 * (t_out.aux_logits1 ** 2).sum() + 0.3 * (t_out.aux_logits2 ** 2).sum()
    else:
        loss, t_loss = (out ** 2).sum(), (t_out ** 2).sum()
    tol = dict(rtol=1e-3, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(float(loss.item()), float(t_loss.item()), **tol)
    loss.backward()
    t_loss.backward()
    theirs_grads = {k: p.grad.numpy() for k, p in theirs.named_parameters()}
    # absolute tolerance relative to the largest gradient: a bias feeding BatchNorm has a gradient that is 0
    # up to round-off in both libraries
    scale = max(np.abs(g).max() for g in theirs_grads.values())
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs_grads[k], rtol=tol["rtol"], atol=tol["atol"] * scale, err_msg=k)
        assert p.grad.dtype == dtype


def test_googlenet_returns_logits_alone_in_eval_and_without_aux():
    model = zoo.GoogLeNet(aux_logits=True)
    assert isinstance(model(tg.zeros(2, 1, 28, 28)), tuple)
    assert model.eval()(tg.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert zoo.GoogLeNet()(tg.zeros(2, 1, 28, 28)).shape == (2, 10)


@pytest.mark.parametrize("build", [lambda: zoo.AlexNet(local_response_norm=True),
                                   lambda: zoo.GoogLeNet(aux_logits=True), lambda: zoo.EfficientNet(3, 4, 0.25, 0.3)])
def test_save_and_load_roundtrip(tmp_path, build):
    tg.manual_seed(0)
    model = build().eval()
    tg.save(model, tmp_path / "m.tgate")
    back = tg.load(tmp_path / "m.tgate")
    assert type(back) is type(model) and back.get_config() == model.get_config()
    x = np.random.default_rng(0).standard_normal((2,) + ((3, 32, 32) if "Efficient" in type(model).__name__
                                                         else (1, 28, 28))).astype(np.float32)
    np.testing.assert_array_equal(back.eval()(x).data, model(x).data)
    assert [p.name for p in tmp_path.iterdir()] == ["m.tgate"]


@pytest.mark.parametrize("build,match", [
    (lambda: zoo.AlexNet(input_size=12), "input_size must be at least 15"),
    (lambda: zoo.AlexNet(widths=(8, 8, 8)), "the 5 convolutions"),
    (lambda: zoo.EfficientNet(width_mult=0), "width_mult must be a positive number"),
    (lambda: zoo.GoogLeNet(num_classes=0), "num_classes must be a positive integer"),
])
def test_bad_arguments_are_named(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_a_zoo_block_named_in_full_loads_in_a_fresh_interpreter(tmp_path):
    """A learner's own class called Inception takes the short name first; the zoo's is then saved under its
    full name, tensorgate.models.zoo.googlenet.Inception, which tg.load must still find."""
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[2] / "src")
    path = tmp_path / "g.tgate"
    save = ("import tensorgate as tg\nclass Inception(tg.nn.Module):\n    pass\n"
            "from tensorgate.models import zoo\n"
            f"m = zoo.Inception(4, 2, 3, 4, 2, 3, 2)\nprint(m.get_config()['type'])\ntg.save(m, {str(path)!r})")
    load = f"import tensorgate as tg\nprint(type(tg.load({str(path)!r})).__module__)"
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": src})
            for code in (save, load)]
    assert outs[0].stdout.strip() == "tensorgate.models.zoo.googlenet.Inception", outs[0].stderr
    assert outs[1].stdout.strip() == "tensorgate.models.zoo.googlenet", outs[1].stderr
