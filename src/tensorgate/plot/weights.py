"""First-layer weights as images: what each hidden unit (or convolution filter) looks for in the input."""
import math

import numpy as np

from ._common import finish, new_figure, to_numpy


def first_layer_weights(model_or_weights):
    """The first weight matrix (out, in) or filter bank (out, C, kh, kw) of a network, as an ndarray.

    Accepts an array or Tensor (returned as it is), a Module (its first parameter with 2 or 4 dimensions,
    in registration order), or an estimator holding a Module in ``module_``/``model_``/``network_``.
    """
    if hasattr(model_or_weights, "named_parameters"):
        for name, p in model_or_weights.named_parameters():
            if p.data.ndim in (2, 4) and not name.endswith("bias"):
                return np.asarray(p.data)
        raise ValueError("plot_first_layer_weights: the model has no weight matrix or filter bank")
    for attribute in ("module_", "model_", "network_", "net_"):
        inner = getattr(model_or_weights, attribute, None)
        if inner is not None and hasattr(inner, "named_parameters"):
            return first_layer_weights(inner)
    if hasattr(model_or_weights, "coef_"):
        return np.atleast_2d(np.asarray(model_or_weights.coef_))
    W = to_numpy(model_or_weights, "weights")
    if W.ndim not in (2, 4):
        raise ValueError(f"plot_first_layer_weights: expected weights (out, in) or filters (out, C, kh, kw), "
                         f"got shape {W.shape}")
    return W


def _image_shape(n_in, image_shape):
    if image_shape is not None:
        shape = tuple(int(s) for s in image_shape)
        shape = shape[1:] if len(shape) == 3 and shape[0] == 1 else shape
        if int(np.prod(shape)) != n_in:
            raise ValueError(f"plot_first_layer_weights: image_shape {tuple(image_shape)} has "
                             f"{int(np.prod(shape))} pixels, the layer has {n_in} inputs")
        return shape
    side = int(round(math.sqrt(n_in)))
    if side * side != n_in:
        raise ValueError(f"plot_first_layer_weights: {n_in} inputs are not a square image; "
                         "give image_shape=(H, W)")
    return side, side


def plot_first_layer_weights(model_or_weights, image_shape=None, max_units=64, path=None, title=None):
    """Each first-layer unit's weights drawn as an image of the input (red positive, blue negative).

    For a fully connected first layer W (out, in), row i reshaped to the image (e.g. 28 × 28 or 8 × 8) is
    the pattern that excites unit i (z_i = w_i · x + b_i). For a convolution the filters are drawn
    (the first input channel, or RGB when there are 3). Each image is scaled symmetrically around 0.

    Parameters
    ----------
    model_or_weights : Module, estimator, ndarray or Tensor
        See :func:`first_layer_weights`.
    image_shape : (H, W) or (C, H, W), optional
        The input's image shape; inferred for square images.
    max_units : int
        Draw at most this many units (the first ones).
    path : str or Path, optional

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per unit drawn (unused cells of the grid are removed), titled "unit i".

    Shape: W (out, in) or (out, C, kh, kw).

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_first_layer_weights(np.random.default_rng(0).normal(size=(6, 64)))
    >>> len(fig.axes), fig.axes[0].get_title()
    (6, 'unit 0')
    """
    W = first_layer_weights(model_or_weights)
    n_units = min(W.shape[0], int(max_units))
    if W.ndim == 2:
        shape = _image_shape(W.shape[1], image_shape)
        images = W[:n_units].reshape((n_units,) + shape)
        kind = "unit"
    else:
        images = W[:n_units, :3].transpose(0, 2, 3, 1) if W.shape[1] == 3 else W[:n_units, 0]
        kind = "filter"
    cols = min(n_units, 8 if n_units > 16 else max(4, math.ceil(math.sqrt(n_units))))
    cols = max(1, min(cols, n_units))
    rows = math.ceil(n_units / cols)
    fig, axes = new_figure((1.45 * cols + 0.3, 1.5 * rows + 0.5), rows, cols)
    for i, ax in enumerate(axes.ravel()):
        if i >= n_units:
            ax.remove()
            continue
        image = images[i]
        if image.ndim == 3:  # RGB filters: map [-a, a] to [0, 1]
            a = max(np.abs(image).max(), 1e-12)
            ax.imshow(image / (2 * a) + 0.5, interpolation="nearest")
        else:
            a = max(float(np.abs(image).max()), 1e-12)
            ax.imshow(image, cmap="RdBu_r", vmin=-a, vmax=a, interpolation="nearest")
        ax.set_title(f"{kind} {i}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    shown = f"{n_units} of {W.shape[0]}" if n_units < W.shape[0] else f"all {W.shape[0]}"
    fig.suptitle(title or f"first-layer weights as images ({shown} {kind}s; red > 0 > blue)")
    return finish(fig, path)
