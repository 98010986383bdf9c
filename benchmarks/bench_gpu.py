"""Training on the GPU: tensorgate (CuPy) against PyTorch CUDA, side by side in one process, interleaved.

The issue's workloads, float32, SGD with momentum 0.9 (lr 0.01), cross-entropy, from the same initial weights
(tensorgate's, copied into a PyTorch twin) on the same batches:

* MLP 784-4096-4096-10 at batch 4096 (GEMM-bound: the gap is only overhead; target ≥ 0.8× PyTorch) and at
  batch 128 (overhead-bound; target ≥ 0.5×);
* SmallVGG and ResNetSmall (``tensorgate.models.zoo``) on 1×28×28 images at batch 128 (target ≥ 0.5×).

Contenders per workload: tensorgate's compiled step (``tg.training.compile_step``, what ``tg.fit`` uses; it
returns the loss as a Python float, so it waits for the GPU at every step, as a loop that logs its loss
does), tensorgate eager (forward, backward, step; no float), and PyTorch eager (the same, no ``.item()``).
The batches live on the GPU already (a few distinct ones, cycled), so the host-to-device copy is not timed:
both libraries then do the same work. Each timed call runs ``--steps`` steps and then synchronises the GPU;
the contenders take turns in a shuffled order, round after round (``common.interleaved_samples``), and the
table gives medians over rounds and the median of the per-round ratios to PyTorch.

Without a GPU (no CuPy, or CuPy sees none) the script says so and exits 0; without PyTorch's CUDA it times
tensorgate alone.

    PYTHONPATH=src python benchmarks/bench_gpu.py                 # everything, about 2 minutes on an H100
    PYTHONPATH=src python benchmarks/bench_gpu.py --quick         # fewer rounds, shorter timing
    PYTHONPATH=src python benchmarks/bench_gpu.py --workloads mlp4096,vgg --json out.json
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "src"))

LR, MOMENTUM = 0.01, 0.9
#: name → (model, batch size, target ratio to PyTorch eager from the issue)
WORKLOADS = {"mlp4096": ("mlp", 4096, 0.8), "mlp128": ("mlp", 128, 0.5), "vgg": ("vgg", 128, 0.5),
             "resnet": ("resnet", 128, 0.5)}


def _parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated: " + ", ".join(WORKLOADS))
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds each contender is timed per round")
    parser.add_argument("--steps", type=int, default=5, help="training steps per timed call (then a GPU sync)")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.25 s")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--device", default="cuda",
                        help="cuda (default); array_api_strict runs the script's logic on the CPU's stand-in "
                             "device against PyTorch CPU (a smoke test of this script, not a benchmark)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.min_time = 3, 0.25
    return args


def _mlp(tg):
    nn = tg.nn
    return nn.Sequential(nn.Linear(784, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 10))


def _torch_mlp(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 10))


def _build(tg, torch, kind, device):
    """(tensorgate model on ``device``, its PyTorch twin with the same weights (on the GPU, or the CPU for the
    smoke test) or None, input shape)."""
    from tensorgate.models.zoo import ResNetSmall, SmallVGG

    tg.manual_seed(0)
    model = {"mlp": lambda: _mlp(tg), "vgg": SmallVGG, "resnet": ResNetSmall}[kind]()
    shape = (784,) if kind == "mlp" else (1, 28, 28)
    twin = None
    if torch is not None:
        if kind == "mlp":
            twin = _torch_mlp(torch)
        else:
            from bench_cnn import _torch_models
            twin = _torch_models()[kind]()
        twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()}, strict=True)
        twin = twin.to(_torch_device(device))
    return model.to(device), twin, shape


def _torch_device(device):
    return "cuda" if device.startswith("cuda") else "cpu"


def _contenders(tg, torch, kind, batch, steps, device):
    import numpy as np

    model, twin, shape = _build(tg, torch, kind, device)
    rng = np.random.default_rng(0)
    host = [(rng.standard_normal((batch,) + shape).astype(np.float32), rng.integers(0, 10, batch))
            for _ in range(4)]
    ours = [(tg.tensor(x, device=device), tg.tensor(y, device=device)) for x, y in host]
    loss_fn = tg.nn.CrossEntropyLoss()
    compiled_opt = tg.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    step = tg.training.compile_step(model, loss_fn, compiled_opt)
    position = [0]

    def tg_compiled():
        for _ in range(steps):
            x, y = ours[position[0] % len(ours)]
            position[0] += 1
            step(x, y)
        tg.cuda.synchronize()

    def tg_eager():
        for _ in range(steps):
            x, y = ours[position[0] % len(ours)]
            position[0] += 1
            loss = loss_fn(model(x), y)
            compiled_opt.zero_grad()
            loss.backward()
            compiled_opt.step()
        tg.cuda.synchronize()

    contenders = {"tg compiled": tg_compiled, "tg eager": tg_eager}
    first = {"tensorgate": float(loss_fn(model(ours[0][0]), ours[0][1]).item())}
    if twin is not None:
        where = _torch_device(device)
        theirs = [(torch.from_numpy(x).to(where), torch.from_numpy(y).to(where)) for x, y in host]
        opt = torch.optim.SGD(twin.parameters(), lr=LR, momentum=MOMENTUM)
        with torch.no_grad():
            first["torch"] = float(torch.nn.functional.cross_entropy(twin(theirs[0][0]), theirs[0][1]))

        def torch_eager():
            for _ in range(steps):
                x, y = theirs[position[0] % len(theirs)]
                position[0] += 1
                loss = torch.nn.functional.cross_entropy(twin(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            if where == "cuda":
                torch.cuda.synchronize()

        contenders["torch eager"] = torch_eager
    return contenders, first, step


def main(args):
    import tensorgate as tg

    smoke = args.device == "array_api_strict"
    if not smoke and not tg.cuda.is_available():
        print("bench_gpu: skipped: no GPU here (tg.cuda.is_available() is False: it needs CuPy, "
              "pip install 'tensorgate[cuda12]' or '[cuda13]', and an NVIDIA GPU with its driver)")
        return 0
    try:
        import torch
        if not smoke and not torch.cuda.is_available():
            print("bench_gpu: PyTorch sees no GPU (a CPU-only build?): timing tensorgate alone")
            torch = None
    except ImportError:
        print("bench_gpu: PyTorch is not installed: timing tensorgate alone")
        torch = None
    from common import interleaved_samples

    if smoke:
        name, versions = "array_api_strict (smoke test: not a benchmark)", "PyTorch CPU" if torch else ""
    else:
        import cupy
        name = tg.cuda.get_device_name()
        versions = f"CuPy {cupy.__version__}" + (f", PyTorch {torch.__version__} (CUDA {torch.version.cuda})"
                                                 if torch is not None else "")
    print(f"{name}; {versions}; {time.strftime('%Y-%m-%d')}; {args.rounds} rounds of {args.min_time} s, "
          f"{args.steps} steps per timed call\n")
    rows = []
    for workload in args.workloads.split(","):
        kind, batch, target = WORKLOADS[workload]
        contenders, first, step = _contenders(tg, torch, kind, batch if not smoke else 8, args.steps, args.device)
        batch = batch if not smoke else 8
        if "torch" in first and abs(first["torch"] - first["tensorgate"]) > 1e-3 * max(1.0, abs(first["torch"])):
            print(f"warning: {workload}: the first losses differ: {first}")
        samples = interleaved_samples(contenders, rounds=args.rounds, min_time=args.min_time)
        speed = {c: batch * args.steps / statistics.median(s) for c, s in samples.items()}
        row = {"workload": workload, "batch": batch, "target": target, "samples_per_sec": speed,
               "replays": step.replays, "first_loss": first}
        if "torch eager" in samples:
            for c in ("tg compiled", "tg eager"):
                row[f"{c} / torch"] = statistics.median(t / o for o, t in zip(samples[c], samples["torch eager"]))
        rows.append(row)
        ratio = row.get("tg compiled / torch")
        print(f"{workload:8s} batch {batch:5d}: " + ", ".join(f"{c} {v:,.0f}/s" for c, v in speed.items())
              + (f"; compiled/torch {ratio:.2f} (eager/torch {row['tg eager / torch']:.2f}), target ≥ {target}"
                 if ratio is not None else "") + ("" if step.replays else "  [the compiled step never replayed]"),
              flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": name, "versions": versions, "date": time.strftime("%Y-%m-%d"), "rows": rows}, f,
                      indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(_parse()))
