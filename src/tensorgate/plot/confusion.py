"""The confusion matrix as a heatmap: true classes down, predicted classes across, counts in the cells."""
import numpy as np

from ._common import class_names, finish, new_figure, to_numpy


def plot_confusion_matrix(y_true_or_matrix, y_pred=None, classes=None, normalize=False, path=None,
                          title=None):
    """A heatmap of the confusion matrix C (C[i, j] = examples of true class i predicted as j).

    Parameters
    ----------
    y_true_or_matrix : array_like
        The true labels (n,) together with ``y_pred``, or a ready K × K matrix of counts.
    y_pred : array_like, shape (n,), optional
        Predicted labels.
    classes : sequence of K str, optional
        Class names for the ticks.
    normalize : bool
        Colour by the fraction of each true class (rows sum to 1); the cells then show the count and the
        percentage.
    path : str or Path, optional

    Returns
    -------
    matplotlib.figure.Figure
        The heatmap Axes (x: "predicted", y: "true") and its colour bar.

    Shape
    -----
    y_true (n,), y_pred (n,); or a matrix (K, K).

    Examples
    --------
    >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], classes=["a", "b", "c"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['a', 'b', 'c']
    """
    if y_pred is None:
        cm = to_numpy(y_true_or_matrix, "matrix")
        if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
            raise ValueError(f"plot_confusion_matrix: a matrix must be K × K, got shape {cm.shape}; or pass "
                             "y_true and y_pred")
    else:
        from .. import metrics

        y = to_numpy(y_true_or_matrix, "y_true").reshape(-1)
        p = to_numpy(y_pred, "y_pred").reshape(-1)
        k = len(classes) if classes is not None else int(max(y.max(initial=0), p.max(initial=0))) + 1
        cm = metrics.confusion_matrix(y, p, labels=list(range(k)))
    cm = np.asarray(cm)
    k = cm.shape[0]
    names = class_names(classes, k)
    rows = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, rows, out=np.zeros(cm.shape, dtype=np.float64), where=rows > 0)
    shown = share if normalize else cm

    size = max(4.2, 0.55 * k + 2.6)
    fig, axes = new_figure((size + 0.9, size))
    ax = axes[0, 0]
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else max(float(cm.max()), 1))
    fig.colorbar(image, ax=ax, shrink=0.8, label="fraction of the true class" if normalize else "count")
    threshold = (1 if normalize else max(float(cm.max()), 1)) / 2
    fontsize = 10 if k <= 6 else 8 if k <= 12 else 6
    for i in range(k):
        for j in range(k):
            text = f"{cm[i, j]:g}" + (f"\n{share[i, j]:.0%}" if normalize else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                    color="white" if shown[i, j] > threshold else "black")
    long_names = max(len(n) for n in names) > 3
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0, ha="right" if long_names else "center",
                  rotation_mode="anchor")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    accuracy = np.trace(cm) / cm.sum() if cm.sum() else float("nan")
    ax.set_title(title or f"confusion matrix (accuracy {accuracy:.1%}, n = {int(cm.sum())})")
    return finish(fig, path)
