"""Every example in tensorgate.nn's docstrings (and the loss gates') runs as a test."""
import doctest
import importlib

import pytest

MODULES = ["tensorgate.nn.module", "tensorgate.nn.config", "tensorgate.nn.parameter", "tensorgate.nn.linear", "tensorgate.nn.container",
           "tensorgate.nn.dropout", "tensorgate.nn.normalization", "tensorgate.nn.shape", "tensorgate.nn.init",
           "tensorgate.nn.summary", "tensorgate.nn.functional", "tensorgate.functional.loss",
           "tensorgate.functional.batchnorm", "tensorgate.functional.regularization",
           "tensorgate.nn.layer_norm", "tensorgate.nn.embedding", "tensorgate.nn.dict_containers",
           "tensorgate.functional.layer_norm", "tensorgate.functional.embedding",
           "tensorgate.nn.utils.convert_parameters", "tensorgate.autograd.gradients", "tensorgate.autograd.functional"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_public_docstrings_have_a_shape_section():
    import tensorgate.nn as nn

    for name in dir(nn):
        obj = getattr(nn, name)
        if callable(obj) and getattr(obj, "__module__", "").startswith("tensorgate.nn") and obj.__doc__ \
                and not name.endswith(("Error", "Keys", "Handle")):
            assert "Shape" in obj.__doc__, name
