"""The decision boundary over 2-D data, shaded by the predicted probability (the lecture's figures)."""
import numpy as np

from ._common import class_colors, class_names, finish, new_figure, to_numpy


def probability_function(model):
    """A function X (m, 2) → probabilities (m, K) from an estimator, a network or a plain function.

    * an object with ``predict_proba`` (a tensorgate or scikit-learn estimator) is asked for it;
    * a tensorgate Module is run under ``no_grad``: one output column is a logit (sigmoid), several are
      logits (softmax);
    * any other callable is called and its result used as probabilities ((m,) means P(class 1)).
    """
    if hasattr(model, "predict_proba"):
        return model.predict_proba
    if hasattr(model, "parameters") and callable(model):
        from ..autograd import no_grad, tensor

        def proba(X):
            with no_grad():
                z = np.asarray(model(tensor(np.asarray(X, dtype=np.float32))).data, dtype=np.float64)
            if z.ndim == 1 or z.shape[1] == 1:
                return 1 / (1 + np.exp(-z.reshape(-1)))
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(axis=1, keepdims=True)

        return proba
    if callable(model):
        return model
    raise TypeError(f"plot_decision_boundary: expected a model with predict_proba, a Module or a function "
                    f"X -> probabilities, got {type(model).__name__}")


def _as_matrix(p, m):
    p = to_numpy(p, "probabilities").astype(np.float64)
    if p.ndim == 1 or (p.ndim == 2 and p.shape[1] == 1):
        p = p.reshape(-1)
        p = np.stack([1 - p, p], axis=1)
    if p.shape[0] != m:
        raise ValueError(f"plot_decision_boundary: the model returned {p.shape[0]} rows for {m} grid points")
    return p


def plot_decision_boundary(model_or_predict_proba, X, y, classes=None, path=None, title=None, resolution=200,
                           margin=0.15):
    """2-D data over the plane shaded by the predicted probability, with the boundary drawn.

    Two classes: the background is P(class 1) on a blue-red scale with the p = 0.5 contour (the decision
    boundary) in black. More classes: each region takes its predicted class's colour, paler where the
    model is less sure. The examples are drawn on top in their true class's colour.

    Parameters
    ----------
    model_or_predict_proba : estimator, Module or callable
        See :func:`probability_function`. It receives points in the coordinates of ``X``.
    X : array_like, shape (m, 2)
    y : array_like, shape (m,)
        Class indices in [0, K).
    classes : sequence of K str, optional
    path : str or Path, optional
    resolution : int
        Grid points per axis.
    margin : float
        Extra room around the data, as a fraction of its range.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes (x₁, x₂) with the shading, a colour bar (two classes), the boundary and the points.

    Shape
    -----
    X (m, 2); y (m,).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0., 0.], [1., 1.], [0., 1.], [1., 0.]])
    >>> fig = plot_decision_boundary(lambda P: 1 / (1 + np.exp(-(P[:, 0] - 0.5))), X, [0, 1, 0, 1])
    >>> fig.axes[0].get_xlabel()
    '$x_1$'
    """
    from matplotlib.colors import ListedColormap

    X = to_numpy(X, "X").astype(np.float64)
    y = to_numpy(y, "y").astype(np.int64).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have 2 features, shape (m, 2), got {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"plot_decision_boundary: y has {y.shape[0]} labels for {X.shape[0]} points")
    proba = probability_function(model_or_predict_proba)

    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-6)
    g1, g2 = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
                         np.linspace(low[1] - pad[1], high[1] + pad[1], resolution))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    P = _as_matrix(proba(grid.astype(np.float32)), len(grid))
    k = max(P.shape[1], int(y.max(initial=0)) + 1)
    names = class_names(classes, k)
    colors = class_colors(k)
    if k == 2:
        colors = ["tab:blue", "tab:red"]

    fig, axes = new_figure((6.4, 5.2))
    ax = axes[0, 0]
    extent = (g1.min(), g1.max(), g2.min(), g2.max())
    if P.shape[1] == 2:
        p1 = P[:, 1].reshape(g1.shape)
        image = ax.imshow(p1, origin="lower", extent=extent, cmap="RdBu_r", vmin=0, vmax=1, alpha=0.75,
                          aspect="auto", interpolation="bilinear")
        fig.colorbar(image, ax=ax, shrink=0.85, label=f"P(class {names[1]!r} | x)")
        ax.contour(g1, g2, p1, levels=[0.5], colors="black", linewidths=1.8)
        ax.plot([], [], color="black", lw=1.8, label="boundary p = 0.5")
    else:
        winner = P.argmax(axis=1).reshape(g1.shape)
        confidence = P.max(axis=1).reshape(g1.shape)
        rgba = np.array(colors)[winner]
        rgba[..., 3] = 0.15 + 0.55 * (confidence - 1 / P.shape[1]) / (1 - 1 / P.shape[1])
        ax.imshow(rgba, origin="lower", extent=extent, aspect="auto", interpolation="bilinear")
        ax.contour(g1, g2, winner, levels=np.arange(P.shape[1]) + 0.5, colors="black", linewidths=1.0)
        ax.plot([], [], color="black", lw=1.0, label="boundaries")
    cmap = ListedColormap(colors)
    for c in range(k):
        mask = y == c
        if mask.any():
            ax.scatter(X[mask, 0], X[mask, 1], s=14, color=cmap(c), edgecolors="white", linewidths=0.5,
                       label=f"class {names[c]}")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "decision boundary, shaded by predicted probability")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.85)
    return finish(fig, path)
