"""Figures of the instruments: gradient norms, update ratios, activation histograms, the initialisation study.

The instruments measure and return data (a Monitor's records, a study's spreads); the functions here only
draw it, so that plot and instruments never import each other.

Every function returns a matplotlib ``Figure`` drawn with the Agg canvas (no window, no pyplot state, so
it works on servers and in tests) and saves it when ``path`` is given (written to a temporary file, then
moved into place).
"""
import os

import numpy as np
from matplotlib import cm
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..backend.files import atomic_path

__all__ = ["plot_gradient_norms", "plot_update_ratios", "plot_activation_histograms", "plot_initialisation_study",
           "write_monitor_report"]


def _figure(width, height):
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path):
    if path is None:
        return fig
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1] or ".png"
    with atomic_path(path, suffix=suffix) as tmp:
        fig.savefig(tmp, bbox_inches="tight")
    return fig


def _no_data(fig, ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777777")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def _steps(monitor):
    return monitor.steps if hasattr(monitor, "steps") else monitor


def _label(monitor, name):
    """ "0.weight (Linear)": the parameter's name and its layer's class, when the monitor knows it."""
    layer = name.rsplit(".", 1)[0] if "." in name else None
    types = getattr(monitor, "_layer_types", {})
    return f"{name} ({types[layer]})" if layer in types else name


def _per_step(monitor, key, title, ylabel, path, weights_only, guide=None):
    steps = _steps(monitor)
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    series = steps.get(key, {})
    names = [n for n in series if not weights_only or not n.endswith("bias")]
    if not steps.get("epoch") or not names:
        return _save(_no_data(fig, ax, "no training steps recorded"), path)
    x = np.arange(len(steps["epoch"]))
    # colour by depth: first layers dark, last layers light, so the order reads at a glance
    colours = cm.viridis(np.linspace(0.0, 0.9, len(names)))
    for name, colour in zip(names, colours):
        y = np.asarray(series[name], dtype=np.float64)
        y = np.where(y > 0, y, np.nan)  # log scale: zeros and nan are gaps
        ax.plot(x, y, lw=1.2, color=colour, label=_label(monitor, name))
    ax.set_yscale("log")
    if guide is not None:
        ax.axhline(guide, color="#999999", ls="--", lw=1, label=f"{guide:g} (healthy)")
    epochs = np.asarray(steps["epoch"])
    for boundary in np.flatnonzero(np.diff(epochs)) + 0.5:
        ax.axvline(boundary, color="#dddddd", lw=0.8, zorder=0)
    ax.set_xlabel("optimiser step (grey lines: epoch boundaries)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return _save(fig, path)


def plot_gradient_norms(monitor, path=None, weights_only=True):
    """Gradient norm ‖∂L/∂W‖ of each layer's weight at every step, on a log scale.

    Parameters
    ----------
    monitor : Monitor or dict
        A :class:`~tensorgate.instruments.Monitor` (or its ``steps`` dict).
    path : str, optional
        Save the figure there (PNG, SVG, PDF by suffix).
    weights_only : bool, default True
        Leave out the biases.

    Returns
    -------
    matplotlib.figure.Figure

    Shape
    -----
    one line per parameter, one point per optimiser step.
    """
    return _per_step(monitor, "grad_norm", "Gradient norm per layer (vanishing: first layers far below the last)",
                     "‖∂L/∂W‖ (log scale)", path, weights_only)


def plot_update_ratios(monitor, path=None, weights_only=True):
    """Update-to-weight ratio ‖Δw‖/‖w‖ of each layer's weight per step (log scale), with the 1e-3 guide.

    Far below 1e-3 the layer barely learns; near 1 and above, the steps are as large as the weights.

    Shape: one line per parameter, one point per optimiser step.
    """
    return _per_step(monitor, "update_ratio", "Update-to-weight ratio per layer", "‖Δw‖ / ‖w‖ (log scale)", path,
                     weights_only, guide=1e-3)


def plot_activation_histograms(monitor, path=None, epochs=None, bins=50):
    """Histogram of each layer's activations, one panel per layer, the first and last epoch overlaid.

    Parameters
    ----------
    monitor : Monitor
        Its ``samples`` (epoch → layer → values) and ``records`` are used.
    path : str, optional
    epochs : sequence of int, optional
        Which epochs to overlay (default: the first and the last).
    bins : int

    Returns
    -------
    matplotlib.figure.Figure

    Shape
    -----
    one panel per layer; the legend gives each epoch's std and, where there are any, the fraction of
    exact zeros (left out of the bars, where they would hide everything else) and of dead units.
    """
    samples = getattr(monitor, "samples", {}) or {}
    if not samples:
        fig = _figure(6, 3)
        return _save(_no_data(fig, fig.add_subplot(), "no activations recorded"), path)
    if epochs is None:
        keys = sorted(samples)
        epochs = [keys[0]] if len(keys) == 1 else [keys[0], keys[-1]]
    layers = []
    for e in epochs:
        for layer in samples.get(e, {}):
            if layer not in layers:
                layers.append(layer)
    order = getattr(monitor, "layers", None)
    if order:
        layers = [layer for layer in order if layer in layers]
    cols = min(4, len(layers))
    rows = -(-len(layers) // cols)
    fig = _figure(3.4 * cols, 3.0 * rows)
    records = {r["epoch"]: r for r in getattr(monitor, "records", [])}
    colours = ["#4a86c5", "#e07b39", "#5aa55a", "#b5558f"]
    for i, layer in enumerate(layers):
        ax = fig.add_subplot(rows, cols, i + 1)
        values = [np.asarray(samples[e][layer], dtype=np.float64) for e in epochs if layer in samples.get(e, {})]
        finite = np.concatenate([v[np.isfinite(v) & (v != 0)] for v in values]) if values else np.array([])
        if finite.size == 0:
            _no_data(fig, ax, "every value exactly 0 (or not finite)")
        else:
            lo, hi = float(finite.min()), float(finite.max())
            if hi <= lo:
                lo, hi = lo - 0.5, hi + 0.5
            edges = np.linspace(lo, hi, bins + 1)
            for j, e in enumerate(epochs):
                if layer not in samples.get(e, {}):
                    continue
                v = np.asarray(samples[e][layer], dtype=np.float64)
                v = v[np.isfinite(v) & (v != 0)]
                ax.hist(v, bins=edges, alpha=0.55, color=colours[j % len(colours)], label=f"epoch {e}")
            ax.legend(fontsize=7)
        lines = [monitor.layer_label(layer) if hasattr(monitor, "layer_label") else layer]
        for e in epochs:
            stats = records.get(e, {}).get("activations", {}).get(layer)
            if stats:
                line = f"epoch {e}: std {stats['std']:.2g}"
                if stats["zero_fraction"] > 0.001:
                    line += f", zeros {stats['zero_fraction']:.0%}, dead {stats['dead_fraction']:.0%}"
                lines.append(line)
        ax.set_title(lines[0] + "".join("\n" + line for line in lines[1:]), fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("Activations per layer (a training batch; exact zeros are counted above each panel, not drawn)",
                 fontsize=11)
    fig.tight_layout()
    return _save(fig, path)


def plot_initialisation_study(study, path=None, activation=""):
    """The activation spread (std) per layer for each initialisation: one line per init, log y.

    Parameters
    ----------
    study : dict
        The result of :func:`tensorgate.instruments.initialisation_study` (init → std per layer), or a dict
        activation → such a result, for one panel per activation.
    path : str, optional
    activation : str
        The activation of a single study, for the title.

    Returns
    -------
    matplotlib.figure.Figure

    Shape
    -----
    x: layer 1..depth; y: std of the activations after that layer. Zero spread (all-zero init) is
    drawn at the bottom edge, marked "0".
    """
    if all(isinstance(v, np.ndarray) for v in study.values()):
        study = {activation: study}
    fig = _figure(5.5 * len(study), 4.2)
    styles = {"zeros": ("#888888", "s"), "normal": ("#d62728", "o"), "xavier": ("#1f77b4", "^"),
              "he": ("#2ca02c", "D")}
    names = {"zeros": "zeros", "normal": "N(0, 1)", "xavier": "Xavier: Var = 2/(n_in+n_out)",
             "he": "He: Var = 2/n_in"}
    for i, (act, spreads) in enumerate(study.items()):
        ax = fig.add_subplot(1, len(study), i + 1)
        positive = np.concatenate([s[s > 0] for s in spreads.values()] or [np.array([1.0])])
        floor = float(positive.min()) / 10 if positive.size else 1e-3
        for init, spread in spreads.items():
            spread = np.asarray(spread, dtype=np.float64)
            layers = np.arange(1, spread.size + 1)
            colour, marker = styles.get(init, (None, "o"))
            shown = np.where(spread > 0, spread, floor)
            label = names.get(init, init) + (" (std 0: drawn at the floor)" if not (spread > 0).any() else "")
            ax.plot(layers, shown, marker=marker, ms=4, color=colour, label=label,
                    ls=":" if not (spread > 0).any() else "-")
        ax.set_yscale("log")
        if act in ("tanh", "sigmoid") and "normal" in spreads:
            ax.annotate("N(0, 1): saturated (every unit near its limits)", (spreads["normal"].size,
                        float(spreads["normal"][-1])), xytext=(0, -14), textcoords="offset points",
                        ha="right", fontsize=8, color="#d62728")
        ax.set_xticks(np.arange(1, max(len(s) for s in spreads.values()) + 1))
        ax.set_xlabel("layer")
        ax.set_ylabel("std of the activations (log scale)")
        ax.set_title(f"{act}: activation spread with depth" if act else "activation spread with depth")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def write_monitor_report(monitor, run_dir):
    """Write a :class:`~tensorgate.instruments.Monitor`'s figures (PNG) and its ``diagnosis.txt`` into
    ``run_dir``; returns the list of paths written.

    Files: ``gradient_norms.png`` (per layer over training, log scale), ``update_ratios.png``,
    ``activation_histograms.png`` (per layer, first and last epoch) and ``diagnosis.txt``
    (``monitor.report_text()``).
    """
    os.makedirs(run_dir, exist_ok=True)
    text = monitor.report_text()
    written = []
    for filename, draw in (("gradient_norms.png", plot_gradient_norms), ("update_ratios.png", plot_update_ratios),
                           ("activation_histograms.png", plot_activation_histograms)):
        path = os.path.join(run_dir, filename)
        draw(monitor, path=path)
        written.append(path)
    path = os.path.join(run_dir, "diagnosis.txt")
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    written.append(path)
    return written
