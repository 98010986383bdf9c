"""The examples in the estimators' docstrings run as tests (STYLE.md, 7)."""
import doctest
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from tensorgate.models import logistic, mlp, multiclass, perceptron, polynomial


@pytest.mark.parametrize("module", [polynomial, perceptron, logistic, multiclass, mlp], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
