"""Train LeNet-5 with tensorgate and with PyTorch (CPU eager) side by side and compare samples per second.

Same network (tensorgate's initial weights copied into PyTorch), same batch size, same float32, same
optimiser (SGD with momentum 0.9), same number of threads for the BLAS under NumPy and for PyTorch's
intra-op pool. The two are timed in interleaved repetitions (tensorgate, PyTorch, PyTorch, tensorgate, ...)
so that a slow spell of the machine hits both, and the medians are compared.

One timed step is the loop of ``tg.fit`` without its bookkeeping, eager:
``out = model(x); loss = loss_fn(out, y); opt.zero_grad(); loss.backward(); opt.step()``; and the same
step recorded once and replayed (``tg.training.compile_step``, what ``tg.fit`` uses).

Usage::

    PYTHONPATH=src python3 benchmarks/bench_lenet.py [--threads 2] [--batch-size 64] [--steps 40] [--reps 7]
"""
import argparse
import os
import sys


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="BLAS / PyTorch threads (default 2)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=40, help="training steps per timed repetition")
    parser.add_argument("--reps", type=int, default=7, help="repetitions of each (medians are reported)")
    parser.add_argument("--profile", action="store_true", help="also print where tensorgate's time goes")
    return parser.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:  # the BLAS reads these when NumPy is first imported
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
import tensorgate as tg  # noqa: E402
from tensorgate.models.zoo import LeNet5  # noqa: E402
from tensorgate.optim import SGD  # noqa: E402

tg.backend.tune_malloc()   # the benchmark owns its process, as fit and the CLI do


def torch_lenet():
    """The same LeNet-5 in PyTorch."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def copy_weights(model, net):
    with torch.no_grad():
        for p, q in zip(model.parameters(), net.parameters()):
            assert tuple(p.shape) == tuple(q.shape)
            q.copy_(torch.from_numpy(np.array(p.data)))


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return ", ".join(f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info()) or "unknown"
    except ImportError:  # pragma: no cover
        return f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"


def main(args):
    torch.set_num_threads(args.threads)
    bs, steps = args.batch_size, args.steps
    rng = np.random.default_rng(0)
    X = rng.standard_normal((bs * steps, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, bs * steps)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    tg.manual_seed(0)
    model = LeNet5()
    net = torch_lenet()
    copy_weights(model, net)
    loss_fn, opt = tg.nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.01, momentum=0.9)
    topt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    tg.manual_seed(0)
    twin = LeNet5()  # the same weights again, trained by the compiled step that tg.fit uses
    compiled = tg.training.compile_step(twin, tg.nn.CrossEntropyLoss(), SGD(twin.parameters(), lr=0.01, momentum=0.9))

    def run_compiled():
        start = time.perf_counter()
        for i in range(steps):
            compiled(X[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
        return bs * steps / (time.perf_counter() - start)

    def run_tensorgate():
        start = time.perf_counter()
        for i in range(steps):
            xb, yb = X[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs]
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return bs * steps / (time.perf_counter() - start)

    def run_torch():
        start = time.perf_counter()
        for i in range(steps):
            xb, yb = Xt[i * bs:(i + 1) * bs], yt[i * bs:(i + 1) * bs]
            loss = torch.nn.functional.cross_entropy(net(xb), yb)
            topt.zero_grad()
            loss.backward()
            topt.step()
        return bs * steps / (time.perf_counter() - start)

    # the first steps of both agree (same weights, same data): a check that the comparison is fair
    first = float(loss_fn(model(X[:bs]), y[:bs]).item())
    tfirst = torch.nn.functional.cross_entropy(net(Xt[:bs]), yt[:bs]).item()
    assert abs(first - tfirst) < 1e-4, (first, tfirst)

    run_tensorgate(), run_torch(), run_compiled()  # warm-up
    ours, theirs, replayed = [], [], []
    for rep in range(args.reps):
        order = [(run_tensorgate, ours), (run_torch, theirs), (run_compiled, replayed)]
        for fn, out in (order if rep % 2 == 0 else order[::-1]):
            out.append(fn())
    mine, ref, comp = statistics.median(ours), statistics.median(theirs), statistics.median(replayed)
    print(f"LeNet-5 training, batch {bs}, float32, SGD momentum 0.9, {steps} steps × {args.reps} interleaved reps")
    print(f"threads: torch {torch.get_num_threads()}, BLAS {blas_threads()}; numpy {np.__version__}, "
          f"torch {torch.__version__}")
    print(f"tensorgate : {mine:8.0f} samples/s  (median; min {min(ours):.0f}, max {max(ours):.0f})")
    print(f"PyTorch    : {ref:8.0f} samples/s  (median; min {min(theirs):.0f}, max {max(theirs):.0f})")
    print(f"compiled   : {comp:8.0f} samples/s  (median; min {min(replayed):.0f}, max {max(replayed):.0f})")
    print(f"ratio tensorgate / PyTorch: {mine / ref:.2f}; compiled step / PyTorch: {comp / ref:.2f}")
    if args.profile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        profiler.runcall(run_tensorgate)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return mine / ref


if __name__ == "__main__":
    main(ARGS)
