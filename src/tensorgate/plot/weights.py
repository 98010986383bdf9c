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
        One Axes showing the units tiled row by row (unit 0 top left; the tick labels give the index of
        each row's first unit and the column offset), and a colour bar.

    Shape
    -----
    W (out, in) or (out, C, kh, kw).

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_first_layer_weights(np.random.default_rng(0).normal(size=(6, 64)))
    >>> fig.axes[0].get_title()
    'first-layer weights as images\\n(all 6 units; red > 0 > blue)'

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
    mosaic = _mosaic(images, rows, cols)
    h, w = images.shape[1:3]
    aspect = mosaic.shape[0] / mosaic.shape[1]
    width = 7.0 if cols >= 6 else 5.0
    fig, axes = new_figure((width + 1.4, width * aspect + 1.0))
    ax = axes[0, 0]
    if mosaic.ndim == 3:
        ax.imshow(mosaic, interpolation="nearest")
    else:
        import matplotlib

        cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="white")
        image = ax.imshow(mosaic, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
        fig.colorbar(image, ax=ax, shrink=0.6, label=f"weight / max |weight| of the {kind}")
    ax.set_xticks([c * (w + 1) + w / 2 - 0.5 for c in range(cols)], [f"+{c}" for c in range(cols)], fontsize=8)
    ax.set_yticks([r * (h + 1) + h / 2 - 0.5 for r in range(rows)], [str(r * cols) for r in range(rows)],
                  fontsize=8)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_ylabel(f"{kind} (row start)")
    ax.set_xlabel(f"{kind} (+ column)")
    shown = f"{n_units} of {W.shape[0]}" if n_units < W.shape[0] else f"all {W.shape[0]}"
    import textwrap

    text = title or f"first-layer weights as images\n({shown} {kind}s; red > 0 > blue)"
    if "\n" not in text:
        text = textwrap.fill(text, width=int(8.5 * (width + 1.4)))  # about 8.5 characters per inch
    ax.set_title(text)
    return finish(fig, path)


def _mosaic(images, rows, cols):
    """The images tiled row by row with a 1-pixel gap (nan), each scaled to [-1, 1] by its max |w|.

    Shape: images (N, h, w) or (N, h, w, 3); result (rows·(h+1) − 1, cols·(w+1) − 1[, 3]).
    """
    n, h, w = images.shape[:3]
    rgb = images.ndim == 4
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1) + ((3,) if rgb else ()), 1.0 if rgb else np.nan)
    for i in range(n):
        a = max(float(np.abs(images[i]).max()), 1e-12)
        tile = images[i] / a
        if rgb:
            tile = tile / 2 + 0.5  # [-1, 1] -> [0, 1]
        r, c = divmod(i, cols)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = tile
    return out
