"""A sweep's results: the metric of every trial against each setting that was varied."""
import numpy as np

from ._common import TRAIN_COLOR, finish, new_figure


def plot_sweep(rows, keys, metric, mode="max", path=None, title=None):
    """One panel per varied setting: each trial's ``metric`` against its value of that setting.

    Parameters
    ----------
    rows : list of dict
        One per trial: the settings in ``keys``, ``metric`` (a number, or None for a failed trial: left
        out), and ``status`` ("done", or "stopped" for a trial an early-stopping scheduler ended: drawn
        hollow).
    keys : sequence of str
        The settings that were varied.
    metric : str
    mode : {"max", "min"}
        Which end is best: the best trial is marked with a star in every panel.
    path : str or Path, optional
        Also save the figure there.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        ``len(keys)`` axes; numbers on a linear axis (logarithmic when positive and spread over at least
        a factor of 10, as learning rates are), anything else (lists, names) as categories.

    Shape: not applicable.
    """
    keys = list(keys)
    if not keys:
        raise ValueError("plot_sweep: no varied settings (keys) to plot against")
    scored = [r for r in rows if r.get(metric) is not None]
    fig, axes = new_figure((3.6 * len(keys), 3.2), 1, len(keys))
    best = None
    if scored:
        best = (max if mode == "max" else min)(scored, key=lambda r: r[metric])
    for ax, key in zip(axes[0], keys):
        values = [r.get(key) for r in scored]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if numeric:
            xs = np.array(values, dtype=float)
            if len(xs) and xs.min() > 0 and xs.max() / xs.min() >= 10:
                ax.set_xscale("log")
        else:
            labels = sorted({_label(v) for v in values}, key=str)
            xs = np.array([labels.index(_label(v)) for v in values], dtype=float)
            ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 3 else 0)
        ys = np.array([r[metric] for r in scored], dtype=float)
        done = np.array([r.get("status") != "stopped" for r in scored], dtype=bool)
        if done.any():
            ax.scatter(xs[done], ys[done], color=TRAIN_COLOR, label="finished", zorder=2)
        if (~done).any():
            ax.scatter(xs[~done], ys[~done], facecolors="none", edgecolors=TRAIN_COLOR, label="stopped early",
                       zorder=2)
        if best is not None:
            i = scored.index(best)
            ax.scatter([xs[i]], [ys[i]], marker="*", s=220, color="gold", edgecolors="black", zorder=3,
                       label="best")
        ax.set_xlabel(key)
        ax.set_ylabel(metric)
        ax.grid(True, alpha=0.3)
    if scored:
        axes[0][0].legend(fontsize="small")
    fig.suptitle(title or f"{metric} of {len(scored)} trials ({'higher' if mode == 'max' else 'lower'} is better)")
    return finish(fig, path)


def _label(value):
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) or "none"
    return str(value)
