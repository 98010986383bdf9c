"""ROC and precision-recall curves, binary and one-vs-rest for several classes.

The curves themselves come from :mod:`tensorgate.metrics` (``roc_curve``, ``precision_recall_curve``),
so a plot always shows the numbers that ``tensorgate evaluate`` prints.
"""
import numpy as np

from ._common import class_colors, class_names, finish, new_figure, to_numpy


def _scores(y_true, y_score, where):
    """(labels (n,) int, scores (n, K) with K >= 2) where a binary 1-D score s becomes [1 − s, s]."""
    y = to_numpy(y_true, "y_true").astype(np.int64).reshape(-1)
    s = to_numpy(y_score, "y_score").astype(np.float64)
    if s.ndim == 1:
        s = np.stack([1 - s, s], axis=1)
    if s.ndim != 2 or s.shape[0] != y.shape[0]:
        raise ValueError(f"{where}: y_score must have shape ({y.shape[0]},) or ({y.shape[0]}, K) to match "
                         f"y_true {y.shape}, got {s.shape}")
    if y.size and (y.min() < 0 or y.max() >= s.shape[1]):
        raise ValueError(f"{where}: y_true must hold class indices in [0, {s.shape[1]}) to index the "
                         f"columns of y_score, found {int(y.min())}..{int(y.max())}")
    return y, s


def _resolve_threshold(threshold, y, score):
    """A ThresholdResult-like (threshold, fpr, tpr, precision, label) for the marker, or None."""
    from .. import metrics

    if threshold is None or len(np.unique(y)) < 2:
        return None
    if isinstance(threshold, str):
        kwargs = {"min_recall": 0.95} if threshold == "recall" else {}
        r = metrics.best_threshold(y, score, threshold, **kwargs)
        return r.threshold, r.fpr, r.tpr, r.precision, f"θ = {r.threshold:.3g} ({threshold})"
    if hasattr(threshold, "threshold") and hasattr(threshold, "fpr"):
        r = threshold
        return r.threshold, r.fpr, r.tpr, r.precision, f"θ = {r.threshold:.3g} ({r.criterion})"
    theta = float(threshold)
    predicted = score >= theta
    positives, negatives = max(int((y == 1).sum()), 1), max(int((y == 0).sum()), 1)
    tp, fp = int((predicted & (y == 1)).sum()), int((predicted & (y == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    return theta, fp / negatives, tp / positives, precision, f"θ = {theta:.3g}"


def plot_roc(y_true, y_score, classes=None, threshold="youden", path=None, title=None):
    """The ROC curve (TPR against FPR) with its AUC, the chance diagonal and the chosen threshold.

    Parameters
    ----------
    y_true : array_like, shape (n,)
        Class indices in [0, K).
    y_score : array_like, shape (n,) or (n, K)
        Binary: the score (probability) of class 1, or (n, 2) probabilities. K > 2 classes: the
        probabilities (n, K); one curve per class, one-vs-rest.
    classes : sequence of K str, optional
        Class names for the legend.
    threshold : str, float, ThresholdResult or None, default "youden"
        Binary only: the operating point to mark — a criterion of
        :func:`tensorgate.metrics.best_threshold` ("youden", "cost", "f1", "recall" meaning recall >= 0.95),
        a threshold value, or a result of ``best_threshold``. None marks nothing.
    path : str or Path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes: a line per curve labelled with its AUC, the diagonal "chance (AUC = 0.5)", and for
        binary problems a marker at the threshold.

    Shape
    -----
    y_true (n,); y_score (n,) or (n, K).

    Examples
    --------
    >>> fig = plot_roc([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> fig.axes[0].get_legend_handles_labels()[1][1]
    'ROC (AUC = 0.750)'
    """
    from .. import metrics

    y, s = _scores(y_true, y_score, "plot_roc")
    k = s.shape[1]
    names = class_names(classes, k)
    fig, axes = new_figure((5.6, 5.2))
    ax = axes[0, 0]
    ax.plot([0, 1], [0, 1], ":", color="grey", label="chance (AUC = 0.5)")
    if k == 2:
        fpr, tpr, _ = metrics.roc_curve(y, s[:, 1])
        auc = metrics.auc(fpr, tpr)
        ax.plot(fpr, tpr, color="tab:blue", lw=2, label=f"ROC (AUC = {auc:.3f})")
        ax.fill_between(fpr, tpr, step=None, alpha=0.08, color="tab:blue")
        marker = _resolve_threshold(threshold, y, s[:, 1])
        if marker is not None:
            _, x0, y0, _, text = marker
            ax.plot(x0, y0, "o", color="tab:red", markersize=9, markeredgecolor="black", zorder=5,
                    label=f"{text}: FPR {x0:.2f}, TPR {y0:.2f}")
        heading = f"ROC curve, positive class {names[1]!r}"
    else:
        aucs = []
        for c, color in zip(range(k), class_colors(k)):
            positive = (y == c).astype(np.int64)
            if positive.min() == positive.max():
                continue  # the class is absent (or alone): no curve
            fpr, tpr, _ = metrics.roc_curve(positive, s[:, c])
            aucs.append(metrics.auc(fpr, tpr))
            ax.plot(fpr, tpr, color=color, lw=1.5, label=f"{names[c]} (AUC = {aucs[-1]:.3f})")
        heading = "ROC curves, one class vs the rest" + (f"\nmacro-average AUC = {np.mean(aucs):.3f}"
                                                         if aucs else "")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate (1 − specificity)")
    ax.set_ylabel("true positive rate (recall)")
    ax.set_title(title or heading)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small" if k <= 6 else "x-small")
    return finish(fig, path)


def plot_precision_recall(y_true, y_score, classes=None, threshold=None, path=None, title=None):
    """The precision-recall curve with its average precision (AP) and the no-skill baseline.

    Parameters
    ----------
    y_true : array_like, shape (n,)
        Class indices in [0, K).
    y_score : array_like, shape (n,) or (n, K)
        As for :func:`plot_roc`.
    classes : sequence of K str, optional
    threshold : str, float, ThresholdResult or None
        Binary only: an operating point to mark, as for :func:`plot_roc`.
    path : str or Path, optional

    Returns
    -------
    matplotlib.figure.Figure
        One Axes: a step line per curve labelled with its AP, and for binary problems the baseline
        precision = fraction of positives.

    Shape
    -----
    y_true (n,); y_score (n,) or (n, K).

    Examples
    --------
    >>> fig = plot_precision_recall([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> fig.axes[0].get_xlabel()
    'recall'
    """
    from .. import metrics

    y, s = _scores(y_true, y_score, "plot_precision_recall")
    k = s.shape[1]
    names = class_names(classes, k)
    fig, axes = new_figure((5.6, 5.2))
    ax = axes[0, 0]
    if k == 2:
        precision, recall, _ = metrics.precision_recall_curve(y, s[:, 1])
        ap = metrics.average_precision_score(y, s[:, 1])
        ax.step(recall, precision, where="post", color="tab:blue", lw=2, label=f"PR (AP = {ap:.3f})")
        base = float(np.mean(y == 1))
        ax.axhline(base, ls=":", color="grey", label=f"no skill (precision = {base:.2f})")
        marker = _resolve_threshold(threshold, y, s[:, 1])
        if marker is not None:
            _, _, r0, p0, text = marker
            ax.plot(r0, p0, "o", color="tab:red", markersize=9, markeredgecolor="black", zorder=5,
                    label=f"{text}: recall {r0:.2f}, precision {p0:.2f}")
        heading = f"precision-recall curve, positive class {names[1]!r}"
    else:
        aps = []
        for c, color in zip(range(k), class_colors(k)):
            positive = (y == c).astype(np.int64)
            if positive.max() == 0:
                continue
            precision, recall, _ = metrics.precision_recall_curve(positive, s[:, c])
            aps.append(metrics.average_precision_score(positive, s[:, c]))
            ax.step(recall, precision, where="post", color=color, lw=1.5, label=f"{names[c]} (AP = {aps[-1]:.3f})")
        heading = "precision-recall, one class vs the rest" + (f"\nmean AP = {np.mean(aps):.3f}" if aps else "")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.05)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title(title or heading)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left", fontsize="small" if k <= 6 else "x-small")
    return finish(fig, path)
