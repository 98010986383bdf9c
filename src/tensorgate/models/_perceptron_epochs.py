"""The perceptron's epochs, as scikit-learn's SGD runs them (``loss='perceptron'``, constant η), fast in NumPy.

For one binary problem (y ∈ {−1, +1}) and each example in turn (scikit-learn's ``_plain_sgd``):

.. code-block:: text

    p = w·x + b                                   the score before the update
    objective += max(0, −y p) + α((1 − r)·½‖w‖² + r‖w‖₁)      (penalty term only with a penalty)
    u = η·y·c_y·s  if y p ≤ 0 else 0              (a mistake: c_y the class weight, s the sample weight)
    w ← w·max(0, 1 − (1 − r)ηα)                   ('l2', 'elasticnet': weight decay)
    w ← w + u·x,  b ← b + u·d                     (d = 1 for dense X, 0.01 for sparse, as scikit-learn)
    'l1', 'elasticnet': truncated gradient (Tsuruoka et al. 2009) with the cumulative penalty u_t += rηα

(r is ``l1_ratio`` for 'elasticnet', 0 for 'l2' and 1 for 'l1', as scikit-learn sets it.)

An epoch is sequential, but a correctly classified example changes w only by the decay factor, so the
scores of the examples up to the next mistake all follow from one matrix product: with w kept as s·v
(a scale s and a vector v, as scikit-learn's ``WeightVector``), the example j places after the current
one has p_j = s·δ^j·(v·x_j) + b. :func:`_epoch_blocks` computes X_block v for a block of upcoming
examples, finds the first j with y_j p_j ≤ 0, applies the decay of the j clean examples in closed form
(s ← s·δ^(j+1), Σ of the penalty terms as a geometric sum) and the one update, and goes on after it: the
same arithmetic as one example at a time, up to the rounding of the dot products. The L1 part changes w
per example in a way that does not factor, so 'l1' and 'elasticnet' take :func:`_epoch_each`.
"""
import numpy as np

__all__ = ["fit_binary"]

#: block sizes, in examples, between which the block of :func:`_epoch_blocks` adapts to the mistake rate
_SMALLEST_BLOCK, _LARGEST_BLOCK = 8, 2048


#: examples gathered at a time from the shuffled order (a buffer that stays in the cache)
_CHUNK = 512


def _epoch_blocks(X, y, gain, state, eta, alpha, l1_ratio, penalised, intercept_decay, order=None):
    """One epoch over (X, y) in ``order`` (None: as stored), mistake to mistake (no L1 part). Returns
    (objective sum, mistakes). ``gain`` = η·y·c_y·s per example (the update on a mistake); ``state`` =
    [v, s, b, block]. The rows are gathered ``_CHUNK`` at a time, a copy that stays in the cache (copying
    all of a shuffled X at once cost more than the products; ``np.take(out=)`` is 3× slower than this)."""
    n = X.shape[0]
    total, mistakes = 0.0, 0
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        if order is None:
            rows, ys, gains = X[start:stop], y[start:stop], gain[start:stop]
        else:
            index = order[start:stop]
            rows = X[index]
            ys, gains = y[index], gain[index]
        t, m = _blocks(rows, ys, gains, state, eta, alpha, l1_ratio, penalised, intercept_decay)
        total += t
        mistakes += m
    return total, mistakes


def _blocks(X, y, gain, state, eta, alpha, l1_ratio, penalised, intercept_decay):
    v, s, b, block = state
    n = X.shape[0]
    decay = max(0.0, 1.0 - (1.0 - l1_ratio) * eta * alpha) if penalised else 1.0
    half_l2, l1 = alpha * (1.0 - l1_ratio) * 0.5, alpha * l1_ratio
    total, mistakes, k = 0.0, 0, 0
    powers = decay ** np.arange(_LARGEST_BLOCK + 1) if decay != 1.0 else None
    while k < n:
        stop = min(n, k + block)
        q = X[k:stop] @ v
        if q.ndim != 1:
            q = np.ravel(q)
        p = (s * powers[:len(q)]) * q + b if powers is not None else s * q + b
        margin = y[k:stop] * p
        bad = (margin <= 0).nonzero()[0]
        clean = len(q) if bad.size == 0 else int(bad[0])
        seen = clean if bad.size == 0 else clean + 1       # examples whose penalty term and decay apply
        if penalised:
            sq, ab = float(v @ v), float(np.abs(v).sum())
            if powers is not None:
                total += half_l2 * s * s * sq * float(np.sum(powers[:seen] ** 2)) + l1 * s * ab * float(
                    np.sum(powers[:seen]))
            else:
                total += seen * (half_l2 * s * s * sq + l1 * s * ab)
        if powers is not None:
            s *= powers[seen]
            if s < 1e-9:                                   # keep v·s representable, as WeightVector does
                v *= s
                s = 1.0
        if bad.size == 0:
            k = stop
            block = min(2 * block, _LARGEST_BLOCK)
            continue
        i = k + clean
        total -= float(margin[clean])                      # the perceptron loss max(0, −y p) of the mistake
        mistakes += 1
        u = gain[i]
        if u != 0.0:
            if s == 0.0:                                   # the decay reached 0 (ηα ≥ 1): w is 0
                v[...] = 0.0
                s = 1.0
            row = X[i]
            if hasattr(row, "indices"):
                v[row.indices] += (u / s) * row.data
            else:
                v += (u / s) * row
            b += u * intercept_decay
        k = i + 1
        block = min(max(2 * (clean + 1), _SMALLEST_BLOCK), _LARGEST_BLOCK)
    state[:] = [v, s, b, block]
    return total, mistakes


def _epoch_each(X, y, gain, state, eta, alpha, l1_ratio, penalised, intercept_decay, cumulative):
    """One epoch, one example at a time: the 'l1' and 'elasticnet' penalties (truncated gradient).

    ``cumulative`` = [u, q]: the total L1 penalty so far and what each weight has received of it."""
    v, s, b, block = state
    v *= s
    s = 1.0
    decay = max(0.0, 1.0 - (1.0 - l1_ratio) * eta * alpha)
    half_l2, l1 = alpha * (1.0 - l1_ratio) * 0.5, alpha * l1_ratio
    u_total, q = cumulative
    total, mistakes = 0.0, 0
    dense = not hasattr(X, "indices")
    for i in range(X.shape[0]):
        row = X[i]
        if dense:
            p = float(v @ row) + b
        else:
            p = float(v[row.indices] @ row.data) + b
        total += max(0.0, -y[i] * p) + half_l2 * float(v @ v) + l1 * float(np.abs(v).sum())
        u = gain[i] if y[i] * p <= 0 else 0.0
        mistakes += y[i] * p <= 0
        v *= decay
        if u != 0.0:
            if dense:
                v += u * row
            else:
                v[row.indices] += u * row.data
            b += u * intercept_decay
        u_total += l1_ratio * eta * alpha
        index = slice(None) if dense else row.indices       # scikit-learn truncates the example's features
        before = v[index].copy()
        shrunk = np.where(before > 0, np.maximum(0.0, before - (u_total + q[index])),
                          np.where(before < 0, np.minimum(0.0, before + (u_total - q[index])), before))
        v[index] = shrunk
        q[index] += shrunk - before
    cumulative[:] = [u_total, q]
    state[:] = [v, s, b, block]
    return total, mistakes


def fit_binary(X, y, gain, coef, intercept, *, eta, alpha, l1_ratio, penalty, max_iter, tol, n_iter_no_change,
               shuffle, seed, fit_intercept, intercept_decay, validation=None, verbose=False):
    """Train one binary perceptron (y ∈ {−1, +1}) from (coef, intercept) with scikit-learn's stopping rule.

    Stops when the epoch's objective (mean over examples) has not fallen below the best − tol
    ``n_iter_no_change`` times in a row (or, with ``validation`` = (X_val, y_val, weights), when the
    validation accuracy has not risen above the best + tol), or after ``max_iter`` epochs.
    Returns (coef, intercept, epochs run, mistakes per epoch, stopped by the rule).

    Shape: X: (n, d) dense or CSR; y, gain: (n,); coef: (d,).
    """
    rng = np.random.RandomState(seed)
    penalised = penalty is not None
    l1_ratio = {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)
    per_example = penalty in ("l1", "elasticnet")
    state = [np.array(coef, dtype=X.dtype), 1.0, float(intercept), _SMALLEST_BLOCK]
    cumulative = [0.0, np.zeros(X.shape[1], dtype=np.float64)]
    decay_b = intercept_decay if fit_intercept else 0.0
    best_objective, best_score, stale, errors, stopped = np.inf, -np.inf, 0, [], False
    n = X.shape[0]
    epoch = 0
    for epoch in range(1, int(max_iter) + 1):
        order = rng.permutation(n) if shuffle else None
        if per_example:
            Xe, ye, ge = (X[order], y[order], gain[order]) if shuffle else (X, y, gain)
            total, mistakes = _epoch_each(Xe, ye, ge, state, eta, alpha, l1_ratio, penalised, decay_b, cumulative)
        else:
            total, mistakes = _epoch_blocks(X, y, gain, state, eta, alpha, l1_ratio, penalised, decay_b, order)
        errors.append(int(mistakes))
        v, s, b = state[0], state[1], state[2]
        if not np.isfinite(b) or not np.all(np.isfinite(v)):  # type: ignore[call-overload]
            raise ValueError(f"Perceptron: floating-point overflow at epoch {epoch}; scale the data (e.g. with "
                             "StandardScaler)")
        if verbose:
            print(f"-- Epoch {epoch}: {mistakes} mistakes, average objective {total / n:.6f}")
        if validation is not None:
            X_val, y_val, w_val = validation
            z = np.ravel(X_val @ (v * s)) + b  # type: ignore[operator]
            score = float(np.average((np.where(z > 0, 1.0, -1.0) == y_val), weights=w_val))
            stale = stale + 1 if score < best_score + tol else 0
            best_score = max(best_score, score)
        else:
            objective = total / n
            stale = stale + 1 if objective > best_objective - tol else 0
            best_objective = min(best_objective, objective)
        if stale >= n_iter_no_change:
            stopped = True
            break
    v, s, b = state[0], state[1], state[2]
    return v * s, b, epoch, errors, stopped  # type: ignore[operator]
