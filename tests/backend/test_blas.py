"""backend.blas.axpy: y ← y + a·x in place through BLAS, against NumPy's two-step formula."""
import numpy as np
import pytest

from tensorgate.backend import blas


def assert_one_rounding_apart(result, expected, ax):
    """One fused multiply-add rounds a·x + y once where NumPy rounds a·x first: the two differ by at most
    half a unit in the last place of a·x plus one of the sum."""
    bound = 0.5 * np.spacing(np.abs(ax)) + np.spacing(np.maximum(np.abs(result), np.abs(expected)))
    assert np.all(np.abs(result - expected) <= bound)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1,), (7,), (256, 784), (3, 10_000), (blas.PIECE + 1,), ()])
def test_axpy_matches_numpy_in_place(dtype, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    y = rng.standard_normal(shape).astype(dtype)
    ax = dtype(-0.37) * x
    expected = y + ax
    before = y.__array_interface__["data"][0]
    result = blas.axpy(-0.37, x, y)
    assert result is y and y.__array_interface__["data"][0] == before and y.dtype == dtype
    assert_one_rounding_apart(y, expected, ax)


def test_pieces_cover_the_array_and_stay_on_one_thread():
    x = np.ones(2 * blas.PIECE + 5, np.float32)
    y = np.zeros_like(x)
    pieces = blas.axpy_pieces(x, y)
    assert [len(yp) for _, yp in pieces] == [blas.PIECE, blas.PIECE, 5]
    blas.axpy_over(2.0, pieces)
    blas.axpy_over(2.0, pieces)          # made once, used again: the pieces are views of y
    np.testing.assert_array_equal(y, 4.0)


def test_numpy_does_what_blas_cannot():
    rng = np.random.default_rng(1)
    x64 = rng.standard_normal((4, 6))
    for y in (rng.standard_normal((4, 6)).astype(np.float16),           # no BLAS for half precision
              np.asfortranarray(rng.standard_normal((4, 6)).astype(np.float32)),
              rng.standard_normal((4, 12)).astype(np.float32)[:, ::2],  # a strided view
              np.zeros((0, 6), np.float32)):
        x = x64[:, :y.shape[1]][:y.shape[0]].astype(y.dtype)
        assert blas.axpy_pieces(x, y) is None
        expected = y + 0.5 * x
        assert blas.axpy(0.5, x, y) is y and y.dtype == expected.dtype
        np.testing.assert_allclose(y, expected, rtol=1e-3)


def test_mixed_dtypes_and_numpy_scalars_do_not_promote():
    y = np.zeros(5, np.float32)
    blas.axpy(np.float64(0.1), np.ones(5, np.float64), y)   # x float64: NumPy, written back into float32
    blas.axpy(np.float64(0.1), np.ones(5, np.float32), y)   # BLAS, with a NumPy scalar a
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, 0.2, rtol=1e-6)


def test_a_read_only_y_is_refused_and_kept():
    y = np.zeros(5, np.float32)
    y.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        blas.axpy(1.0, np.ones(5, np.float32), y)
    np.testing.assert_array_equal(y, 0.0)
