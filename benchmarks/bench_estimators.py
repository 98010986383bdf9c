"""tensorgate's linear estimators vs scikit-learn's on Fashion-MNIST: fit time and test accuracy (issue 18).

Each library fits in its own process (a worker that loads the data once and then fits on request), so
neither sees the other's imports, thread pools or memory; the driver asks them in turn, alternating
which goes first, round after round, at 1 and at 2 BLAS threads. Reported: the median fit time of each,
the median over rounds of the paired time ratio tensorgate / scikit-learn (below 1: tensorgate is
faster), and each one's accuracy on the 10,000 test images (so that speed is not bought with a worse fit).
Both get the same float32 rows and the same parameters (each estimator's defaults unless the case says).

    python benchmarks/bench_estimators.py                        # every case, 1 and 2 threads, 3 rounds
    python benchmarks/bench_estimators.py --quick                # 1 round
    python benchmarks/bench_estimators.py --cases lbfgs --threads 1 --rounds 5
    python benchmarks/bench_estimators.py --cases lbfgs --also-rev HEAD~1     # a change, before and after

The bars issue 18 sets: ``OneVsRestClassifier(Perceptron())`` within 3x scikit-learn's time;
``LogisticRegression(solver='lbfgs')`` on 10,000 rows at scikit-learn's time or better.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

from common import table

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")

#: name → (training rows, builder source, bar on the time ratio tensorgate / scikit-learn or None). The builder
#: is evaluated in each worker with ``lib`` bound to that library's estimators; a dict gives each library's
#: own spelling of the same estimator (scikit-learn 1.8 deprecated ``penalty`` for ``l1_ratio``).
CASES = {
    "perceptron": (10000, "lib.Perceptron()", None),
    "ovr-perceptron": (10000, "lib.OneVsRestClassifier(lib.Perceptron())", 3.0),
    "lbfgs": (10000, "lib.LogisticRegression()", 1.0),
    "lbfgs-60k": (60000, "lib.LogisticRegression()", None),
    "saga-l1": (10000, {"tensorgate": "lib.LogisticRegression(solver='saga', penalty='l1')",
                        "scikit-learn": "lib.LogisticRegression(solver='saga', l1_ratio=1.0)"}, None),
    "saga-elasticnet": (10000, {"tensorgate": "lib.LogisticRegression(solver='saga', penalty='elasticnet', l1_ratio=0.5)",
                                "scikit-learn": "lib.LogisticRegression(solver='saga', l1_ratio=0.5)"}, None),
}


def namespace(library):
    """The estimators under one name, ``lib.Perceptron`` etc., for tensorgate or scikit-learn."""
    import types

    if library == "tensorgate":
        import tensorgate.models as models

        return models
    from sklearn.linear_model import LogisticRegression, Perceptron
    from sklearn.multiclass import OneVsRestClassifier

    return types.SimpleNamespace(LogisticRegression=LogisticRegression, Perceptron=Perceptron,
                                 OneVsRestClassifier=OneVsRestClassifier)


def worker(library, threads, src):
    """Load Fashion-MNIST once, then answer one JSON line per request line ({"case": name}) with the fit's
    seconds, test accuracy and iterations. Threads: ``threads`` for every BLAS pool (NumPy's and SciPy's);
    tensorgate from ``src``."""
    sys.path.insert(0, src)
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    from tensorgate.backend import tune_malloc
    from tensorgate.data import load_fashion_mnist

    tune_malloc()       # the benchmark owns the process (as fit and the CLI do); both libraries get it
    threadpool_limits(threads)
    lib = namespace(library)
    X, y, X_test, y_test, _ = load_fashion_mnist(progress=False)
    warnings.simplefilter("ignore", ConvergenceWarning)     # both stop at max_iter on some cases, alike
    for line in sys.stdin:
        request = json.loads(line)
        rows, builder, _ = CASES[request["case"]]
        rows = request.get("rows", rows)
        if isinstance(builder, dict):
            builder = builder[library]
        estimator = eval(builder, {"lib": lib})                 # noqa: S307 - our own table above
        start = time.perf_counter()
        estimator.fit(X[:rows], y[:rows])
        seconds = time.perf_counter() - start
        n_iter = getattr(estimator, "n_iter_", None)
        if n_iter is None and hasattr(estimator, "estimators_"):
            n_iter = max(int(e.n_iter_) for e in estimator.estimators_)
        n_iter = None if n_iter is None else int(max(n_iter) if hasattr(n_iter, "__len__") else n_iter)
        print(json.dumps({"seconds": seconds, "accuracy": float(estimator.score(X_test, y_test)),
                          "n_iter": n_iter}), flush=True)


class Worker:
    """A worker process for one library (tensorgate from ``src``) at one thread count."""

    def __init__(self, library, threads, src=SRC):
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", library,
                                         "--threads", str(threads), "--src", src],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def fit(self, case, **extra):
        self.process.stdin.write(json.dumps({"case": case, **extra}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker died on {case}")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def run(cases, threads, rounds, sources):
    """One row per case and tensorgate version (``sources``: name → src): medians, the paired ratio to
    scikit-learn's time, accuracies, iterations, the bar."""
    workers = {name: Worker("tensorgate", threads, src) for name, src in sources.items()}
    workers["scikit-learn"] = Worker("scikit-learn", threads)
    names = list(workers)
    rows = []
    try:
        for case in cases:
            for w in workers.values():                  # warm-up: first-call imports and allocations
                w.fit(case, rows=500)
            results = {name: [] for name in names}
            for r in range(rounds):
                order = names[r % len(names):] + names[:r % len(names)]     # each goes first in turn
                got = {name: workers[name].fit(case) for name in order}
                for name in names:
                    results[name].append(got[name])
                print(f"  {threads} thread(s) {case} round {r + 1}: "
                      + ", ".join(f"{name} {got[name]['seconds']:.2f} s" for name in names), file=sys.stderr, flush=True)
            sk = results["scikit-learn"]
            for name in sources:
                ratios = [a["seconds"] / b["seconds"] for a, b in zip(results[name], sk)]
                ratio, bar = statistics.median(ratios), CASES[case][2]
                verdict = "-" if bar is None else (f"≤ {bar:g}: " + ("met" if ratio <= bar else "MISSED"))
                rows.append([case, CASES[case][0], threads, name,
                             f"{statistics.median(x['seconds'] for x in results[name]):.2f}",
                             f"{statistics.median(x['seconds'] for x in sk):.2f}", f"{ratio:.2f}",
                             " ".join(f"{t:.2f}" for t in ratios), f"{results[name][-1]['accuracy']:.4f}",
                             f"{sk[-1]['accuracy']:.4f}", f"{results[name][-1]['n_iter']} / {sk[-1]['n_iter']}", verdict])
    finally:
        for w in workers.values():
            w.close()
    return rows


def export(rev, into):
    """The ``src`` folder of git revision ``rev``, written under ``into`` (git archive); returns its path."""
    archive = subprocess.run(["git", "-C", os.path.dirname(SRC), "archive", rev, "src"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return os.path.join(into, "src")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round")
    parser.add_argument("--also-rev", metavar="REV", help="also time tensorgate as of this git revision "
                        "(a before/after comparison, each against scikit-learn in the same rounds)")
    parser.add_argument("--worker", choices=["tensorgate", "scikit-learn"], help=argparse.SUPPRESS)
    parser.add_argument("--src", default=SRC, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.threads[0], args.src)
        return
    import numpy
    import scipy
    import sklearn

    rounds = 1 if args.quick else args.rounds
    print(f"Fashion-MNIST float32 rows, test accuracy on the 10,000 test images; {rounds} round(s), alternating; "
          f"NumPy {numpy.__version__}, SciPy {scipy.__version__}, scikit-learn {sklearn.__version__}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))     # killed: still close the workers, remove tmp
    rows, tmp = [], tempfile.mkdtemp(prefix="tg-estimators-")
    try:
        sources = {"tensorgate": SRC}
        if args.also_rev:
            sources[f"tensorgate@{args.also_rev}"] = export(args.also_rev, tmp)
        for threads in args.threads:
            rows += run(args.cases, threads, rounds, sources)
    finally:
        shutil.rmtree(tmp)
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")
    table(rows, ["case", "rows", "threads", "version", "tg s", "sklearn s", "time tg/sk", "rounds tg/sk", "tg acc",
                 "sk acc", "iterations tg / sk", "issue 18 bar"])


if __name__ == "__main__":
    main()
