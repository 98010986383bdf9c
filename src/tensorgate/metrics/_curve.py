"""The one computation behind every curve: TP and FP counts at each distinct threshold.

Predict positive when score >= θ. Sweeping θ from +inf down past each distinct score turns one more group of
tied samples positive, so with the samples sorted by decreasing score

    tps[i] = number of positives among the samples with score >= thresholds[i]   (a cumulative sum)
    fps[i] = (number of samples with score >= thresholds[i]) - tps[i]

taken at the last sample of each group of tied scores. Sorting is the only O(n log n) step.

Two implementations that give identical arrays (a test checks it):

* ``_counts_at_thresholds_reference``, the textbook one: argsort the scores, reorder the labels, cumulative
  sum; it is the weighted path below with every weight 1. The order of samples within a group of tied scores
  does not change a count (only the sum over the whole group is read).
* ``_counts_at_thresholds``, the fast one, used by the public functions. An argsort (1-2 s for 10^7 floats)
  plus two random gathers costs far more than sorting plain numbers with NumPy's vectorised sort. For a
  non-negative IEEE float the bit pattern read as an unsigned integer is ordered like the number and is below
  2^63, so ``key = bits << 1 | label`` keeps the order of the scores and carries the label in its lowest bit:
  one ``np.sort`` of these keys sorts scores and labels together. Negative scores are sorted the same way by
  magnitude, as a second block. Integer scores that float64 holds exactly go the same way.

With sample weights w the counts become sums of weights (``_weighted_counts_at_thresholds``):

    tps[i] = sum of w over the positives with score >= thresholds[i]
    fps[i] = sum of w over the negatives with score >= thresholds[i]

after dropping the samples of weight 0, whose scores are then no thresholds (as in scikit-learn). That path
is the textbook one (argsort, cumulative sums of the weights); the fast path above is for counts only.
"""
import numpy as np

_UNSIGNED = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_ONE = np.uint64(1)


def _counts_at_thresholds_reference(y, score):
    """Reference path: the weighted one below with every weight 1 (sums of ones are exact counts).

    Shape: y (n,) bool, score (n,) -> fps, tps (T,) float64, thresholds (T,) decreasing.
    """
    return _weighted_counts_at_thresholds(y, score, np.ones(score.shape[0]))


def _weighted_counts_at_thresholds(y, score, weight):
    """Weighted counts. Shape: y (n,) bool, score (n,), weight (n,) >= 0, not all 0 -> fps, tps (T,) float64,
    thresholds (T,) decreasing: the distinct scores of the samples of nonzero weight.

    Each count is a cumulative sum of weights (fps one of its own rather than "total - tps", so that it never
    decreases through rounding), read at the last sample of each group of tied scores.
    """
    keep = weight != 0
    if not keep.all():
        y, score, weight = y[keep], score[keep], weight[keep]
    # decreasing score, ties in their original order: the order of scikit-learn's sums, so that the same
    # roundings give the same steps (drop_intermediate compares steps for equality)
    last = score.size - 1
    order = last - np.argsort(score[::-1], kind="stable")[::-1]
    score = score[order]
    y = y[order]
    weight = weight[order].astype(np.float64)
    ends = np.append(np.flatnonzero(score[1:] != score[:-1]), score.size - 1)
    tps = np.cumsum(np.where(y, weight, 0.0))[ends]
    fps = np.cumsum(np.where(y, 0.0, weight))[ends]
    return fps, tps, score[ends]


def _keys(bits, y, negative):
    """uint64 sort keys (n,) that order scores by decreasing value within each sign block.

    Without its sign bit, a float's bit pattern read as an unsigned integer is ordered like its magnitude;
    shifted left by one it leaves the lowest bit free, which holds "is a negative sample" (1 - y). Keys of
    scores >= 0 are then inverted (``~``), so that ascending keys mean descending scores there; for negative
    scores ascending magnitude already means descending score.
    """
    keys = bits.astype(np.uint64)                         # a copy, sorted in place later
    if bits.dtype.itemsize < 8:
        keys &= np.uint64((1 << (8 * bits.dtype.itemsize - 1)) - 1)    # clear the sign bit
    keys <<= _ONE                                         # (for 64 bits the sign bit falls off here)
    if negative is None:                                  # every score >= 0
        keys |= y
        np.invert(keys, out=keys)                         # the label bit now reads 1 - y
    else:
        keys |= y ^ negative                              # y where inverted below, 1 - y elsewhere
        keys ^= negative.astype(np.uint64) - _ONE         # all ones (invert) where score >= 0, else 0
    return keys


def _counts_at_thresholds(y, score):
    """Fast path, same result as the reference. Shape: y (n,) bool, score (n,) -> fps, tps, thresholds (T,)."""
    dtype = score.dtype
    work = score
    if dtype.kind in "biu":
        if score.size and max(abs(int(score.min())), abs(int(score.max()))) <= 2 ** 53:
            work = score.astype(np.float64)              # exact for |x| <= 2^53
        else:
            return _counts_at_thresholds_reference(y, score)
    elif dtype.kind != "f" or dtype.itemsize not in _UNSIGNED:
        return _counts_at_thresholds_reference(y, score)
    bits = work.view(_UNSIGNED[work.dtype.itemsize])

    # two blocks in decreasing score order: the scores >= 0 (-0.0 included), then the negative ones; each
    # is sorted in place by one np.sort of its keys
    negative = work < 0
    if negative.any():
        keys = _keys(bits, y, negative)
        first, second = np.flatnonzero(~negative), np.flatnonzero(negative)
        n_first = first.size
        blocked = np.empty_like(keys)
        np.take(keys, first, out=blocked[:n_first])
        np.take(keys, second, out=blocked[n_first:])
        del first, second
        keys = blocked
        keys[:n_first].sort()
        keys[n_first:].sort()
    else:
        keys = _keys(bits, y, None)
        keys.sort()
        n_first = keys.size

    # the last sample of each group of equal scores: where the key, label bit aside, changes, or a block ends
    values = keys >> _ONE
    is_end = np.empty(keys.size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=is_end[:-1])
    is_end[-1] = True
    if n_first:
        is_end[n_first - 1] = True
    ends = np.flatnonzero(is_end)
    del is_end

    # thresholds: undo the key at each group end (inverted in the first block, negated in the second)
    last = keys[ends]
    split = int(np.searchsorted(ends, n_first))
    last[:split] = ~last[:split]
    magnitude = (last >> _ONE).astype(bits.dtype).view(work.dtype)
    thresholds = magnitude.astype(dtype)
    thresholds[split:] = -magnitude[split:]

    # counts: the low bit says "negative sample"; reuse the values buffer for the cumulative sum
    np.bitwise_and(keys, _ONE, out=values)
    np.cumsum(values, out=values)
    fps = values[ends].astype(np.float64)
    tps = ends + 1.0
    tps -= fps
    return fps, tps, thresholds
