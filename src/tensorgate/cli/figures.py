"""The plots the command line writes into a run directory."""
from pathlib import Path

import numpy as np


def write_plots(run_dir, predictor, X, y, proba=None, history=None, image_shape=None, threshold="youden",
                pos_label=1, history_note=None):
    """Write the figures that fit the data into ``run_dir``; returns the paths written.

    history.png (when a history is given), confusion_matrix.png, roc.png, precision_recall.png, and
    decision_boundary.png for 2-D data or first_layer_weights.png for image data. For two classes the ROC
    and precision-recall curves are those of class ``pos_label`` (an index), and ``threshold`` (a criterion
    or a θ) is marked where it falls on this data.
    """
    from .. import plot

    run_dir = Path(run_dir)
    written = []
    if proba is None:
        proba = predictor.predict_proba(X)
    names = predictor.class_names(proba.shape[1])
    binary = proba.shape[1] == 2
    scores = proba[:, pos_label] if binary else proba
    curve_y, curve_names = y, names
    if binary:  # the curves of the positive class: labels 1 for it, 0 for the other
        curve_y = (np.asarray(y) == pos_label).astype(np.int64)
        curve_names = [names[1 - pos_label], names[pos_label]]

    def save(name, draw):
        path = run_dir / name
        draw(path)
        written.append(path)

    if history is not None:
        title = predictor.model_name + (f" ({history_note})" if history_note else "")
        save("history.png", lambda p: plot.plot_history(history, path=p, title=title))
    save("confusion_matrix.png",
         lambda p: plot.plot_confusion_matrix(y, proba.argmax(axis=1), classes=names, path=p))
    if len(np.unique(y)) >= 2:
        save("roc.png", lambda p: plot.plot_roc(curve_y, scores, classes=curve_names,
                                                threshold=threshold if binary else None, path=p))
        save("precision_recall.png",
             lambda p: plot.plot_precision_recall(curve_y, scores, classes=curve_names,
                                                  threshold=threshold if binary else None, path=p))
    X = np.asarray(X)
    if X.ndim == 2 and X.shape[1] == 2:
        save("decision_boundary.png",
             lambda p: plot.plot_decision_boundary(lambda Z: predictor.predict_proba(Z), X, y, classes=names,
                                                   path=p, title=f"{predictor.model_name}: decision boundary "
                                                                 "(test data), shaded by probability"))
    if image_shape is not None:
        try:
            weights = plot.first_layer_weights(predictor.model)
        except ValueError:
            weights = None
        if weights is not None and (weights.ndim == 4 or weights.shape[1] == int(np.prod(image_shape))):
            # the network sees standardised pixels (x − μ)/s; W/s (the weights on raw pixels) is dominated
            # by the border pixels whose s is tiny, so W itself is the readable picture
            n, kind = len(weights), "filters" if weights.ndim == 4 else "units"
            title = (f"first-layer weights on standardised inputs\n({min(n, 64)} of {n} {kind}; red > 0 > blue)"
                     if predictor.scale is not None else None)
            save("first_layer_weights.png",
                 lambda p: plot.plot_first_layer_weights(weights, image_shape=image_shape, path=p, title=title))
    return written
