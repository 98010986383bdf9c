"""tg.onnx.export of the estimators (and pipelines with PolynomialFeatures/StandardScaler in front).

The graph gives predict_proba (LogisticRegression, SoftmaxRegression, MLPClassifier), decision_function
(Perceptron) or predict (MLPRegressor); onnxruntime must equal the estimator within 1e-5 on two batch sizes.
"""
import io
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the optional 'onnx' package is not installed (pip install tensorgate[onnx])")
ort = pytest.importorskip("onnxruntime", reason="the optional 'onnxruntime' package is not installed")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import tensorgate as tg  # noqa: E402
from tensorgate.models import (LogisticRegression, MLPClassifier, MLPRegressor,  # noqa: E402
                               OneVsRestClassifier, Perceptron, PolynomialFeatures, SoftmaxRegression)
from tensorgate.onnx import UnsupportedModelError  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.standard_normal((60, 3))
Y3 = np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
Y2 = (X[:, 0] + 0.5 * X[:, 2] > 0).astype(int)


def fitted(estimator, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def assert_matches(estimator, method, n_outputs=None):
    buffer = io.BytesIO()
    proto = tg.onnx.export(estimator, X[:4].astype(np.float32), buffer)
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == [method]
    for n in (3, 17):
        x = RNG.standard_normal((n, 3)).astype(np.float32)
        expected = getattr(estimator, method)(x)
        (got,) = session.run(None, {"input": x})
        assert got.shape == expected.shape and got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


CASES = {
    "logistic_binary": (lambda: LogisticRegression(), Y2, "predict_proba"),
    "logistic_multinomial": (lambda: LogisticRegression(C=10.0), Y3, "predict_proba"),
    "logistic_multinomial_two_classes": (lambda: LogisticRegression(multi_class="multinomial"), Y2,
                                         "predict_proba"),
    "logistic_ovr": (lambda: LogisticRegression(multi_class="ovr"), Y3, "predict_proba"),
    "logistic_sgd_no_intercept": (lambda: LogisticRegression(solver="sgd", max_iter=5, fit_intercept=False,
                                                             random_state=0), Y3, "predict_proba"),
    "softmax": (lambda: SoftmaxRegression(), Y3, "predict_proba"),
    "perceptron_binary": (lambda: Perceptron(max_iter=20, random_state=0), Y2, "decision_function"),
    "perceptron_multiclass": (lambda: Perceptron(max_iter=20, random_state=0), Y3, "decision_function"),
    "mlp_multiclass": (lambda: MLPClassifier((8, 5), max_iter=5, random_state=0), Y3, "predict_proba"),
    "mlp_binary_tanh": (lambda: MLPClassifier((6,), activation="tanh", max_iter=5, random_state=0), Y2,
                        "predict_proba"),
    "mlp_multilabel_gelu": (lambda: MLPClassifier((6,), activation="gelu", max_iter=5, random_state=0),
                            np.column_stack([Y2, 1 - Y2, X[:, 1] > 0]).astype(int), "predict_proba"),
    "mlp_regressor": (lambda: MLPRegressor((7,), activation="leaky_relu", max_iter=5, random_state=0),
                      X @ [1.0, -2.0, 0.5], "predict"),
    "mlp_regressor_2d": (lambda: MLPRegressor((7,), activation="logistic", max_iter=5, random_state=0),
                         np.column_stack([X[:, 0], X[:, 1] * X[:, 2]]), "predict"),
    "ovr_logistic": (lambda: OneVsRestClassifier(LogisticRegression(C=10.0)), Y3, "predict_proba"),
    "ovr_logistic_two_classes": (lambda: OneVsRestClassifier(LogisticRegression()), Y2, "predict_proba"),
    "ovr_mlp": (lambda: OneVsRestClassifier(MLPClassifier((4,), max_iter=3, random_state=0)), Y3,
                "predict_proba"),
    "ovr_perceptron": (lambda: OneVsRestClassifier(Perceptron(max_iter=10, random_state=0)), Y3,
                       "decision_function"),
    "ovr_perceptron_two_classes": (lambda: OneVsRestClassifier(Perceptron(max_iter=10, random_state=0)), Y2,
                                   "decision_function"),
    "poly_logistic": (lambda: make_pipeline(PolynomialFeatures(3), LogisticRegression(C=10.0)), Y3,
                      "predict_proba"),
    "poly_range_interaction_perceptron": (
        lambda: make_pipeline(StandardScaler(), PolynomialFeatures((2, 3), interaction_only=True),
                              Perceptron(max_iter=10, random_state=0)), Y2, "decision_function"),
    "poly_no_bias_softmax": (lambda: make_pipeline(PolynomialFeatures(2, include_bias=False),
                                                   SoftmaxRegression()), Y3, "predict_proba"),
    "poly_min_degree_with_bias": (lambda: make_pipeline(PolynomialFeatures((2, 2)), LogisticRegression()), Y2,
                                  "predict_proba"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_estimator_matches_onnxruntime(name):
    build, y, method = CASES[name]
    assert_matches(fitted(build(), y), method)


def test_polynomial_features_column_order():
    """The graph's φ(x) is scikit-learn's, column for column (through a linear model with identity weights)."""
    poly = PolynomialFeatures((1, 3)).fit(X)
    phi = poly.transform(X[:5])
    assert phi.shape[1] == 20
    from tensorgate.onnx.graph import GraphBuilder
    from tensorgate.onnx.estimators import polynomial_features

    ctx = GraphBuilder(17, np.float32)
    out = polynomial_features(ctx, poly, ctx.input("input", np.float32, (5, 3)))
    helper = onnx.helper
    graph = helper.make_graph(ctx.nodes, "phi", [helper.make_tensor_value_info("input", 1, [None, 3])],
                              [helper.make_tensor_value_info(out.name, 1, [None, 20])], initializer=ctx.initializers)
    session = ort.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                                     ir_version=8).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": X[:5].astype(np.float32)})[0], phi, rtol=1e-6)


def test_unfitted_and_foreign_estimators_are_refused():
    with pytest.raises(UnsupportedModelError, match="not fitted"):
        tg.onnx.export(LogisticRegression(), np.zeros((2, 3)), io.BytesIO())
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier().fit(X, Y2)
    with pytest.raises(UnsupportedModelError, match="DecisionTreeClassifier"):
        tg.onnx.export(tree, X[:2], io.BytesIO())
    with pytest.raises(ValueError, match=r"\(m, 3\)"):
        tg.onnx.export(fitted(LogisticRegression(), Y2), np.zeros((2, 4)), io.BytesIO())
