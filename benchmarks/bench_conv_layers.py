"""One convolution layer at a time, tensorgate vs PyTorch, each in its own process: where training's gap is.

SmallVGG's three heaviest layers (3×3, padding 1, batch 64; each 1.8 million multiply-adds per image):
16 → 16 channels at 28×28, 32 → 32 at 14×14, 64 → 64 at 7×7. For each, in a worker process per library
(threads set before NumPy or PyTorch loads), alternating round after round, the median time of

* ``forward``: the layer's forward with a graph, as in a training step (``F.conv2d`` on tensors that
  require gradients);
* ``step``: forward and backward (∂L/∂x and ∂L/∂W);
* ``gemm`` (tensorgate's worker only): the forward's matrix product alone, Wmat (C_out × 9·C_in) times the
  whole batch's patch matrix (9·C_in × N·H·W), with its GFLOP/s: what NumPy's BLAS gives this shape;
* ``winograd`` (tensorgate's worker only): the same forward as Winograd F(2×2, 3×3) written in NumPy (2.25×
  fewer multiplications): 4×4 input tiles gathered and transformed by one 16 × 16 product, 16 products of
  C_out × C_in by C_in × tiles, the output transform by one 4 × 16 product; its result is checked against
  the direct product. Timed without putting the output tiles back in image order, which flatters it.
  Not in the library: this measures whether it would gain.

    PYTHONPATH=src python benchmarks/bench_conv_layers.py                 # 1 and 2 threads, 3 rounds
    PYTHONPATH=src python benchmarks/bench_conv_layers.py --threads 1 --rounds 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = ((16, 28), (32, 14), (64, 7))   # channels in = out, image side
BATCH = 64


def _median_ms(fn, repeats=15):
    import time
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def _worker_torch():
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    out = {}
    for c, side in LAYERS:
        x = torch.randn(BATCH, c, side, side, requires_grad=True)
        w = torch.randn(c, c, 3, 3, requires_grad=True)
        g = torch.ones(BATCH, c, side, side)

        def step():
            F.conv2d(x, w, padding=1).backward(g)
        out[f"{c}"] = {"forward": _median_ms(lambda: F.conv2d(x, w, padding=1)), "step": _median_ms(step)}
    return out


def _winograd(x_pad, u, c_out, side):
    """F(2×2, 3×3) forward on a padded channels-major batch (C, N, Hp, Wp) with Hp, Wp even; returns the
    output tiles (2, 2, C_out, N, T, T) and needs U = G w Gᵀ as (16, C_out, C_in)."""
    import numpy as np
    from numpy.lib.stride_tricks import as_strided
    bt = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], x_pad.dtype)
    at = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], x_pad.dtype)
    c, n = x_pad.shape[:2]
    t = (side + 1) // 2
    s = x_pad.strides
    tiles = as_strided(x_pad, (4, 4, c, n, t, t), (s[2], s[3], s[0], s[1], 2 * s[2], 2 * s[3]))
    gathered = np.ascontiguousarray(tiles).reshape(16, -1)
    v = (np.kron(bt, bt) @ gathered).reshape(16, c, -1)             # Bᵀ d B for every tile and channel
    m = np.matmul(u, v)                                               # (16, C_out, tiles)
    return (np.kron(at, at) @ m.reshape(16, -1)).reshape(2, 2, c_out, n, t, t)


def _worker_tensorgate():
    import numpy as np
    import tensorgate as tg
    import tensorgate.nn.functional as F
    rng = np.random.default_rng(0)
    out = {}
    for c, side in LAYERS:
        x = tg.tensor(rng.standard_normal((BATCH, c, side, side), dtype=np.float32), requires_grad=True)
        w = tg.tensor(rng.standard_normal((c, c, 3, 3), dtype=np.float32), requires_grad=True)
        g = tg.tensor(np.ones((BATCH, c, side, side), np.float32))

        def step():
            F.conv2d(x, w, padding=1).backward(g)
        pad = side + 2 + side % 2                                    # even, for 2×2 output tiles
        x_pad = np.zeros((c, BATCH, pad, pad), np.float32)
        x_pad[:, :, 1:side + 1, 1:side + 1] = x.data.transpose(1, 0, 2, 3)
        windows = np.lib.stride_tricks.sliding_window_view(x_pad[:, :, :side + 2, :side + 2], (3, 3), axis=(2, 3))
        cols = np.ascontiguousarray(windows.transpose(0, 4, 5, 1, 2, 3)).reshape(9 * c, -1)
        wmat = w.data.reshape(c, -1)
        gg = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]], np.float32)
        u = np.einsum("ai,ocij,bj->aboc", gg, w.data, gg).reshape(16, c, c).copy()
        tiles = _winograd(x_pad, u, c, side)
        wino = tiles.transpose(2, 3, 4, 0, 5, 1).reshape(c, BATCH, 2 * tiles.shape[4], -1)[:, :, :side, :side]
        direct = (wmat @ cols).reshape(c, BATCH, side, side)
        error = float(np.abs(wino - direct).max() / np.abs(direct).max())
        gemm = _median_ms(lambda: wmat @ cols)
        out[f"{c}"] = {"forward": _median_ms(lambda: F.conv2d(x, w, padding=1)), "step": _median_ms(step),
                       "gemm": gemm, "gemm GFLOP/s": 2 * wmat.size * cols.shape[1] / gemm / 1e6,
                       "winograd": _median_ms(lambda: _winograd(x_pad, u, c, side)), "winograd error": error}
    return out


def _run(library, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    done = subprocess.run([sys.executable, __file__, "--worker", library], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench_conv_layers: the {library} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both processes")
    parser.add_argument("--worker", choices=("torch", "tensorgate"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker_torch() if args.worker == "torch" else _worker_tensorgate()))
        return
    print(f"bench_conv_layers: batch {BATCH}, 3×3 padding 1, float32, {args.rounds} alternating rounds; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
    print("threads  layer          tg forward  torch forward  tg step  torch step  step tg/torch  "
          "tg GEMM alone  GEMM GFLOP/s  Winograd forward")
    for threads in (int(t) for t in args.threads.split(",")):
        rounds = {"torch": [], "tensorgate": []}
        for r in range(args.rounds):
            order = ("tensorgate", "torch") if r % 2 == 0 else ("torch", "tensorgate")
            for library in order:
                rounds[library].append(_run(library, threads))
        for c, side in LAYERS:
            def med(library, key):
                return statistics.median(run[f"{c}"][key] for run in rounds[library])
            print(f"{threads:<8} {c}→{c} {side}×{side}".ljust(24)
                  + f"{med('tensorgate', 'forward'):8.2f} ms {med('torch', 'forward'):10.2f} ms "
                  f"{med('tensorgate', 'step'):7.2f} ms {med('torch', 'step'):7.2f} ms "
                  f"{med('torch', 'step') / med('tensorgate', 'step'):10.2f} "
                  f"{med('tensorgate', 'gemm'):11.2f} ms {med('tensorgate', 'gemm GFLOP/s'):9.0f} "
                  f"{med('tensorgate', 'winograd'):12.2f} ms (error {med('tensorgate', 'winograd error'):.0e})")


if __name__ == "__main__":
    main()
