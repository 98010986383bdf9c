"""Findings: what the monitor diagnoses, with the lecture's remedies, and the checks that need no training.

Each :class:`Finding` names its kind, the layer(s), a message a learner can act on and the remedies. The
kinds:

==================== =====================================================================================
vanishing_gradients  the first layers' gradients are orders of magnitude below the last layer's
exploding_gradients  updates as large as the weights, step after step, or gradient norms growing ×10 an epoch
exploding_activations the layers multiply the spread of the signal: std(z) / rms(a) far above 1 in the layers
                     of the first epoch (N(0, 1) weights give √n per layer), or activations that overflow
nan                  the loss or a gradient became nan or inf
dead_units           most units of a layer were zero for every example of an epoch (dead ReLUs)
symmetry             a weight matrix has identical rows: its units compute the same thing and get the same
                     gradient, so they stay identical (an all-zero or constant initialisation)
linear_stack         Linear layers with no nonlinearity between them: the stack is one linear map
==================== =====================================================================================
"""
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Finding", "TrainingWarning", "REMEDIES", "identical_rows", "symmetric_weights", "linear_stacks",
           "exploding_activations"]


class TrainingWarning(UserWarning):
    """Warned once per finding while a monitored network trains."""


REMEDIES = {
    "vanishing_gradients": (
        "use ReLU (or leaky ReLU) in the hidden layers instead of sigmoid/tanh, whose derivative is at most "
        "0.25/1 and shrinks the gradient at every layer",
        "He initialisation for ReLU layers (Xavier for tanh), so the signal keeps its variance with depth",
        "BatchNorm between the layers",
        "residual (skip) connections, which give the gradient a short path to the first layers",
    ),
    "exploding_gradients": (
        "a smaller learning rate",
        "gradient clipping (tg.optim.clip_grad_norm_(model.parameters(), max_norm=1.0) before the step)",
        "He/Xavier initialisation instead of large random weights",
        "BatchNorm between the layers",
    ),
    "exploding_activations": (
        "initialise with Var(w) = 1/n (LeCun, Xavier for tanh) or 2/n (He, for ReLU) instead of N(0, 1): then "
        "Var(z) = n·Var(w)·E[a²] keeps the signal's size from layer to layer, where N(0, 1) multiplies its "
        "standard deviation by about √n at every layer",
        "standardise the inputs",
        "BatchNorm between the layers",
    ),
    "nan": (
        "a smaller learning rate",
        "gradient clipping (tg.optim.clip_grad_norm_)",
        "check the inputs for nan/inf and standardise them",
        "run a step under tg.detect_anomaly() to find the gate that first produced nan",
    ),
    "dead_units": (
        "a smaller learning rate (one large step can push a ReLU's bias so far down that it never fires again)",
        "He initialisation with zero (or slightly positive) biases",
        "leaky ReLU or GELU, whose gradient is never exactly zero",
        "BatchNorm before the ReLU",
    ),
    "symmetry": (
        "random initialisation (He for ReLU layers, Xavier for tanh/sigmoid): units that start identical get "
        "identical gradients and stay identical, so the layer acts like a single unit",
    ),
    "linear_stack": (
        "put a nonlinearity (ReLU) between the Linear layers: W₂(W₁x + b₁) + b₂ is the single linear map "
        "(W₂W₁)x + (W₂b₁ + b₂), so without one the extra layer adds parameters but no power",
    ),
}


@dataclass
class Finding:
    """One diagnosis.

    Attributes
    ----------
    kind : str
        One of the keys of :data:`REMEDIES`.
    layer : str
        The module path of the layer concerned (``"0"``, ``"encoder.2"``), several joined by ", ", or
        ``"loss"``/``"model"``.
    message : str
        What was seen, with the numbers.
    remedies : tuple of str
        What to try, from the lecture.
    epoch, step : int or None
        When it was first seen (0-based; ``step`` counts optimiser steps since the monitor was attached).

    Shape
    -----
    not applicable.
    """

    kind: str
    layer: str
    message: str
    remedies: tuple = field(default=())
    epoch: int | None = None
    step: int | None = None

    def __post_init__(self):
        if not self.remedies:
            self.remedies = REMEDIES.get(self.kind, ())

    def __str__(self):
        text = f"[{self.kind}] {self.message}"
        if self.remedies:
            text += " Try: " + "; ".join(self.remedies) + "."
        return text

    def to_dict(self):
        return {"kind": self.kind, "layer": self.layer, "message": self.message, "remedies": list(self.remedies),
                "epoch": self.epoch, "step": self.step}


# ---------------------------------------------------------------- checks that need no training
def identical_rows(weight, rtol=1e-6):
    """True when every row of ``weight`` (out, ...) equals the first, up to ``rtol`` of its largest entry.

    Shape: weight: (out, in) or (out, in, k, ...) with out ≥ 2.
    """
    w = np.asarray(weight)
    w = w.reshape(w.shape[0], -1)
    if w.shape[0] < 2 or w.size == 0:
        return False
    spread = float(np.max(np.ptp(w, axis=0)))
    scale = float(np.max(np.abs(w)))
    return bool(np.isfinite(spread) and spread <= rtol * scale) or scale == 0.0


def symmetric_weights(named_parameters, when="at initialisation", epoch=None, step=None, skip_last=True):
    """Findings for weight matrices whose rows are all identical (the symmetry problem).

    Parameters
    ----------
    named_parameters : iterable of (name, Tensor)
        E.g. ``model.named_parameters()``; tensors with fewer than 2 dimensions (biases) are skipped.
    when : str
        Words for the message ("at initialisation", "after 40 steps").
    skip_last : bool, default True
        Leave out the last weight matrix: the output layer's units are told apart by their targets, so
        its symmetry breaks by itself; it is the hidden units that stay identical.

    Shape
    -----
    each weight (out, in, ...).
    """
    findings = []
    weights = [(name, p) for name, p in named_parameters if p.data.ndim >= 2]
    if skip_last:
        weights = weights[:-1]
    for name, p in weights:
        data = p.data
        if data.ndim < 2 or data.shape[0] < 2 or not identical_rows(data):
            continue
        layer = _layer_of(name)
        zero = not data.any()
        what = "all zero" if zero else f"all {data.shape[0]} rows identical"
        findings.append(Finding(
            "symmetry", layer,
            f"layer {layer}: {name} {tuple(data.shape)} is {what} {when}; its {data.shape[0]} units compute the same "
            "function and receive the same gradient, so training can never make them differ.",
            epoch=epoch, step=step))
    return findings


def exploding_activations(layers, growth=4.0, total_growth=10.0, epoch=None, step=None):
    """Findings when the affine layers (Linear, Conv) blow up the signal going forward: the lecture's
    exploding activations, which N(0, 1) initialisation causes.

    A layer's gain is std(z) / rms(a), the spread of its output over the root mean square of its input: about
    √(n·Var(w)) at initialisation (√2 for He on ReLU, 1 for Xavier/LeCun, √n for N(0, 1)). The finding needs
    a layer with gain above ``growth`` and the whole stack's gain (the product) above ``total_growth``, or an
    activation that is no longer finite (overflow).

    Parameters
    ----------
    layers : sequence of (name, type, input_rms, output_std)
        In forward order; ``input_rms`` None where the input was not measured.
    growth, total_growth : float
    epoch, step : int, optional
        When the measurement was made.

    Shape
    -----
    not applicable.

    Examples
    --------
    >>> [f.kind for f in exploding_activations([("0", "Linear", 1.0, 27.9), ("2", "Linear", 16.0, 360.0)])]
    ['exploding_activations']
    """
    gains, overflow = [], None
    for name, cls, rms_in, std_out in layers:
        if std_out is None or not np.isfinite(std_out) or (rms_in is not None and not np.isfinite(rms_in)):
            overflow = f"{name} ({cls})"  # the first layer whose output overflowed; the later ones inherit it
            break
        if cls in _AFFINE and rms_in:
            gains.append((name, cls, std_out / rms_in, std_out))
    when = f"epoch {epoch}: " if epoch is not None else ""
    large = [g for g in gains if g[2] > growth]
    each = ", ".join(f"{name} ({cls}) ×{gain:.3g} (std {std:.3g})" for name, cls, gain, std in large)
    if overflow is not None:
        before = f", after the spread of the signal std(z)/rms(a) grew at {each}" if large else ""
        return [Finding("exploding_activations", overflow.split(" ")[0],
                        f"{when}the activations overflowed at layer {overflow}{before}: its output is no longer "
                        "finite (inf, then nan in the loss).", epoch=epoch, step=step)]
    total = float(np.prod([g[2] for g in gains])) if gains else 1.0
    if not large or total <= total_growth:
        return []
    return [Finding("exploding_activations", ", ".join(g[0] for g in large),
                    f"{when}the activations explode going forward: the spread of the signal std(z)/rms(a) grows "
                    f"at {each}, ×{total:.3g} through the network; a healthy layer keeps it near 1. Weights "
                    "drawn from N(0, 1) do this: Var(z) = n·Var(w)·E[a²] = n·E[a²].", epoch=epoch, step=step)]


_TRANSPARENT = ("Dropout", "Identity", "Flatten", "Unflatten", "BatchNorm1d", "BatchNorm2d")
_AFFINE = ("Linear", "Conv1d", "Conv2d", "Conv3d")


def linear_stacks(model):
    """Findings for Linear (or convolution) layers that follow each other with no nonlinearity between.

    Reads the structure of every :class:`~tensorgate.nn.Sequential` in ``model`` (nested Sequentials are
    flattened): only Dropout, Identity, Flatten and BatchNorm may stand between two such layers for it to
    count; anything else (an activation, an unknown module) is taken to be a nonlinearity.

    Shape: not applicable.
    """
    from ..nn import Sequential  # nn sits above instruments in the layer list

    findings = []
    for prefix, module in model.named_modules():
        if not isinstance(module, Sequential) or _inside_sequential(model, prefix):
            continue
        previous = None
        for name, child in _flatten(module, prefix):
            cls = type(child).__name__
            if cls in _AFFINE:
                if previous is not None:
                    findings.append(Finding(
                        "linear_stack", f"{previous[0]}, {name}",
                        f"layers {previous[0]} ({previous[1]}) and {name} ({cls}) follow each other with no "
                        "nonlinearity between them, so together they are one linear map: the network is no more "
                        "expressive than with one of them."))
                previous = (name, cls)
            elif cls not in _TRANSPARENT:
                previous = None
    return findings


def _flatten(sequential, prefix):
    from ..nn import Sequential

    for name, child in sequential.named_children():
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(child, Sequential):
            yield from _flatten(child, path)
        else:
            yield path, child


def _inside_sequential(model, prefix):
    """True when the Sequential at ``prefix`` is a direct child of another Sequential (already flattened)."""
    from ..nn import Sequential

    if not prefix:
        return False
    parent_path = prefix.rsplit(".", 1)[0] if "." in prefix else ""
    parent = dict(model.named_modules()).get(parent_path)
    return isinstance(parent, Sequential)


def _layer_of(param_name):
    """The module path of a parameter name: "2.weight" → "2"; "weight" → "model"."""
    return param_name.rsplit(".", 1)[0] if "." in param_name else "model"
