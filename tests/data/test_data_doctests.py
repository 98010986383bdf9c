"""Every example in tensorgate.data's docstrings runs as a test."""
import doctest
import importlib

import pytest

MODULES = ["idx", "download", "datasets", "synthetic", "loader", "dataset", "preprocessing", "files", "sampler",
           "workers"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"tensorgate.data.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_every_public_function_has_an_example():
    import tensorgate.data as data

    for name in data.__all__:
        obj = getattr(data, name)
        if callable(obj) and not isinstance(obj, type(Exception)) and getattr(obj, "__module__", "").startswith(
                "tensorgate.data") and not name.endswith("Error"):
            assert obj.__doc__ and ("Shape" in obj.__doc__), name
            if name not in {"TrainTestData", "Table"}:
                assert ">>>" in obj.__doc__, name
