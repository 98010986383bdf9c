"""MLPClassifier and MLPRegressor: built on tensorgate's nn and optim, checked on real and toy data."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import tensorgate as tg
from tensorgate.data import DatasetUnavailableError, load_digits, load_fashion_mnist, make_moons, make_xor
from tensorgate.models import MLPClassifier, MLPRegressor


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_network_is_a_tensorgate_model(digits):
    X_train, y_train, X_test, y_test, _ = digits
    clf = MLPClassifier((32,), max_iter=30, random_state=0, learning_rate_init=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    assert isinstance(clf.model_, tg.nn.Sequential)
    assert [type(m).__name__ for m in clf.model_] == ["Linear", "ReLU", "Linear"]
    assert all(p.dtype == np.float32 for p in clf.model_.parameters())
    assert clf.out_activation_ == "softmax" and clf.n_layers_ == 3
    assert [w.shape for w in clf.coefs_] == [(64, 32), (32, 10)]
    assert len(clf.loss_curve_) == clf.n_iter_ and clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.score(X_test, y_test) > 0.95
    # the logits of model_ are the network's output: predict_proba is their softmax
    with tg.no_grad():
        z = clf.model_(tg.tensor(X_test)).data
    np.testing.assert_allclose(clf.predict_proba(X_test), tg.softmax(tg.tensor(z, dtype="float64"), axis=1).data,
                               atol=1e-5)


def test_saved_model_predicts_the_same(digits, tmp_path):
    X_train, y_train, X_test, _, _ = digits
    clf = MLPClassifier((16,), max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_train, y_train)
    path = tmp_path / "mlp.tg"
    tg.save(clf.model_, path)
    model = tg.load(path)
    with tg.no_grad():
        z = model(tg.tensor(X_test)).data
    np.testing.assert_array_equal(clf.classes_[z.argmax(axis=1)], clf.predict(X_test))


def test_random_state_repeats_the_fit(digits):
    X_train, y_train, X_test, _, _ = digits
    fit = lambda seed: MLPClassifier((16,), max_iter=3, random_state=seed).fit(X_train, y_train)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a, b, c = fit(1), fit(1), fit(2)
    np.testing.assert_array_equal(a.predict_proba(X_test), b.predict_proba(X_test))
    assert a.loss_curve_ == b.loss_curve_ and a.loss_curve_ != c.loss_curve_


def test_binary_uses_one_sigmoid_output_and_string_labels():
    X, y = make_moons(300, noise=0.1, random_state=0)
    labels = np.array(["left", "right"])[y]
    clf = MLPClassifier((32,), batch_size=32, learning_rate_init=0.01, max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, labels)
    assert clf.out_activation_ == "logistic" and clf.model_[-1].out_features == 1
    assert clf.classes_.tolist() == ["left", "right"]
    assert clf.score(X, labels) > 0.97
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_xor_needs_a_hidden_layer():
    X, y = make_xor(200, random_state=0)
    clf = MLPClassifier((16,), activation="tanh", init="glorot", learning_rate_init=0.02, max_iter=300,
                        random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.97


def test_multilabel_indicator_targets(digits):
    X_train, y_train, X_test, y_test, _ = digits
    labels = lambda y: np.stack([y % 2 == 1, y >= 5, y == 0], axis=1).astype(int)  # noqa: E731
    Y_train, Y_test = labels(y_train), labels(y_test)
    clf = MLPClassifier((32,), learning_rate_init=0.01, max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, Y_train)
    assert clf.out_activation_ == "logistic" and clf.model_[-1].out_features == 3
    predicted = clf.predict(X_test)
    assert predicted.shape == (450, 3) and set(np.unique(predicted)) <= {0, 1}
    assert (predicted == Y_test).mean() > 0.95
    proba = clf.predict_proba(X_test)                 # one independent probability per label
    assert proba.shape == (450, 3) and not np.allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X_test, Y_test) > 0.85           # subset accuracy: all three labels right


def test_early_stopping_keeps_the_best_validated_weights(digits):
    X_train, y_train, X_test, y_test, _ = digits
    clf = MLPClassifier((32,), early_stopping=True, n_iter_no_change=3, learning_rate_init=0.01, max_iter=200,
                        random_state=0).fit(X_train, y_train)
    assert clf.n_iter_ < 200 and len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None and clf.score(X_test, y_test) > 0.93


def test_sgd_solver(digits):
    X_train, y_train, X_test, y_test, _ = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier((32,), solver="sgd", learning_rate_init=0.05, max_iter=40,
                            random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.93


def test_regressor_approximates_sine_with_one_hidden_layer():
    """The universal-approximation demonstration: one hidden layer of tanh units fits sin x on [−π, π]."""
    X = np.linspace(-np.pi, np.pi, 400).reshape(-1, 1)
    y = np.sin(X).ravel()
    reg = MLPRegressor((50,), activation="tanh", learning_rate_init=0.01, max_iter=1000, tol=1e-7,
                       random_state=0).fit(X, y)
    assert np.mean((reg.predict(X) - y) ** 2) < 5e-3
    assert reg.predict(X).shape == (400,) and reg.score(X, y) > 0.99
    X_between = np.linspace(-3.0, 3.0, 77).reshape(-1, 1)         # points it never saw
    assert np.max(np.abs(reg.predict(X_between) - np.sin(X_between).ravel())) < 0.2


def test_regressor_multi_output():
    X = np.linspace(-2, 2, 200).reshape(-1, 1)
    Y = np.hstack([X ** 2, -X])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor((32,), batch_size=20, learning_rate_init=0.01, max_iter=200, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (200, 2) and reg.score(X, Y) > 0.95


@pytest.mark.parametrize("make", [lambda: MLPClassifier((4,), max_iter=2), lambda: MLPRegressor((4,), max_iter=2)])
def test_bad_input_gets_sklearns_errors(make):
    X, y = make_xor(40, random_state=0)
    with pytest.raises(NotFittedError):
        make().predict(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make().fit(bad, y)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        make().fit(bad, y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        make().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make().fit(X, y[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = make().fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features"):
        fitted.predict(np.ones((2, 5)))


def test_classifier_single_class_and_bad_parameters():
    X, y = make_xor(40, random_state=0)
    with pytest.raises(ValueError, match="only one class"):
        MLPClassifier().fit(X, np.ones(40))
    for kwargs, match in [(dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"), (dict(solver="newton-cg"), "solver"),
                          (dict(activation="softplus"), "activation"), (dict(batch_size=0), "batch_size"),
                          (dict(validation_fraction=1.0), "validation_fraction")]:
        with pytest.raises(ValueError, match=match):
            MLPClassifier(**kwargs).fit(X, y)


def test_fashion_mnist_subset():
    """A quick version of examples/estimators.py: 10000 training images, 4 epochs, a lower bar."""
    try:
        X_train, y_train, X_test, y_test, _ = load_fashion_mnist(download=False, progress=False)
    except DatasetUnavailableError:
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    clf = MLPClassifier((128,), batch_size=100, max_iter=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train[:10000], y_train[:10000])
    assert clf.score(X_test[:5000], y_test[:5000]) >= 0.82


def test_estimators_leave_tensorgates_global_generator_alone():
    """random_state seeds the estimator's own generator; tg.manual_seed's stream is not consumed."""
    from tensorgate.backend import random as tg_random
    from tensorgate.models import LogisticRegression, Perceptron

    X, y = make_xor(40, random_state=0)
    tg.manual_seed(5)
    before = tg_random.get_rng_state()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)
        LogisticRegression(solver="sgd", max_iter=2, random_state=0).fit(X, y)
        Perceptron(max_iter=2, random_state=0).fit(X, y)
    assert tg_random.get_rng_state() == before
