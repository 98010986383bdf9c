"""The lecture's path from one neuron to a network, as scikit-learn estimators built on tensorgate.

1. Perceptron: AND is linearly separable (it converges), XOR is not (a ConvergenceWarning).
2. Logistic regression on breast cancer, side by side with scikit-learn's (same objective, same optimum).
3. Basis functions: a disc inside a ring, hopeless for a line, easy after PolynomialFeatures(2).
4. Multi-class: one-vs-rest and softmax regression on the digits.
5. Universal approximation: one hidden layer fits sin x.
6. MLPClassifier on Fashion-MNIST (60000 training images): the full run, with test accuracy and time.

    python examples/estimators.py            # everything (the Fashion-MNIST run takes a few minutes)
    python examples/estimators.py --quick    # skip the Fashion-MNIST run
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from sklearn import linear_model  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import tensorgate as tg  # noqa: E402
from tensorgate.data import load_breast_cancer, load_digits, load_fashion_mnist, make_circles  # noqa: E402
from tensorgate.models import (LogisticRegression, MLPClassifier, MLPRegressor, OneVsRestClassifier,  # noqa: E402
                               Perceptron, PolynomialFeatures, SoftmaxRegression)

#: the Fashion-MNIST network: two hidden ReLU layers, Adam, 30 epochs of mini-batches of 128
FASHION_SETTINGS = dict(hidden_layer_sizes=(256, 128), batch_size=128, learning_rate_init=1e-3, alpha=1e-4,
                        max_iter=30, random_state=0)


def perceptron():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    p = Perceptron(random_state=0).fit(X, [0, 0, 0, 1])
    print(f"  AND: {p.n_iter_} epochs, mistakes per epoch {p.errors_}, "
          f"w={p.coef_[0].tolist()}, b={p.intercept_[0]}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        p = Perceptron(max_iter=50, random_state=0).fit(X, [0, 1, 1, 0])
    print(f"  XOR: {p.n_iter_} epochs, mistakes per epoch {p.errors_[-3:]} at the end; "
          f"warning: {caught[0].message if caught else 'none (the loss stopped falling by tol)'}")


def logistic():
    X_train, y_train, X_test, y_test, _ = load_breast_cancer(dtype=np.float64)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    for name, clf in [("tensorgate  ", LogisticRegression()), ("scikit-learn", linear_model.LogisticRegression())]:
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        print(f"  {name}: test accuracy {clf.score(X_test, y_test):.4f}, training log-loss "
              f"{log_loss(y_train, clf.predict_proba(X_train)):.6f}, {clf.n_iter_[0]} L-BFGS iterations, "
              f"{time.perf_counter() - start:.3f} s")
    for solver in ("gd", "sgd", "adam"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = LogisticRegression(solver=solver, max_iter=200, random_state=0).fit(X_train, y_train)
        print(f"  solver={solver!r:7}: test accuracy {clf.score(X_test, y_test):.4f}, log-loss "
              f"{log_loss(y_train, clf.predict_proba(X_train)):.6f} after {clf.n_iter_[0]} epochs")


def basis_functions():
    X, y = make_circles(400, noise=0.05, factor=0.5, random_state=0)
    line = LogisticRegression().fit(X, y)
    curve = make_pipeline(PolynomialFeatures(2), LogisticRegression(C=100.0)).fit(X, y)
    names = curve[0].get_feature_names_out()
    weights = ", ".join(f"{w:+.1f}·{n}" for n, w in zip(names, curve[1].coef_[0]))
    print(f"  circles: a line gets {line.score(X, y):.2f}, φ(x) = (1, x₀, x₁, x₀², x₀x₁, x₁²) gets "
          f"{curve.score(X, y):.2f}\n  boundary: {curve[1].intercept_[0]:+.1f} {weights} = 0")


def multiclass():
    X_train, y_train, X_test, y_test, _ = load_digits(dtype=np.float64)
    for name, clf in [("one-vs-rest logistic", OneVsRestClassifier(LogisticRegression())),
                      ("softmax regression  ", SoftmaxRegression(max_iter=300))]:
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        print(f"  digits, {name}: test accuracy {clf.score(X_test, y_test):.4f} "
              f"({time.perf_counter() - start:.2f} s)")


def universal_approximation():
    X = np.linspace(-np.pi, np.pi, 400).reshape(-1, 1)
    y = np.sin(X).ravel()
    for units in (2, 5, 50):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reg = MLPRegressor((units,), activation="tanh", learning_rate_init=0.01, max_iter=1000, tol=1e-7,
                               random_state=0).fit(X, y)
        print(f"  sin x with {units:2d} tanh units: mean squared error {np.mean((reg.predict(X) - y) ** 2):.5f}")


def fashion_mnist():
    X_train, y_train, X_test, y_test, classes = load_fashion_mnist()
    clf = MLPClassifier(**FASHION_SETTINGS, verbose=False)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    accuracy = clf.score(X_test, y_test)
    print(f"  {clf.model_!r}".replace("\n", "\n  "))
    print(f"  MLPClassifier({', '.join(f'{k}={v!r}' for k, v in FASHION_SETTINGS.items())})")
    print(f"  {clf.n_iter_} epochs in {seconds:.1f} s ({seconds / clf.n_iter_:.2f} s/epoch); final loss "
          f"{clf.loss_curve_[-1]:.4f}; test accuracy {accuracy:.4f}")
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "fashion_mlp.tg")
    tg.save(clf.model_, path)
    print(f"  saved the network with tg.save to {path}")
    return accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the Fashion-MNIST run")
    args = parser.parse_args()
    for title, demo in [("1. Perceptron", perceptron), ("2. Logistic regression", logistic),
                        ("3. Basis functions", basis_functions), ("4. Multi-class", multiclass),
                        ("5. Universal approximation", universal_approximation)]:
        print(title)
        demo()
    if not args.quick:
        print("6. MLPClassifier on Fashion-MNIST")
        fashion_mnist()


if __name__ == "__main__":
    main()
