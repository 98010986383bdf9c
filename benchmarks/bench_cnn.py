"""The zoo's CNNs, tensorgate vs PyTorch, each library in its own process: training and inference.

LeNet-5, SmallVGG and ResNetSmall (``tensorgate.models.zoo``), float32, and on demand (``--models mlp``) the
MLP 784-256-128-10 of ``bench_mlp.py`` at any ``--batch``, timed the same way:

* training: tensorgate's compiled step (``tg.training.compile_step``, what ``tg.fit`` uses) against
  PyTorch's eager step, SGD with momentum 0.9, cross-entropy, batch 64 (``--batch``), on the same
  Fashion-MNIST batches (the first images of /usr/share/datasets/fashion-mnist/, synthetic ones if the
  files are absent) from the same initial weights (tensorgate's, copied into a PyTorch twin);
* inference: the model in eval mode without a graph (``tg.no_grad()`` / ``torch.no_grad()``) at batch 1
  (latency) and batch 256 (throughput), called by hand (``infer1``, ``infer256``), and tensorgate through
  ``tg.predict`` (``predict1``, ``predict256``: it replays a recording of the model's gates and, at 2
  threads, gives each thread its own part of the batch) against the same PyTorch call; and batch 64 called
  by hand (``infer64``), because PyTorch pays for fresh pages at every call of a batch of 256 (its
  allocator hands large activations back to the system) and not at 64: the 256 figure alone flatters
  tensorgate (benchmarks/README.md).

Each library runs in a process of its own (this script with ``--worker``), started with
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS set before NumPy or PyTorch is imported and
``torch.set_num_threads``: OpenBLAS's spinning threads slow PyTorch's pool when both live in one process
(``bench_lenet.py`` does that and flatters tensorgate). The processes alternate, tensorgate then PyTorch,
then PyTorch then tensorgate, round after round; each reports samples per second of every task, timed for
``--min-time`` seconds after a warm-up. The table gives medians over rounds and the median of the per-round
ratios tensorgate / PyTorch (above 1: tensorgate is faster). Both workers also report the loss of the first
batch before training; the parent checks they agree (the same network, weights and data).

    PYTHONPATH=src python benchmarks/bench_cnn.py                       # all models, 1 and 2 threads, 5 rounds
    PYTHONPATH=src python benchmarks/bench_cnn.py --models lenet --threads 1 --rounds 3
    PYTHONPATH=src python benchmarks/bench_cnn.py --baseline /tmp/before/src    # a change against the code before it

The header names the BLAS kernels each library ran: OpenBLAS picks its kernels when it loads (AVX-512 ones
on an AVX-512 CPU) unless the environment variable OPENBLAS_CORETYPE names others; PyTorch's MKL and oneDNN
choose for themselves.

With ``--baseline`` a third process, the tensorgate under that source tree, joins the rotation, and the
table adds its ratio to PyTorch and tensorgate / baseline: the speed-up of a change, measured in the same
rounds (steadier than comparing two runs on a shared machine).
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
FASHION = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
FASHION_LABELS = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"
MODELS = ("lenet", "vgg", "resnet")
CHOICES = MODELS + ("mlp",)   # the MLP 784-256-128-10 of bench_mlp.py, on demand (issue 23: every batch size)
TASKS = ("train", "infer1", "predict1", "infer64", "infer256", "predict256")
LR, MOMENTUM = 0.01, 0.9


def _parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated: lenet, vgg, resnet, mlp")
    parser.add_argument("--tasks", default=",".join(TASKS),
                        help="comma-separated: train, infer1, infer256, inferN for another batch N, predictN "
                             "(tensorgate through tg.predict)")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of both processes")
    parser.add_argument("--batch", type=int, default=64, help="training batch size")
    parser.add_argument("--min-time", type=float, default=0.4, help="seconds each task is timed per round")
    parser.add_argument("--baseline", metavar="SRC",
                        help="also time the tensorgate under SRC (e.g. a checkout of the code before a change: "
                             "git worktree add /tmp/before HEAD~1, then /tmp/before/src) in the same rounds")
    parser.add_argument("--worker", choices=("tensorgate", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    odd = [t for t in args.tasks.split(",") if t != "train" and _inference_task(t) is None]
    if odd:
        parser.error(f"--tasks: unknown {', '.join(odd)}; use train, infer1, infer256, inferN or predictN")
    unknown = set(args.models.split(",")) - set(CHOICES)
    if unknown:
        parser.error(f"--models: unknown {', '.join(sorted(unknown))}; choose from {', '.join(CHOICES)}")
    return args


# ------------------------------------------------------------------------------------------- the parent
def _idx(path, header):
    with gzip.open(path, "rb") as f:
        return f.read()[header:]


def _prepare(args, folder):
    """Write the batches and each model's initial weights (tensorgate's, seed 0) to ``folder``/data.npz."""
    import numpy as np
    sys.path.insert(0, SRC)
    import tensorgate as tg
    from tensorgate.models.zoo import LeNet5, ResNetSmall, SmallVGG

    count = max([args.batch * 8, 256] + _inference_sizes(args))
    if os.path.exists(FASHION) and os.path.exists(FASHION_LABELS):
        images = np.frombuffer(_idx(FASHION, 16), np.uint8)[:count * 784].reshape(count, 1, 28, 28)
        X = (images.astype(np.float32) / 255.0 - 0.2860) / 0.3530
        y = np.frombuffer(_idx(FASHION_LABELS, 8), np.uint8)[:count].astype(np.int64)
        source = "Fashion-MNIST"
    else:
        rng = np.random.default_rng(0)
        X, y = rng.standard_normal((count, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, count)
        source = "synthetic (Fashion-MNIST not found)"
    arrays = {"X": X, "y": y}
    for name, cls in (("lenet", LeNet5), ("vgg", SmallVGG), ("resnet", ResNetSmall), ("mlp", _tensorgate_mlp)):
        tg.manual_seed(0)
        for key, value in cls().state_dict().items():
            arrays[f"{name}/{key}"] = np.array(getattr(value, "data", value))
    path = os.path.join(folder, "data.npz")
    np.savez(path, **arrays)
    return path, source


def _inference_task(task):
    """'infer256' → 256 (the model called under no_grad), 'predict256' → 256 (tensorgate: ``tg.predict``,
    batch_size 256; PyTorch: the same call as infer256, which is what a PyTorch user writes); else None."""
    for prefix in ("infer", "predict"):
        rest = task[len(prefix):]
        if task.startswith(prefix) and rest.isdigit() and int(rest) > 0:
            return int(rest)
    return None


def _inference_tasks(args):
    """(task, batch) of each inferN and predictN task asked for."""
    return [(t, _inference_task(t)) for t in args.tasks.split(",") if _inference_task(t)]


def _inference_sizes(args):
    return [size for _, size in _inference_tasks(args)]


def _tensorgate_mlp():
    import tensorgate as tg
    nn = tg.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def _blas():
    """Which kernels NumPy's BLAS runs: OpenBLAS picks them when it loads, unless OPENBLAS_CORETYPE says."""
    import threadpoolctl
    cores = sorted({p.get("architecture", "?") for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"})
    return f"OpenBLAS kernels {'/'.join(cores)} (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')})"


def _run_worker(lib, threads, args, data):
    src = args.baseline if lib == "before" else SRC
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "torch" if lib == "torch" else "tensorgate",
           "--threads", str(threads), "--data", data,
           "--models", args.models, "--tasks", args.tasks, "--batch", str(args.batch),
           "--min-time", str(args.min_time)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"bench_cnn: the {lib} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(args):
    models, tasks = args.models.split(","), args.tasks.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        data, source = _prepare(args, folder)
        print(f"bench_cnn: {', '.join(models)}; data: {source}; training batch {args.batch}, SGD momentum "
              f"{MOMENTUM}; {args.rounds} alternating rounds, {args.min_time} s per task; python {sys.version.split()[0]}")
        rows = []
        libs = ["tensorgate", "torch"] + (["before"] if args.baseline else [])
        for t in threads:
            runs = {lib: [] for lib in libs}
            for r in range(args.rounds):
                # every contender in turn, a different one first each round, the order reversed every other
                order = libs[r % len(libs):] + libs[:r % len(libs)]
                for lib in (order if r % 2 == 0 else order[::-1]):
                    runs[lib].append(_run_worker(lib, t, args, data))
            versions = f'{runs["torch"][0]["versions"]}; tensorgate: {runs["tensorgate"][0]["versions"]}'
            for m in models:
                first = (runs["tensorgate"][0][m]["first_loss"], runs["torch"][0][m]["first_loss"])
                if abs(first[0] - first[1]) > 1e-3 * max(1.0, abs(first[1])):
                    sys.exit(f"bench_cnn: {m}: the first losses differ (tensorgate {first[0]}, PyTorch {first[1]}): "
                             "not the same network")
                for task in tasks:
                    ours = [run[m][task] for run in runs["tensorgate"]]
                    theirs = [run[m][task] for run in runs["torch"]]
                    ratio = statistics.median(a / b for a, b in zip(ours, theirs))
                    row = [t, m, task, f"{statistics.median(ours):,.0f}", f"{statistics.median(theirs):,.0f}",
                           f"{ratio:.2f}", f"{min(a / b for a, b in zip(ours, theirs)):.2f}–"
                           f"{max(a / b for a, b in zip(ours, theirs)):.2f}"]
                    if args.baseline:
                        old = [run[m][task] for run in runs["before"]]
                        row += [f"{statistics.median(a / b for a, b in zip(old, theirs)):.2f}",
                                f"{statistics.median(a / b for a, b in zip(ours, old)):.2f}"]
                    rows.append(row)
            print(f"threads {t}: {versions}", flush=True)
        header = ["threads", "model", "task", "tensorgate /s", "PyTorch /s", "tg/PyTorch", "range"]
        if args.baseline:
            header += ["before/PyTorch", "tg/before"]
        widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for r in rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


# ------------------------------------------------------------------------------------------- the workers
def _timed(fn, samples, min_time):
    """Samples per second of ``fn`` (which processes ``samples`` examples), after two warm-up calls."""
    import time
    fn()
    fn()
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            return samples * count / elapsed


def _batches(X, y, batch):
    count = X.shape[0] // batch
    return [(X[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]) for i in range(count)]


def _worker_tensorgate(args, data):
    import numpy as np
    import tensorgate as tg
    from tensorgate.models.zoo import LeNet5, ResNetSmall, SmallVGG

    tg.backend.tune_malloc()   # as fit and the CLI do
    build = {"lenet": LeNet5, "vgg": SmallVGG, "resnet": ResNetSmall, "mlp": _tensorgate_mlp}
    results = {"versions": f"numpy {np.__version__}, {_blas()}"}
    X, y = data["X"], data["y"]
    for name in args.models.split(","):
        model = build[name]()
        model.load_state_dict({k.split("/", 1)[1]: data[k] for k in data.files if k.startswith(name + "/")})
        loss_fn = tg.nn.CrossEntropyLoss()
        with tg.no_grad():
            first = float(loss_fn(model(tg.Tensor(X[:args.batch])), y[:args.batch]).item())
        step = tg.training.compile_step(model, loss_fn, tg.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM))
        batches, position = _batches(X, y, args.batch), [0]

        def train():
            xb, yb = batches[position[0] % len(batches)]
            position[0] += 1
            step(xb, yb)

        out = {"first_loss": first}
        if "train" in args.tasks:
            out["train"] = _timed(train, args.batch, args.min_time)
            assert step.replays > 0, "the compiled step did not replay"
        model.eval()
        for task, size in _inference_tasks(args):
            xb = X[:size]

            def infer():
                with tg.no_grad():
                    model(tg.Tensor(xb))

            def predict():
                tg.predict(model, xb, batch_size=size)
            out[task] = _timed(predict if task.startswith("predict") else infer, size, args.min_time)
        results[name] = out
    return results


def _torch_models():
    import torch
    nn = torch.nn

    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
            self.flatten = nn.Flatten()
            self.classifier = nn.Sequential(nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                            nn.Linear(84, 10))

        def forward(self, x):
            return self.classifier(self.flatten(self.features(x)))

    class SmallVGG(nn.Module):
        def __init__(self, widths=(16, 32, 64)):
            super().__init__()
            layers, c = [], 1
            for w in widths:
                for _ in range(2):
                    layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
                    c = w
                layers.append(nn.MaxPool2d(2))
            self.features = nn.Sequential(*layers)
            self.flatten = nn.Flatten()
            self.classifier = nn.Sequential(nn.Linear(c * 3 * 3, 128), nn.ReLU(), nn.Linear(128, 10))

        def forward(self, x):
            return self.classifier(self.flatten(self.features(x)))

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = None
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn1(self.conv1(x)).relu()
            out = self.bn2(self.conv2(out))
            return (out + (x if self.shortcut is None else self.shortcut(x))).relu()

    class ResNetSmall(nn.Module):
        def __init__(self, widths=(16, 32, 64)):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]),
                                      nn.ReLU())
            stages, c = [], widths[0]
            for i, w in enumerate(widths):
                stages.append(BasicBlock(c, w, 2 if i > 0 else 1))
                c = w
            self.stages = nn.Sequential(*stages)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.flatten = nn.Flatten()
            self.fc = nn.Linear(c, 10)

        def forward(self, x):
            return self.fc(self.flatten(self.pool(self.stages(self.stem(x)))))

    def mlp():
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))

    return {"lenet": LeNet5, "vgg": SmallVGG, "resnet": ResNetSmall, "mlp": mlp}


def _worker_torch(args, data):
    import torch

    torch.set_num_threads(args.threads_n)
    results = {"versions": f"torch {torch.__version__}, {torch.get_num_threads()} threads"}
    X, y = torch.from_numpy(data["X"]), torch.from_numpy(data["y"])
    build = _torch_models()
    for name in args.models.split(","):
        net = build[name]()
        net.load_state_dict({k.split("/", 1)[1]: torch.from_numpy(data[k]) for k in data.files
                             if k.startswith(name + "/")}, strict=True)
        with torch.no_grad():
            first = float(torch.nn.functional.cross_entropy(net(X[:args.batch]), y[:args.batch]))
        opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
        batches, position = _batches(X, y, args.batch), [0]

        def train():
            xb, yb = batches[position[0] % len(batches)]
            position[0] += 1
            loss = torch.nn.functional.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()

        out = {"first_loss": first}
        if "train" in args.tasks:
            out["train"] = _timed(train, args.batch, args.min_time)
        net.eval()
        for task, size in _inference_tasks(args):
            xb = X[:size]

            def infer():
                with torch.no_grad():
                    net(xb)
            out[task] = _timed(infer, size, args.min_time)
        results[name] = out
    return results


if __name__ == "__main__":
    ARGS = _parse()
    if ARGS.worker is None:
        main(ARGS)
    else:   # the thread variables were set by the parent, before this process imported anything
        if ARGS.worker == "torch":
            __import__("torch")   # before NumPy, as a PyTorch user's script would
        import numpy as np
        ARGS.threads_n = int(ARGS.threads)
        worker = _worker_tensorgate if ARGS.worker == "tensorgate" else _worker_torch
        with np.load(ARGS.data) as DATA:
            print(json.dumps(worker(ARGS, DATA)))
