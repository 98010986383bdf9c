"""The ring all-reduce's arithmetic, without Ray: every worker ends with the sum, bit for bit the same."""
import numpy as np
import pytest

from tensorgate.distributed.ring import Ring, all_reduce_locally


@pytest.mark.parametrize("world", [1, 2, 3, 5])
@pytest.mark.parametrize("n", [0, 1, 4, 103])
def test_every_worker_ends_with_the_same_sum(world, n):
    rng = np.random.default_rng(world * 1000 + n)
    vectors = [rng.standard_normal(n).astype(np.float32) for _ in range(world)]
    results = all_reduce_locally(vectors)
    expected = np.sum(np.stack(vectors), axis=0, dtype=np.float64) if n else np.zeros(0)
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
        assert result.dtype == np.float32
        assert np.array_equal(result, results[0])   # identical bits: the optimisers stay in step


def test_each_worker_sends_two_world_minus_two_chunks_of_a_world_th():
    ring = Ring(rank=1, world=4, values=np.arange(8.0))
    sent = [ring.outgoing(t) for t in range(ring.steps + 1)]
    assert ring.steps == 6 and sent[-1] is None
    assert [len(c) for c in sent[:-1]] == [2] * 6
    np.testing.assert_array_equal(sent[0], [2.0, 3.0])   # reduce-scatter starts with its own chunk, rank 1
