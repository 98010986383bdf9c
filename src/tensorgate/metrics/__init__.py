"""tensorgate.metrics: confusion matrix, precision and recall, ROC and PR curves, AUC, threshold choice, and
streaming metrics for training loops.

Where things are: ``classification.py`` (the confusion matrix and the scores read off its counts),
``report.py`` (classification_report), ``probability.py`` (log_loss), ``ranking.py`` (curves and AUC over
scores; ``_curve.py`` counts at every threshold), ``threshold.py`` (best_threshold), ``streaming.py``.

Functions follow scikit-learn's signatures and results (``sklearn.metrics``); they accept NumPy arrays,
lists and tensorgate Tensors. Convention throughout: predict positive when score >= threshold.
"""
from ._validation import UndefinedMetricWarning
from .classification import (
    accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score, false_positive_rate, fbeta_score,
    matthews_corrcoef, precision_recall_fscore_support, precision_score, recall_score, specificity_score,
)
from .probability import log_loss
from .ranking import auc, average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from .report import classification_report
from .streaming import (
    AUROC, F1, Accuracy, BinaryAccuracy, ConfusionMatrix, Metric, Precision, Recall, SubsetAccuracy,
)
from .threshold import ThresholdResult, best_threshold, threshold_metrics

__all__ = [
    "UndefinedMetricWarning",
    "confusion_matrix", "accuracy_score", "precision_score", "recall_score", "f1_score", "fbeta_score",
    "specificity_score", "false_positive_rate", "precision_recall_fscore_support", "classification_report",
    "log_loss", "balanced_accuracy_score", "matthews_corrcoef",
    "roc_curve", "auc", "roc_auc_score", "precision_recall_curve", "average_precision_score",
    "best_threshold", "ThresholdResult", "threshold_metrics",
    "Metric", "Accuracy", "ConfusionMatrix", "Precision", "Recall", "F1", "AUROC",
    "BinaryAccuracy", "SubsetAccuracy",
]
