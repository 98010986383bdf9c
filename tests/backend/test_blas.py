"""backend.blas: y ← y + a·x in place through BLAS, over pieces, against NumPy's two-step formula."""
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
def test_axpy_over_pieces_matches_numpy_in_place(dtype, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    y = rng.standard_normal(shape).astype(dtype)
    ax = dtype(-0.37) * x
    expected = y + ax
    before = y.__array_interface__["data"][0]
    blas.axpy_over(-0.37, blas.axpy_pieces(x, y))
    assert y.__array_interface__["data"][0] == before and y.dtype == dtype
    assert_one_rounding_apart(y, expected, ax)


def test_pieces_cover_the_array_and_are_reused():
    x = np.ones(2 * blas.PIECE + 5, np.float32)
    y = np.zeros_like(x)
    pieces = blas.axpy_pieces(x, y)
    assert [len(yp) for _, yp in pieces] == [blas.PIECE, blas.PIECE, 5]   # OpenBLAS stays on one thread
    blas.axpy_over(2.0, pieces)
    x[:] = 3.0                           # made once, used again: the pieces are views of x and y
    blas.axpy_over(np.float64(2.0), pieces)
    np.testing.assert_array_equal(y, 8.0)
    assert y.dtype == np.float32


def test_no_pieces_where_blas_cannot_write_in_place():
    rng = np.random.default_rng(1)
    f32 = rng.standard_normal((4, 12)).astype(np.float32)
    read_only = f32.copy()
    read_only.flags.writeable = False
    cases = [(f32.astype(np.float16), f32.astype(np.float16)),   # no BLAS for half precision
             (f32, np.asfortranarray(f32)),                      # not C-contiguous
             (f32[:, ::2], f32[:, 1::2].copy()),                 # a strided x
             (f32, f32.astype(np.float64)),                      # dtypes that differ
             (f32[:, :6], f32[:, 6:].copy().reshape(6, 4)),      # shapes that differ
             (f32, read_only),
             (f32[:0], f32[:0].copy())]                          # empty
    for x, y in cases:
        assert blas.axpy_pieces(x, y) is None
    assert not blas.fits(read_only) and blas.fits(f32)
