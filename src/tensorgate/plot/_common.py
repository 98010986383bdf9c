"""What every plot shares: a fresh Figure (no pyplot, no global state) and an atomic save.

Figures are made with ``matplotlib.figure.Figure`` directly, so plotting works without a display, never
changes the user's backend and never leaks figures into pyplot's registry; Jupyter still shows a
returned Figure. matplotlib is imported only when a plot is drawn.
"""
from pathlib import Path

import numpy as np

from ..backend.files import atomic_path

#: Colours of the training and validation curves, and of classes 0..9 (matplotlib's tab10).
TRAIN_COLOR = "tab:blue"
VAL_COLOR = "tab:orange"


def new_figure(figsize, nrows=1, ncols=1, layout="constrained", **subplot_kw):
    """(Figure, axes array of shape (nrows, ncols)); constrained layout by default, so labels never overlap."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout=layout)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def class_colors(k):
    """k distinguishable colours (tab10, then tab20 beyond 10 classes)."""
    import matplotlib

    cmap = matplotlib.colormaps["tab10" if k <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(k)]


def class_names(classes, k):
    """The names of k classes: ``classes`` when given (checked), else "0".."k-1"."""
    if classes is None:
        return [str(i) for i in range(k)]
    names = [str(c) for c in classes]
    if len(names) != k:
        raise ValueError(f"classes: expected {k} names, got {len(names)}: {names}")
    return names


def save(fig, path, dpi=110):
    """Write ``fig`` to ``path`` atomically (temporary file, then ``os.replace``); the format from the suffix."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        fig.savefig(f, format=fmt, dpi=dpi)


def finish(fig, path):
    if path is not None:
        save(fig, path)
    return fig


def to_numpy(a, name):
    """A Tensor or array_like as an ndarray."""
    data = getattr(a, "data", a)
    if hasattr(data, "detach"):  # a torch tensor, should one be passed
        data = data.detach().cpu().numpy()
    try:
        return np.asarray(data)
    except Exception as err:  # noqa: BLE001 - named in the message
        raise TypeError(f"{name}: expected an array or a Tensor, got {type(a).__name__}") from err
