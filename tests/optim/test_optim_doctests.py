"""Every example in the docstrings of optim, training and io runs as a test; public docstrings say shapes."""
import doctest
import importlib

import pytest

import tensorgate.nn  # noqa: F401  (the fit example uses tg.nn)

MODULES = ["tensorgate.optim.sgd", "tensorgate.optim.adam", "tensorgate.optim.rmsprop", "tensorgate.nn.utils.clip_grad",
           "tensorgate.optim.lr_scheduler", "tensorgate.optim.lr_scheduler_cyclic", "tensorgate.training.loop",
           "tensorgate.training.history", "tensorgate.training.metrics", "tensorgate.training.names",
           "tensorgate.training.compiled",
           "tensorgate.io.serialize"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("package", ["tensorgate.optim", "tensorgate.training", "tensorgate.io"])
def test_public_docstrings_have_a_shape_section(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        obj = getattr(module, name)
        if callable(obj) and obj.__doc__ and not name.endswith("Error"):
            assert "Shape" in obj.__doc__, f"{package}.{name}"
