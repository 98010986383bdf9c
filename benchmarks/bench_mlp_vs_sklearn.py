"""tensorgate's MLPClassifier vs scikit-learn's: training time on Fashion-MNIST, same everything.

Both estimators get the same architecture, activation, solver (Adam, η = 1e-3), L2 penalty α, batch size,
number of epochs (early stopping switched off: ``tol=0``, ``n_iter_no_change`` larger than the epochs), the
same float32 data and the same BLAS threads; both shuffle every epoch. Fits alternate (tensorgate,
scikit-learn, tensorgate, ...) so that a noisy machine slows both alike, and the medians are reported
with the ratio and each one's test accuracy.

    python benchmarks/bench_mlp_vs_sklearn.py                 # 60000 images, 5 epochs, 3 rounds
    python benchmarks/bench_mlp_vs_sklearn.py --quick         # 10000 images, 2 epochs, 1 round
    python benchmarks/bench_mlp_vs_sklearn.py --hidden 100 --batch-size 200 --epochs 10
"""
import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLP  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from tensorgate.data import load_fashion_mnist  # noqa: E402
from tensorgate.backend import tune_malloc  # noqa: E402
from tensorgate.models import MLPClassifier  # noqa: E402

tune_malloc()   # the benchmark owns its process, as fit and the CLI do


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 128])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.n_train, args.epochs, args.rounds = 10000, 2, 1

    X_train, y_train, X_test, y_test, _ = load_fashion_mnist(progress=False)
    X_train, y_train = X_train[:args.n_train], y_train[:args.n_train]
    common = dict(hidden_layer_sizes=tuple(args.hidden), activation="relu", solver="adam", alpha=1e-4,
                  batch_size=args.batch_size, learning_rate_init=1e-3, max_iter=args.epochs, shuffle=True,
                  tol=0.0, n_iter_no_change=args.epochs + 1, random_state=0)
    makers = {"tensorgate": lambda: MLPClassifier(**common), "scikit-learn": lambda: SkMLP(**common)}

    with threadpool_limits(args.threads, user_api="blas"):
        blas = sorted({f"{i['internal_api']} ({i['num_threads']} threads)" for i in threadpool_info()
                       if i["user_api"] == "blas"})
        print(f"Fashion-MNIST: {len(X_train)} training images, {X_train.dtype}; MLP 784-"
              f"{'-'.join(map(str, args.hidden))}-10, relu, Adam, batch {args.batch_size}, {args.epochs} epochs; "
              f"BLAS: {', '.join(blas)}")
        times = {name: [] for name in makers}
        accuracy = {}
        for _ in range(args.rounds):
            for name, make in makers.items():
                clf = make()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    start = time.perf_counter()
                    clf.fit(X_train, y_train)
                    times[name].append(time.perf_counter() - start)
                assert clf.n_iter_ == args.epochs, (name, clf.n_iter_)
                accuracy[name] = clf.score(X_test, y_test)

    medians = {name: statistics.median(t) for name, t in times.items()}
    for name in makers:
        print(f"{name:>13}: {medians[name]:7.2f} s  (median of {args.rounds}; "
              f"{medians[name] / args.epochs:.2f} s/epoch)   test accuracy {accuracy[name]:.4f}")
    ratio = medians["scikit-learn"] / medians["tensorgate"]
    print(f"speed-up of tensorgate over scikit-learn: {ratio:.2f}x "
          f"({'faster' if ratio > 1 else 'slower'})")


if __name__ == "__main__":
    main()
