"""The MLP training step of two (or more) versions of tensorgate, side by side, each in its own process.

Answers "did this change keep the speed?" (issue 15: the compiled step stays at the NumPy floor, in one
run before and after; issue 17: bench_mlp.py's ratios unchanged). The model, data and floor are those of
``bench_mlp.py`` (MLP 784-256-128-10, SGD with momentum, float32); each version of tensorgate is taken
from git (``git archive REV src``, into a temporary folder removed at the end) and runs in a worker process
with its own ``src`` on the path; the working tree's ``src`` is the version "now". PyTorch runs in a
process of its own.

Each round, every worker runs one block of 5 steps per contender (tensorgate's workers: the NumPy floor,
the compiled step, the eager step, in a rotating order; PyTorch's: its step), the workers in a new
shuffled order every round, so that a neighbour's load, which changes over milliseconds, falls on all of
them alike. Ratios are speed ratios paired within a round, reported as the median and quartiles over
rounds:

* now / REV, compiled and eager: above 1, the working tree is faster;
* compiled / floor of each version: the block pairs of ``bench_mlp.py`` (floor and compiled step
  alternating in one process; issue 15's bar is a median of 0.97 or more at every batch size);
* compiled / PyTorch and eager / PyTorch of each version (as ``bench_mlp.py``'s comp/torch and tg/torch,
  but across processes).

    python benchmarks/bench_mlp_versions.py                              # f7384e5 vs now, 1 and 2 threads
    python benchmarks/bench_mlp_versions.py --revs f7384e5 dd6868e --batches 16 128 --seconds 30
"""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from common import table

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BLOCK = 5


# ---------------------------------------------------------------- worker side
def worker(kind, src, threads):
    """Answer requests on stdin, one JSON line each: {"batch": m} builds the contenders for batch size m
    and warms them up; {"round": r} runs one block of 5 steps of each contender (order rotated by r) and
    answers {contender: seconds}."""
    sys.path[:0] = [src, HERE]
    from threadpoolctl import threadpool_limits

    from tensorgate.backend.memory import tune_malloc     # in every version since before issue 15
    import bench_mlp

    tune_malloc()
    threadpool_limits(threads)
    contenders = {}
    for line in sys.stdin:
        request = json.loads(line)
        if "batch" in request:
            contenders = build(kind, bench_mlp, request["batch"], threads)
            for fn in list(contenders.values()) * 3:
                fn()
            module = sys.modules.get("tensorgate")      # which copy was imported, for the driver to check
            print(json.dumps({"ready": module.__file__ if module else None}), flush=True)
            continue
        names = list(contenders)
        shift = request["round"] % len(names)
        times = {}
        for name in names[shift:] + names[:shift]:
            fn = contenders[name]
            start = time.perf_counter()
            for _ in range(BLOCK):
                fn()
            times[name] = time.perf_counter() - start
        print(json.dumps(times), flush=True)


def build(kind, bench_mlp, batch_size, threads):
    """name → a function that runs one training step on the next batch."""
    weights = bench_mlp.init_weights()
    if kind == "torch":
        import torch

        torch.set_num_threads(threads)
        _, step = bench_mlp.torch_model(weights)
        data = bench_mlp.batches(batch_size)

        def run_torch():
            x, y = next(data)
            step(torch.from_numpy(x), torch.from_numpy(y))

        return {"torch": run_torch}
    import tensorgate as tg

    floor = bench_mlp.NumpyMLP(weights)
    _, eager_step = bench_mlp.tensorgate_model(weights)
    _, compiled_step = bench_mlp.tensorgate_compiled(weights)
    data = {name: bench_mlp.batches(batch_size) for name in ("floor", "compiled", "eager")}

    def run_floor():
        floor.step(*next(data["floor"]))

    def run_compiled():
        compiled_step(*next(data["compiled"]))

    def run_eager():
        x, y = next(data["eager"])
        eager_step(tg.from_numpy(x), tg.from_numpy(y))

    return {"floor": run_floor, "compiled": run_compiled, "eager": run_eager}


# ---------------------------------------------------------------- driver side
class Worker:
    def __init__(self, kind, src, threads):
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", kind,
                                         "--src", src, "--threads", str(threads)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a worker died")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def export(rev, into):
    """The ``src`` folder of ``rev``, written under ``into`` by git archive; returns its path."""
    archive = subprocess.run(["git", "-C", ROOT, "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return os.path.join(into, "src")


def quartiles(values):
    q1, median, q3 = statistics.quantiles(values, n=4)
    return f"{median:.3f} ({q1:.3f}-{q3:.3f})"


def measure(sources, threads, batch_sizes, seconds, min_rounds, pause):
    """Rows of the two tables (now vs each revision; each version's own ratios) for one thread count."""
    workers = {name: Worker("tensorgate", src, threads) for name, src in sources.items()}
    workers["torch"] = Worker("torch", os.path.join(ROOT, "src"), threads)
    versions = list(sources)
    compare_rows, version_rows = [], []
    try:
        for bs in batch_sizes:
            for name, w in workers.items():
                where = w.ask({"batch": bs})["ready"]
                if name != "torch" and not where.startswith(sources[name]):
                    raise RuntimeError(f"{name}'s worker imported tensorgate from {where}")
            samples, order, start, r = [], list(workers), time.perf_counter(), 0
            shuffler = random.Random(bs)
            while r < min_rounds or time.perf_counter() - start < seconds:
                shuffler.shuffle(order)
                got = {}
                for name in order:
                    if pause:
                        time.sleep(pause)
                    got[name] = workers[name].ask({"round": r})
                samples.append(got)
                r += 1

            def speed(a, ka, b, kb):          # how many times faster (a, ka) ran than (b, kb), per round
                return [s[b][kb] / s[a][ka] for s in samples]

            row = [bs, len(samples)]
            for rev in versions[:-1]:
                row += [quartiles(speed("now", "compiled", rev, "compiled")),
                        quartiles(speed("now", "eager", rev, "eager"))]
            compare_rows.append(row)
            for v in versions:
                version_rows.append([bs, v, quartiles(speed(v, "compiled", v, "floor")),
                                     f"{statistics.median(speed(v, 'compiled', 'torch', 'torch')):.3f}",
                                     f"{statistics.median(speed(v, 'eager', 'torch', 'torch')):.3f}",
                                     f"{bs * BLOCK / statistics.median(s[v]['compiled'] for s in samples):.0f}"])
            print(f"  {threads} thread(s), batch {bs}: {len(samples)} rounds; " + "; ".join(map(str, compare_rows[-1][2:]))
                  + "; " + "; ".join(" ".join(map(str, r[1:])) for r in version_rows[-len(versions):]),
                  file=sys.stderr, flush=True)           # partial results survive an interrupted run
    finally:
        for w in workers.values():
            w.close()
    return compare_rows, version_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revs", nargs="+", default=["f7384e5"], help="git revisions to compare with now")
    parser.add_argument("--batches", type=int, nargs="+", default=[16, 64, 128, 512, 1024])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=20.0, help="per batch size and thread count")
    parser.add_argument("--min-rounds", type=int, default=60)
    parser.add_argument("--pause", type=float, default=None,
                        help="seconds of sleep before each block with more than 1 thread (spinning pools of the "
                             "previous process settle); default 0.02")
    parser.add_argument("--worker", choices=["tensorgate", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.src, args.threads[0])
        return
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout
    print(f"tensorgate: now = the working tree (HEAD {head.strip()}), against {', '.join(args.revs)}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))     # killed: still close the workers, remove tmp
    tmp = tempfile.mkdtemp(prefix="tg-versions-")
    try:
        sources = {}
        for rev in args.revs:
            folder = os.path.join(tmp, rev.replace("/", "_"))
            os.makedirs(folder)
            sources[rev] = export(rev, folder)
        sources["now"] = os.path.join(ROOT, "src")
        for threads in args.threads:
            pause = (0.02 if threads > 1 else 0.0) if args.pause is None else args.pause
            compare, own = measure(sources, threads, args.batches, args.seconds, args.min_rounds, pause)
            print(f"\n{threads} thread(s): speed of now / each revision, median (quartiles) of paired blocks of "
                  f"{BLOCK} steps")
            table(compare, ["batch", "rounds"] + [f"{k} now/{rev}" for rev in args.revs for k in ("compiled", "eager")])
            print(f"\n{threads} thread(s): each version's own ratios (speed; compiled/floor: block pairs in one "
                  f"process, median (quartiles); /torch: medians across processes)")
            table(own, ["batch", "version", "compiled/floor", "compiled/torch", "eager/torch", "compiled samples/s"])
    finally:
        shutil.rmtree(tmp)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
