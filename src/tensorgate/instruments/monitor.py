"""The Monitor: watch a network train through hooks, and say what is going wrong.

What it measures, all through hooks (nothing in the model or the training loop changes):

* per layer (every module without children), with a forward hook on each training pass (gradients
  enabled): the mean and standard deviation of the layer's output, the fraction of exact zeros, and per
  unit (feature, or channel for (m, C, ...) outputs) whether it was ever non-zero during the epoch — a unit
  zero for every example of an epoch is dead;
* per parameter, with a gradient hook on the parameter: ‖∂L/∂p‖ at every step, and a copy of p taken when its
  gradient arrives (so before the optimiser's step), from which :meth:`Monitor.observe_batch` (called after
  the step) computes the update-to-weight ratio ‖Δp‖/‖p‖. A healthy ratio is around 1e-3.

As a callback of :func:`tensorgate.fit` it does all of that by itself and warns (:class:`TrainingWarning`)
once per finding. On its own::

    monitor = Monitor().attach(model)
    for x, y in batches:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        monitor.observe_batch(loss)         # after the step
    monitor.end_epoch()                     # once per epoch (diagnose() closes an open one)
    monitor.detach()
    for finding in monitor.diagnose(): print(finding)
"""
import math
import warnings

import numpy as np

from ..autograd import grad_mode
from ..autograd.tensor import Tensor
from ..backend.jsonable import json_ready
from ..training.callbacks import Callback
from .diagnosis import (
    _AFFINE, Finding, TrainingWarning, _layer_of, exploding_activations, linear_stacks, symmetric_weights,
)

__all__ = ["Monitor", "diagnose_forward"]


def _sum_squares(flat):
    """Σ aᵢ² by BLAS in the array's dtype; again in float64 if that overflowed while every aᵢ is finite."""
    s = float(np.dot(flat, flat))
    if not math.isfinite(s) and np.isfinite(flat).all():
        s = float(np.einsum("i,i->", flat, flat, dtype=np.float64))  # ten times slower: only when needed
    return s


def _norm(a):
    """‖a‖₂ (float32 squares overflow near 1.8e19, long before the norm does: see _sum_squares)."""
    return math.sqrt(_sum_squares(a.reshape(-1)))


class _LayerStats:
    """One layer's running sums over an epoch: count, Σa, Σa², zeros, and which units were ever non-zero."""

    __slots__ = ("n", "total", "squares", "zeros", "active", "sample", "sample_from", "in_n", "in_squares")

    def __init__(self):
        self.n, self.total, self.squares, self.zeros = 0, 0.0, 0.0, 0
        self.active = None
        self.sample, self.sample_from = None, 0
        self.in_n, self.in_squares = 0, 0.0   # the input's Σa², for an affine layer's gain std(z)/rms(a)

    def add_input(self, a):
        self.in_n += a.size
        self.in_squares += _sum_squares(a.reshape(-1))

    def add(self, a, sample_size):
        flat = a.reshape(-1)
        nonzero = a != 0
        self.n += a.size
        total = float(flat.sum())
        if not math.isfinite(total) and np.isfinite(flat).all():
            total = float(flat.sum(dtype=np.float64))
        self.total += total
        self.squares += _sum_squares(flat)
        self.zeros += a.size - int(np.count_nonzero(nonzero))
        if a.ndim >= 2:  # units along axis 1: features of (m, n), channels of (m, C, H, W)
            axes = (0,) + tuple(range(2, a.ndim))
            active = nonzero.any(axis=axes)
        else:
            active = np.array([nonzero.any()])
        if self.active is None or self.active.shape != active.shape:
            self.active = active
        else:
            self.active |= active
        if flat.size >= self.sample_from:  # the epoch's latest full-size batch (not a small last one)
            stride = max(1, flat.size // sample_size)
            self.sample, self.sample_from = flat[::stride][:sample_size].copy(), flat.size

    def summary(self):
        if self.n == 0:
            return None
        mean = self.total / self.n
        var = max(self.squares / self.n - mean * mean, 0.0)
        dead = float(1.0 - self.active.mean()) if self.active is not None else float("nan")
        summary = {"mean": mean, "std": math.sqrt(var) if np.isfinite(var) else float("nan"),
                   "zero_fraction": self.zeros / self.n, "dead_fraction": dead, "units": int(self.active.size)}
        if self.in_n:
            summary["input_rms"] = math.sqrt(self.in_squares / self.in_n)
        return summary


class Monitor(Callback):
    """Activation statistics, gradient norms and update ratios per layer, and diagnoses from them.

    Parameters
    ----------
    model : Module, optional
        Attach at once (otherwise :meth:`attach` later, or let :func:`fit` attach it to its model).
    warn : bool, default True
        Warn (:class:`TrainingWarning`) once per new finding, as soon as it is found.
    vanishing_ratio : float, default 1e-3
        Flag layers whose RMS weight gradient is below this fraction of the last layer's.
    dead_fraction : float, default 0.5
        Flag a layer when more than this fraction of its units were zero for every example of an epoch.
    explode_ratio : float, default 1.0
        Flag explosion when a weight's update ratio ‖Δw‖/‖w‖ exceeds this ...
    explode_steps : int, default 3
        ... for this many steps in a row.
    growth : float, default 10.0
        Flag explosion when the epoch's gradient norm is more than this many times the previous epoch's.
    huge_grad_norm : float, default 1e6
        Flag explosion at once when a gradient norm exceeds this.
    sample_size : int, default 2048
        Activation values kept per layer per epoch for the histograms.

    Attributes
    ----------
    records : list of dict
        One per epoch: ``{"epoch", "loss", "steps", "activations": {layer: {"mean", "std", "zero_fraction",
        "dead_fraction", "units"}}, "grad_norm": {param: mean}, "update_ratio": {param: mean}}``.
        Under :func:`fit` the same dicts are appended to ``history.history["monitor"]``.
    steps : dict
        Per optimiser step: ``"epoch"``, ``"loss"`` (lists) and ``"grad_norm"``, ``"update_ratio"``
        (param name → list, nan where a parameter got no gradient that step).
    samples : dict
        epoch → {layer: 1-D array of up to ``sample_size`` activation values from the epoch's last
        full-size training batch}.
    findings : list of Finding
        Everything found so far (also what :meth:`diagnose` returns).

    Shape
    -----
    any model; activations (m, n) or (m, C, ...) (units along axis 1).
    """

    def __init__(self, model=None, warn=True, vanishing_ratio=1e-3, dead_fraction=0.5, explode_ratio=1.0,
                 explode_steps=3, growth=10.0, huge_grad_norm=1e6, sample_size=2048):
        self.warn = warn
        self.vanishing_ratio = float(vanishing_ratio)
        self.dead_fraction = float(dead_fraction)
        self.explode_ratio = float(explode_ratio)
        self.explode_steps = int(explode_steps)
        self.growth = float(growth)
        self.huge_grad_norm = float(huge_grad_norm)
        self.sample_size = int(sample_size)
        self.model_ = None
        self._params = {}
        self._buffers = {}
        self._handles = []
        self._attached_by_fit = False
        self.records, self.samples, self.findings = [], {}, []
        self.steps = {"epoch": [], "loss": [], "grad_norm": {}, "update_ratio": {}}
        self.layers, self.param_names = [], []
        self._layer_types = {}
        self._seen = set()
        self._epoch = 0
        self._epoch_start = 0
        self._reset_step()
        self._stats = {}
        self._streak = {}
        if model is not None:
            self.attach(model)

    # ---------------------------------------------------------------- attaching
    def attach(self, model):
        """Register the hooks on ``model``'s layers and parameters; returns self. Checks the structure."""
        if self.model_ is not None:
            if self.model_ is model:
                return self
            raise RuntimeError("Monitor.attach: already attached to a model; call detach() first")
        if not hasattr(model, "named_modules") or not hasattr(model, "named_parameters"):
            raise TypeError(f"Monitor.attach: expected a tensorgate.nn.Module, got {type(model).__name__}")
        self.model_ = model
        for name, module in model.named_modules():
            if any(True for _ in module.children()):
                continue  # containers: their leaves are watched
            name = name or type(module).__name__
            if name not in self._layer_types:
                self.layers.append(name)
            self._layer_types[name] = type(module).__name__
            self._handles.append(module.register_forward_hook(self._forward_hook(name)))
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            if name not in self.steps["grad_norm"]:
                self.param_names.append(name)
                n = len(self.steps["epoch"])
                self.steps["grad_norm"][name] = [float("nan")] * n
                self.steps["update_ratio"][name] = [float("nan")] * n
            self._params[name] = p
            self._handles.append(p.register_hook(self._grad_hook(name, p)))
        self._emit(linear_stacks(model) + symmetric_weights(model.named_parameters(), "at initialisation",
                                                            step=len(self.steps["epoch"])))
        return self

    def detach(self):
        """Remove every hook this monitor registered; the records stay."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.model_ = None

    def layer_label(self, layer):
        """``"0 (Linear)"``: a layer's path and class."""
        return f"{layer} ({self._layer_types.get(layer, '?')})"

    # ---------------------------------------------------------------- hooks
    def _forward_hook(self, name):
        def hook(module, inputs, output):
            if grad_mode.state.grad_enabled and isinstance(output, Tensor) and output.dtype.kind == "f":
                stats = self._stats.get(name)
                if stats is None:
                    stats = self._stats[name] = _LayerStats()
                stats.add(output.data, self.sample_size)
                if type(module).__name__ in _AFFINE and inputs and isinstance(inputs[0], Tensor):
                    stats.add_input(inputs[0].data)
        return hook

    def _grad_hook(self, name, p):
        def hook(g):
            previous = self._grads.get(name)
            if previous is None:
                self._before[name] = self._snapshot(name, p.data)  # the weights before the optimiser's step
                self._grads[name] = g
            else:
                self._grads[name] = previous + g  # shared parameter: its gradient is the sum (never in place)
            self._grad_norms[name] = _norm(self._grads[name])
        return hook

    def _snapshot(self, name, data):
        """Copy ``data`` into this parameter's own buffer (reused every step: no allocation per step)."""
        buffers = self._buffers.get(name)
        if buffers is None or buffers[0].shape != data.shape or buffers[0].dtype != data.dtype:
            buffers = self._buffers[name] = (np.empty_like(data), np.empty_like(data))
        np.copyto(buffers[0], data)
        return buffers[0]

    def _reset_step(self):
        self._grads, self._grad_norms, self._before = {}, {}, {}

    # ---------------------------------------------------------------- per step
    def observe_batch(self, loss=None):
        """Close one optimiser step (call it after ``optimizer.step()``); returns the new findings.

        Records the loss, each parameter's gradient norm and update ratio ‖p_after − p_before‖/‖p_before‖.
        """
        step = len(self.steps["epoch"])
        if isinstance(loss, Tensor):
            loss = loss.item()
        given = loss is not None
        loss = float(loss) if given else float("nan")
        self.steps["epoch"].append(self._epoch)
        self.steps["loss"].append(loss)
        params = self._params
        new = []
        bad = []
        for name in self.param_names:
            norm = self._grad_norms.get(name, float("nan"))
            ratio = float("nan")
            before = self._before.get(name)
            if before is not None and name in params:
                size = _norm(before)
                if size > 0:
                    delta = np.subtract(params[name].data, before, out=self._buffers[name][1])
                    ratio = _norm(delta) / size
            self.steps["grad_norm"][name].append(norm)
            self.steps["update_ratio"][name].append(ratio)
            if name in self._grad_norms and not np.isfinite(norm):
                bad.append(name)
            new += self._check_update(name, norm, ratio, step)
        self._reset_step()
        if step == 0:  # the first step shows what the initialisation does to the signal, before any update
            new += self._check_activations(
                {layer: summary for layer, st in self._stats.items() if (summary := st.summary()) is not None},
                gains=True, step=step)
        loss_bad = given and not math.isfinite(loss)
        if bad or loss_bad:
            what = [f"the loss is {loss}"] if loss_bad else []
            if bad:
                what.append("the gradients of " + ", ".join(bad) + " are not finite")
            layer = ", ".join(dict.fromkeys(_layer_of(n) for n in bad)) if bad else "loss"
            new += self._add(Finding(
                "nan", layer, f"step {step} (epoch {self._epoch}): " + " and ".join(what) + "; training cannot "
                "recover from here.", epoch=self._epoch, step=step))
        return self._emit_new(new)

    def _check_update(self, name, norm, ratio, step):
        """Explosion at this step: a weight's updates as large as the weights (‖Δw‖/‖w‖ > explode_ratio) for
        ``explode_steps`` steps in a row (or one step ten times over) while the loss grows — or, when no
        loss is given, the gradient norm — to more than twice its lowest value over those steps. The growth
        condition keeps out weights that merely grow from zero (a zero initialisation) while the loss falls.
        """
        is_weight = name in self._params and self._params[name].data.ndim >= 2
        if is_weight and ratio > self.explode_ratio:
            self._streak[name] = self._streak.get(name, 0) + 1
        elif ratio == ratio:
            self._streak[name] = 0
        streak = self._streak.get(name, 0)
        layer = _layer_of(name)
        found = []
        if streak and (streak >= self.explode_steps or ratio > 10 * self.explode_ratio) and \
                self._growing(name, step, streak):
            found += self._add(Finding(
                "exploding_gradients", layer,
                f"layer {self.layer_label(layer)}: at step {step} (epoch {self._epoch}) the update of {name} was "
                f"{ratio:.3g} times the weights' size (‖Δw‖/‖w‖; healthy is about 1e-3) for {streak} step(s) in a "
                "row while the loss grew: the weights are blowing up.", epoch=self._epoch, step=step))
        if np.isfinite(norm) and norm > self.huge_grad_norm:
            found += self._add(Finding(
                "exploding_gradients", layer,
                f"layer {self.layer_label(layer)}: the gradient norm of {name} reached {norm:.3g} at step {step} "
                f"(epoch {self._epoch}).", epoch=self._epoch, step=step))
        return found

    def _growing(self, name, step, streak):
        start = max(0, step - streak)
        values = np.array(self.steps["loss"][start:step + 1], dtype=np.float64)
        if np.isnan(values).any():  # no loss given: look at the gradient norm instead
            values = np.array(self.steps["grad_norm"][name][start:step + 1], dtype=np.float64)
        if values.size < 2 or np.isnan(values[:-1]).all():
            return False
        last = values[-1]
        return bool(last != last or last > 2 * np.nanmin(values[:-1]))

    # ---------------------------------------------------------------- per epoch
    def end_epoch(self):
        """Close the epoch: summarise it into :attr:`records` and run the epoch's checks; returns the summary."""
        start, stop = self._epoch_start, len(self.steps["epoch"])
        losses = np.array(self.steps["loss"][start:stop], dtype=np.float64)
        record = {"epoch": self._epoch, "steps": stop - start,
                  "loss": float(np.mean(losses)) if losses.size else float("nan"),
                  "activations": {}, "grad_norm": {}, "update_ratio": {}}
        for layer in self.layers:
            stats = self._stats.get(layer)
            summary = stats.summary() if stats is not None else None
            if summary is not None:
                record["activations"][layer] = summary
        self.samples[self._epoch] = {layer: s.sample for layer, s in self._stats.items() if s.sample is not None}
        for kind in ("grad_norm", "update_ratio"):
            for name in self.param_names:
                values = np.array(self.steps[kind][name][start:stop], dtype=np.float64)
                values = values[~np.isnan(values)]
                record[kind][name] = float(values.mean()) if values.size else float("nan")
        self.records.append(record)
        new = self._check_epoch(record)
        self._stats = {}
        self._epoch += 1
        self._epoch_start = stop
        self._emit_new(new)
        return record

    def _check_epoch(self, record):
        found = []
        epoch = record["epoch"]
        step = len(self.steps["epoch"]) - 1
        # vanishing: RMS gradient per weight entry, first layers against the last
        params = self._params
        weights = [n for n in self.param_names if n in params and params[n].data.ndim >= 2]
        rms = {n: record["grad_norm"][n] / math.sqrt(params[n].data.size) for n in weights}
        if len(weights) >= 2 and np.isfinite(rms[weights[-1]]) and rms[weights[-1]] > 0:
            last = weights[-1]
            low = [n for n in weights[:-1] if np.isfinite(rms[n]) and rms[n] < self.vanishing_ratio * rms[last]]
            if low and low[0] == weights[0]:
                layers = ", ".join(_layer_of(n) for n in low)
                ratio = rms[weights[0]] / rms[last]
                found += self._add(Finding(
                    "vanishing_gradients", layers,
                    f"epoch {epoch}: the gradients of the first layers ({layers}) are {ratio:.1e} times those of "
                    f"the last layer {self.layer_label(_layer_of(last))} (RMS per weight), so the first layers "
                    "barely learn.", epoch=epoch, step=step))
        # explosion: the gradient norm growing more than `growth` times an epoch
        if len(self.records) >= 2:
            now = self._total_norm(record)
            before = self._total_norm(self.records[-2])
            if np.isfinite(now) and before > 0 and now > self.growth * before:
                found += self._add(Finding(
                    "exploding_gradients", "model",
                    f"epoch {epoch}: the gradient norm grew {now / before:.3g} times since the previous epoch "
                    f"({before:.3g} → {now:.3g}).", epoch=epoch, step=step))
        # exploding activations: the gains of the first epoch (what the initialisation does), overflow at any
        found += self._check_activations(record["activations"], gains=len(self.records) == 1, step=step)
        # dead units
        for layer, s in record["activations"].items():
            if s["units"] >= 2 and s["dead_fraction"] > self.dead_fraction:
                found += self._add(Finding(
                    "dead_units", layer,
                    f"epoch {epoch}: {s['dead_fraction']:.0%} of the {s['units']} units of layer "
                    f"{self.layer_label(layer)} were zero for every training example of the epoch; dead units get "
                    "no gradient and never recover.", epoch=epoch, step=step))
        return found

    def _check_activations(self, summaries, gains, step):
        """Exploding activations from per-layer summaries (in forward order): the affine layers' gains when
        ``gains`` (early in training, where the initialisation decides them), an overflow always."""
        layers = [(layer, self._layer_types.get(layer, "?"), s.get("input_rms"), s["std"])
                  for layer, s in summaries.items()]
        return self._emit_later(exploding_activations(layers, growth=4.0 if gains else math.inf,
                                                      epoch=self._epoch, step=step))

    def _total_norm(self, record):
        values = [v for v in record["grad_norm"].values() if v == v]
        return math.sqrt(sum(v * v for v in values)) if values else float("nan")

    # ---------------------------------------------------------------- findings
    def diagnose(self):
        """All findings so far (closing an open epoch first), including weights still symmetric now.

        Returns
        -------
        list of Finding
        """
        if len(self.steps["epoch"]) > self._epoch_start or self._stats:  # steps, or a forward pass that broke
            self.end_epoch()
        if self._params and self.steps["epoch"]:
            n = len(self.steps["epoch"])
            for f in symmetric_weights(self._params.items(), f"after {n} training steps",
                                       epoch=self._epoch - 1, step=n - 1):
                if ("symmetry", f.layer, "") in self._seen:
                    f.message = f.message.replace("is all", "is still all")
                self._emit_new(self._add(f, tag="trained"))
        return list(self.findings)

    def _add(self, finding, tag=""):
        key = (finding.kind, finding.layer, tag)
        if key in self._seen:
            return []
        self._seen.add(key)
        self.findings.append(finding)
        return [finding]

    def _emit_later(self, findings):
        """Add findings (once each) and return the new ones, for the caller to emit."""
        new = []
        for f in findings:
            new += self._add(f)
        return new

    def _emit(self, findings):
        new = []
        for f in findings:
            new += self._add(f)
        return self._emit_new(new)

    def _emit_new(self, new):
        if self.warn:
            for f in new:
                warnings.warn(str(f), TrainingWarning, stacklevel=3)
        return new

    # ---------------------------------------------------------------- the fit callback
    def on_train_begin(self, logs=None):
        if self.model_ is None and self.model is not None:
            self.attach(self.model)
            self._attached_by_fit = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = int(epoch)

    def on_batch_end(self, batch, logs=None):
        self.observe_batch((logs or {}).get("loss"))

    def on_epoch_end(self, epoch, logs=None):
        record = self.end_epoch()
        history = getattr(self.trainer, "history", None)
        if history is not None:
            # History.record pads every known key with None for the epoch it records: fill that place
            column = history.history.setdefault("monitor", [])
            column.extend([None] * (len(history.epoch) - len(column)))
            column[len(history.epoch) - 1] = json_ready(record)

    def on_train_end(self, logs=None):
        self.diagnose()
        if self._attached_by_fit:
            self.detach()
            self._attached_by_fit = False

    # ---------------------------------------------------------------- report
    def report_text(self):
        """A short text diagnosis: the findings with remedies, then the last epoch per layer."""
        findings = self.diagnose()
        lines = ["tensorgate monitor: diagnosis", "=" * 29, ""]
        if findings:
            lines.append(f"{len(findings)} finding(s):")
            for f in findings:
                lines.append(f"- [{f.kind}] {f.message}")
                for r in f.remedies:
                    lines.append(f"    remedy: {r}")
        else:
            lines.append("No problems found: no vanishing or exploding gradients, no nan, no dead layers, no "
                         "symmetric weights, no stacked linear layers.")
        if self.records:
            last = self.records[-1]
            lines += ["", f"Last epoch ({last['epoch']}, {last['steps']} steps, mean loss {last['loss']:.4g}):",
                      f"  {'layer':<24} {'mean':>10} {'std':>10} {'zeros':>7} {'dead':>7}"]
            for layer, s in last["activations"].items():
                lines.append(f"  {self.layer_label(layer):<24} {s['mean']:>10.3g} {s['std']:>10.3g} "
                             f"{s['zero_fraction']:>7.1%} {s['dead_fraction']:>7.1%}")
            lines += ["", f"  {'parameter':<24} {'‖grad‖':>10} {'‖Δw‖/‖w‖':>10}"]
            for name in self.param_names:
                lines.append(f"  {name:<24} {last['grad_norm'][name]:>10.3g} {last['update_ratio'][name]:>10.3g}")
        return "\n".join(lines) + "\n"


def diagnose_forward(model, X, max_rows=256):
    """Findings from one forward pass, without training: for a run that broke before a Monitor could say why.

    Runs the first ``max_rows`` rows of ``X`` through ``model`` in training mode with a :class:`Monitor`
    attached, and returns what it finds: exploding activations (each affine layer's gain std(z)/rms(a), or
    an overflow), weights that are no longer finite (an update blew them up: exploding gradients),
    symmetric weights and stacked linear layers. ``tensorgate train`` with N(0, 1) weights on wide layers
    gets ``exploding_activations`` here, the lecture's diagnosis, where the loss only says "nan".

    Shape: X: (m, ...) as the model takes it.

    Examples
    --------
    >>> import numpy as np, tensorgate as tg
    >>> _ = tg.manual_seed(0)
    >>> net = tg.nn.Sequential(tg.nn.Linear(256, 256, init="normal"), tg.nn.ReLU(),
    ...                        tg.nn.Linear(256, 10, init="normal"))
    >>> [f.kind for f in diagnose_forward(net, np.random.default_rng(0).normal(size=(64, 256)).astype(np.float32))]
    ['exploding_activations']
    """
    monitor = Monitor(warn=False)
    monitor.attach(model)
    found = []
    for name, p in model.named_parameters():
        if not np.isfinite(p.data).all():
            layer = _layer_of(name)
            found += monitor._add(Finding(
                "exploding_gradients", layer,
                f"the weights {name} are no longer finite: an update blew them up (the gradients exploded, or the "
                "learning rate is far too large)."))
    X = X.data if isinstance(X, Tensor) else np.asarray(X)
    was_training = getattr(model, "training", True)
    try:
        model.train()
        with np.errstate(all="ignore"):
            model(Tensor(X[:max_rows], dtype=X.dtype))
        monitor.end_epoch()
    finally:
        monitor.detach()
        model.train(was_training)
    return list(monitor.findings)

