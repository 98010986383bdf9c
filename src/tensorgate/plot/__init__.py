"""tensorgate.plot: matplotlib figures of training and evaluation.

Every function returns a ``matplotlib.figure.Figure`` (made without pyplot, so it works on a machine
without a display) and, given ``path=``, also writes it there (PNG by default; atomic). matplotlib is
imported only when a figure is drawn.

* :func:`plot_history` — loss and accuracy per epoch, training vs validation
* :func:`plot_roc` — ROC curve with AUC, chance diagonal, chosen threshold; one-vs-rest for K > 2
* :func:`plot_precision_recall` — precision-recall curve with average precision
* :func:`plot_confusion_matrix` — heatmap with class names and counts
* :func:`plot_decision_boundary` — 2-D data over the plane shaded by predicted probability
* :func:`plot_first_layer_weights` — first-layer weights as images (8×8, 28×28, ...)
* :func:`plot_activations` — activation functions beside their derivatives, from the gates' backward
* :func:`plot_gradient_norms`, :func:`plot_update_ratios`, :func:`plot_activation_histograms`,
  :func:`plot_initialisation_study`, :func:`write_monitor_report` — figures of what
  :mod:`tensorgate.instruments` measures (``plot/instruments.py``)
"""
from .activations import activation_and_derivative, plot_activations
from .boundary import plot_decision_boundary, probability_function
from .confusion import plot_confusion_matrix
from .curves import plot_precision_recall, plot_roc
from .history import plot_history
from .sweep import plot_sweep
from .weights import first_layer_weights, plot_first_layer_weights

__all__ = [
    "plot_history", "plot_roc", "plot_precision_recall", "plot_confusion_matrix", "plot_decision_boundary",
    "plot_first_layer_weights", "plot_activations", "probability_function", "first_layer_weights",
    "activation_and_derivative", "plot_sweep",
    "plot_gradient_norms", "plot_update_ratios", "plot_activation_histograms", "plot_initialisation_study",
    "write_monitor_report",
]

#: Figures that live in ``plot/instruments.py`` (which imports matplotlib when loaded): resolved on first use,
#: so ``import tensorgate.plot`` stays free of matplotlib.
_INSTRUMENT_FIGURES = ("plot_gradient_norms", "plot_update_ratios", "plot_activation_histograms",
                       "plot_initialisation_study", "write_monitor_report")


def __getattr__(name):
    if name in _INSTRUMENT_FIGURES:
        from . import instruments

        return getattr(instruments, name)
    raise AttributeError(f"module 'tensorgate.plot' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_INSTRUMENT_FIGURES))
