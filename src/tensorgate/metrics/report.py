"""The classification report: precision, recall, F1 and support per class, and their averages, as text
or as a dict (scikit-learn's ``classification_report``), read off the counts of ``classification.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import warnings

import numpy as np

from ._validation import _check_sample_weight
from .classification import _check_label_list, _check_pair, _present_labels, precision_recall_fscore_support

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import ArrayLike


def classification_report(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                          target_names: Sequence[str] | None = None, sample_weight: ArrayLike | None = None,
                          digits: int = 2, output_dict: bool = False,
                          zero_division: str | float = "warn") -> str | dict[str, Any]:
    """Text (or dict) summary of precision, recall, F1 and support per class, with averages.

    Same layout as ``sklearn.metrics.classification_report``: one row per label, then 'accuracy' (the
    micro average, when every present label is reported), 'macro avg' and 'weighted avg'.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor, shape (m,)
    labels : array_like, shape (K,), optional
    target_names : list of str, length K, optional
        Names printed for the labels.
    sample_weight : array_like or Tensor, shape (m,), optional
        Non-negative weight of each sample; the support column then shows total weights (floats).
    digits : int
        Digits after the decimal point in the text report.
    output_dict : bool
        Return ``{name: {'precision', 'recall', 'f1-score', 'support'}, 'accuracy': float, ...}``.
    zero_division : {'warn', 0, 1, nan}

    Returns
    -------
    str or dict

    Examples
    --------
    >>> print(classification_report([0, 1, 1, 0], [0, 1, 0, 0]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       0.67      1.00      0.80         2
               1       1.00      0.50      0.67         2
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.83      0.75      0.73         4
    weighted avg       0.83      0.75      0.73         4
    <BLANKLINE>
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
    present = _present_labels(y_true, y_pred)
    labels_given = labels is not None
    labels = _check_label_list(labels) if labels_given else present
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(present.tolist())

    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(f"labels size, {len(labels)}, does not match size of target_names, "
                          f"{len(target_names)}", stacklevel=2)
        else:
            raise ValueError(f"Number of classes, {len(labels)}, does not match size of target_names, "
                             f"{len(target_names)}. Try specifying the labels parameter")
    if target_names is None:
        target_names = ["%s" % label for label in labels.tolist()]

    headers = ["precision", "recall", "f1-score", "support"]
    p, r, f1, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None,
                                                  sample_weight=sample_weight, zero_division=zero_division)
    rows = list(zip(target_names, p, r, f1, s))

    if output_dict:
        report = {name: dict(zip(headers, [float(v) for v in scores])) for name, *scores in rows}
    else:
        width = max(max(len(cn) for cn in target_names), len("weighted avg"), digits)
        head_fmt = "{:>{width}s} " + " {:>9}" * len(headers)
        text = head_fmt.format("", *headers, width=width) + "\n\n"
        row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
        for row in rows:
            text += row_fmt.format(*row, width=width, digits=digits)
        text += "\n"

    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else average + " avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=average, sample_weight=sample_weight,
            zero_division=zero_division)
        values = [avg_p, avg_r, avg_f1, np.sum(s)]
        if output_dict:
            report[heading] = dict(zip(headers, [float(v) for v in values]))
        elif heading == "accuracy":
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += fmt.format(heading, "", "", *values[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *values, width=width, digits=digits)

    if output_dict:
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]  # type: ignore[assignment]
        return report
    return text
