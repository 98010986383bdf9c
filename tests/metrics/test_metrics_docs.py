"""Every public name of tensorgate.metrics says its shapes and carries an example that runs."""
import doctest
import inspect

import pytest

import tensorgate.metrics as tm
from tensorgate.metrics import classification, probability, ranking, report, streaming, threshold


@pytest.mark.parametrize("module", [classification, probability, ranking, report, streaming, threshold])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0


@pytest.mark.parametrize("name", [n for n in tm.__all__ if n not in ("UndefinedMetricWarning", "Metric",
                                                                       "ThresholdResult")])
def test_public_docstrings_state_shapes_and_examples(name):
    doc = inspect.getdoc(getattr(tm, name))
    assert doc, name
    assert "Shape" in doc or "Parameters" in doc, name
    assert "(m," in doc or "(n," in doc or "(K," in doc or "(T" in doc, name
    assert ">>>" in doc, name
