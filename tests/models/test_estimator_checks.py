"""scikit-learn's own estimator checks, run on every estimator of tensorgate.models.

The checked instances use few epochs and small networks so that the ~55 checks per estimator stay fast;
the checks test the interface (validation, cloning, pickling, shapes, invariances), and the accuracy bars
they contain (``check_classifiers_train``: > 0.83 on blobs, ``check_regressors_train``: R² > 0.5) are
met with these settings.

``EXPECTED_FAILED_CHECKS`` lists the checks expected to fail, with their reasons, through scikit-learn
1.9's ``expected_failed_checks`` mechanism (it replaced the ``_xfail_checks`` tag). Only the Perceptron's
two sample-weight equivalence checks are there, the same two scikit-learn lists for its own Perceptron
(``sklearn/utils/_test_common/instance_generator.py``): stochastic gradient descent takes one step of
size 2η for a weight of 2 where a repeated row gives two steps of η, so the fits differ. scikit-learn itself skips a few checks here, each with its message: the pandas checks
(pandas is not installed), the array-API checks (SCIPY_ARRAY_API is not set) and, for MLPClassifier,
the decision-function check (it has no ``decision_function``, as scikit-learn's MLPClassifier).
"""
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from tensorgate.models import (LogisticRegression, MLPClassifier, MLPRegressor, OneVsRestClassifier, Perceptron,
                               PolynomialFeatures, SoftmaxRegression)

ESTIMATORS = [
    Perceptron(),
    Perceptron(penalty="elasticnet", max_iter=5, class_weight="balanced"),
    LogisticRegression(),
    LogisticRegression(solver="adam", max_iter=20, learning_rate=0.05, random_state=0),
    LogisticRegression(multi_class="ovr"),
    SoftmaxRegression(),
    OneVsRestClassifier(Perceptron()),
    PolynomialFeatures(degree=2),
    MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.02, max_iter=40, random_state=0),
    MLPRegressor(hidden_layer_sizes=(8,), learning_rate_init=0.02, max_iter=60, random_state=0),
]

_SGD_WEIGHTS = "sample_weight is not equivalent to removing/repeating samples (one SGD step of 2η, not two of η)"
#: check name → reason, per estimator class name (scikit-learn's own list for its Perceptron)
EXPECTED_FAILED_CHECKS = {"Perceptron": {"check_sample_weight_equivalence_on_dense_data": _SGD_WEIGHTS,
                                         "check_sample_weight_equivalence_on_sparse_data": _SGD_WEIGHTS}}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
