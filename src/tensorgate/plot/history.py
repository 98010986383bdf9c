"""Learning curves: loss and accuracy per epoch, training against validation."""
import math

import numpy as np

from ._common import TRAIN_COLOR, VAL_COLOR, finish, new_figure

_ACCURACY_KEYS = ("accuracy", "acc")


def _as_dict(history):
    """{key: list} from a History, its ``to_dict()`` (history.json), or a plain dict of lists."""
    if hasattr(history, "history") and isinstance(history.history, dict):
        return history.history
    if isinstance(history, dict):
        if isinstance(history.get("history"), dict):
            return history["history"]
        return history
    raise TypeError(f"plot_history: expected a History or a dict of per-epoch lists, got {type(history).__name__}")


def _points(values):
    """(epochs 1.., values) without the epochs where nothing (or nan) was logged."""
    xs, ys = [], []
    for i, v in enumerate(values or [], start=1):
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            xs.append(i)
            ys.append(float(v))
    return np.array(xs), np.array(ys)


def plot_history(history, path=None, title=None):
    """Loss and accuracy curves per epoch, training against validation.

    Parameters
    ----------
    history : History or dict
        What :func:`tensorgate.training.fit` returns, its ``to_dict()`` (as in ``history.json``), or a dict
        of per-epoch lists with keys ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``.
    path : str or Path, optional
        Also save the figure there (PNG, SVG or PDF by the suffix).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Axes: "loss" (and "accuracy" when logged), each with a training and, when logged, a validation
        line. The epoch of the lowest validation loss is marked.

    Shape
    -----
    each list has one entry per epoch (None where not logged).

    Examples
    --------
    >>> fig = plot_history({"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]})
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss']
    """
    h = _as_dict(history)
    if "loss" not in h and "val_loss" not in h:
        raise ValueError(f"plot_history: no 'loss' in the history; its keys are {sorted(h)}")
    acc_key = next((k for k in _ACCURACY_KEYS if k in h or f"val_{k}" in h), None)
    panels = [("loss", "loss")] + ([(acc_key, "accuracy")] if acc_key else [])
    fig, axes = new_figure((5.2 * len(panels), 3.8), 1, len(panels))
    for ax, (key, label) in zip(axes[0], panels):
        for name, color, style, what in ((key, TRAIN_COLOR, "-", "training"),
                                         (f"val_{key}", VAL_COLOR, "--", "validation")):
            x, y = _points(h.get(name))
            if len(x):
                ax.plot(x, y, style, color=color, marker="o" if len(x) <= 30 else None, markersize=3,
                        label=f"{what} (last {y[-1]:.3f})")
        if label == "loss":
            x, y = _points(h.get("val_loss"))
            if len(x):
                best = int(np.argmin(y))
                ax.plot(x[best], y[best], "*", color="black", markersize=11, zorder=5,
                        label=f"lowest validation loss (epoch {x[best]})")
        if label == "accuracy":
            ax.set_ylim(top=1.005)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title(f"{label}: training vs validation")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
        ax.xaxis.get_major_locator().set_params(integer=True)
    if title:
        fig.suptitle(title)
    return finish(fig, path)
