"""What only a real GPU can show above the gates: batches in page-locked memory, SGD's fused CuPy kernel, and
``tensorgate train --device cuda``. (Moving modules, the optimisers, clipping, save/load, fit and the compiled
step run on 'cuda' in test_strict_training.py, through the ``device`` fixture.) Skipped, with the reason,
where no GPU is usable.
"""
import json

import numpy as np
import pytest

import tensorgate as tg

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not tg.cuda.is_available(),
                                 reason="no NVIDIA GPU here (tg.cuda.is_available() is False: CuPy missing, or it "
                                        "sees no GPU)")]


def test_pin_memory_puts_batches_in_page_locked_memory():
    X, y = np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6)
    for xb, yb in tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=4, pin_memory=True):
        for t in (xb, yb):     # cupyx.empty_pinned: a NumPy array over CuPy's pinned memory
            assert isinstance(t.data, np.ndarray) and "Pinned" in type(t.data.base).__name__
        assert xb.to("cuda").is_cuda


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_fused_momentum_kernel_is_sgds_step(dtype):
    from tensorgate.backend import devices as D
    from tensorgate.backend import ops

    rng = np.random.default_rng(0)
    p, g, v = (rng.standard_normal((3, 5)).astype(dtype) for _ in range(3))
    moved = [D.to_device(a.copy(), "cuda") for a in (p, g, v)]
    ops.momentum_step(D.namespace(moved[0]), moved[0], moved[1], moved[2], lr=0.1, mu=0.9)
    v_expected = 0.9 * v + g
    np.testing.assert_allclose(D.to_numpy(moved[2]), v_expected, rtol=1e-6)
    np.testing.assert_allclose(D.to_numpy(moved[0]), p - 0.1 * v_expected, rtol=1e-6, atol=1e-7)


def test_cli_trains_on_the_gpu_and_writes_a_cpu_model(tmp_path):
    from tensorgate.cli.main import main

    out = tmp_path / "run"
    assert main(["train", "--device", "cuda", "--data", "xor", "--epochs", "2", "--out", str(out), "--no-plots",
                 "--progress", "none"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["training"]["device"] == "cuda"
    assert all(isinstance(p.data, np.ndarray) for p in tg.load(out / "model.tgate").parameters())
