"""Building the network that ``--model`` names, with its loss and how to read its outputs.

* ``logreg``: one neuron, z = w·x + b, P(y = 1) = σ(z), binary cross-entropy on the logit (two classes);
* ``softmax``: K neurons, softmax, cross-entropy (softmax regression; any number of classes);
* ``perceptron``: one neuron, prediction [z ≥ 0], Rosenblatt's criterion (two classes); σ(z) serves as
  the score for ROC curves;
* ``mlp``: Linear → activation → ... → Linear(K), softmax cross-entropy;
* ``lenet``, ``vgg``, ``resnet``, ``mobilenet``, ``alexnet``, ``googlenet``, ``efficientnet``:
  ``tensorgate.models.zoo.get_model`` (image data).

Every network outputs logits; :func:`probabilities` turns them into (m, K) class probabilities.
"""
import math
import os

import numpy as np

from .config import ZOO_MODELS
from .errors import UserError, one_line

#: --init → the scheme name of ``nn.Linear(init=...)`` (stored in the model's config).
INIT_SCHEMES = {"he": "he_normal", "he_uniform": "he_uniform", "xavier": "xavier_uniform",
                "xavier_normal": "xavier_normal", "lecun": "lecun_normal", "lecun_uniform": "lecun_uniform",
                "default": "default", "zeros": "zeros", "normal": "normal"}
#: Models with one output neuron (binary problems only).
SINGLE_OUTPUT = ("logreg", "perceptron")


def _activation(name):
    from .. import nn

    return {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
            "gelu": nn.GELU, "step": nn.Step}[name]()


def build(settings, example_shape, num_classes, image_shape=None):
    """(model, loss function) for ``settings["model"]``, inputs of ``example_shape`` and K classes."""
    from .. import nn

    name = settings["model"]
    n_in = int(np.prod(example_shape))
    init = INIT_SCHEMES[settings["init"]]
    if name in SINGLE_OUTPUT:
        if num_classes != 2:
            other = "softmax" if name == "logreg" else "mlp or softmax"
            raise UserError(f"--model {name} is a binary classifier, the data has {num_classes} classes; "
                            f"use --model {other}")
        layers = ([nn.Flatten()] if len(example_shape) > 1 else []) + [nn.Linear(n_in, 1, init=init)]
        model = nn.Sequential(*layers)
        if settings.get("label_smoothing"):
            raise UserError(f"--label-smoothing: --model {name} has one output and no cross-entropy over classes; "
                            "use --model softmax, mlp or a CNN")
        loss = nn.BCEWithLogitsLoss() if name == "logreg" else nn.PerceptronLoss()
        return model, loss
    if name in ("softmax", "mlp"):
        sizes = [n_in] + (list(settings["hidden"]) if name == "mlp" else []) + [num_classes]
        layers = [nn.Flatten()] if len(example_shape) > 1 else []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b, init=init))
            if i < len(sizes) - 2:
                layers.append(_activation(settings["activation"]))
        return nn.Sequential(*layers), _cross_entropy(settings)
    if name in ZOO_MODELS:
        if image_shape is None or len(example_shape) != 3:
            raise UserError(f"--model {name} is a convolutional network and needs image data (C, H, W); "
                            f"this data has {n_in} features per example; use --model mlp")
        from ..models import zoo

        try:
            model = zoo.get_model(name, tuple(example_shape), num_classes)
        except (ValueError, TypeError) as err:
            raise UserError(f"--model {name}: {one_line(err)}") from None
        return model, _cross_entropy(settings)
    raise UserError(f"--model: unknown model {name!r}")


def _cross_entropy(settings):
    from .. import nn

    return nn.CrossEntropyLoss(label_smoothing=settings.get("label_smoothing", 0.0))


def check_size(settings, example_shape, num_classes):
    """Refuse an MLP too large for this machine before allocating it (--hidden 10000000 on 64 inputs).

    Counts weights and biases at 24 bytes each (float32 weights, gradients and two optimiser moments, and
    a float64 temporary while they are initialised) against half the physical memory.
    """
    if settings["model"] not in ("mlp", "softmax"):
        return
    sizes = [math.prod(example_shape)] + (list(settings["hidden"]) if settings["model"] == "mlp" else []) + \
        [num_classes]
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    needed = 24 * n_params
    try:
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on this system: let the allocation decide
        return
    if needed > available // 2:
        raise UserError(f"--hidden {','.join(map(str, settings['hidden']))}: the network would have "
                        f"{n_params:,} parameters, about {needed / 2**30:.1f} GiB to train, more than half of "
                        f"this machine's {available / 2**30:.1f} GiB; use smaller layers")


def targets(model_name, y):
    """The training targets: (m, 1) floats for the one-neuron models, class indices otherwise."""
    if model_name in SINGLE_OUTPUT:
        return y.reshape(-1, 1).astype(np.float32)
    return y


def metrics_for(model_name):
    """fit's metrics: "accuracy", thresholded where each loss declares (z ≥ 0 for logreg and the perceptron)."""
    return ("accuracy",)


def probabilities(logits):
    """Class probabilities (m, K) from a network's outputs: σ for one column, softmax for several.

    Shape: logits (m, 1) or (m, K); result (m, 2) or (m, K), rows summing to 1.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 1 or z.shape[1] == 1:
        p = 1 / (1 + np.exp(-np.clip(z.reshape(-1), -500, 500)))
        return np.stack([1 - p, p], axis=1)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def predicted_classes(model_name, logits):
    """The predicted class per row: argmax, or [z ≥ 0] / [σ(z) ≥ 0.5] for one output."""
    z = np.asarray(logits)
    if z.ndim == 1 or z.shape[1] == 1:
        return (z.reshape(-1) >= 0).astype(np.int64)
    return z.argmax(axis=1).astype(np.int64)
