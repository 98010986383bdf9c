"""ONNX converters for tensorgate's scikit-learn estimators, and for the pipelines that put features in front.

What each exported graph outputs (always float32, from a float32 input X of shape (batch, n_features)):

========================  ==================================================================
estimator                 output
========================  ==================================================================
LogisticRegression        ``predict_proba``: (batch, K) (σ for two classes, softmax for the
SoftmaxRegression         multinomial model, σ normalised to sum 1 for one-vs-rest)
MLPClassifier             ``predict_proba``: (batch, K) (softmax, [1 − σ, σ], or σ per label)
MLPRegressor              ``predict``: (batch,) for 1-D targets, (batch, k) otherwise
Perceptron                ``decision_function``: (batch,) for two classes, (batch, K) otherwise
OneVsRestClassifier       ``predict_proba`` when its estimators have it (positive-class
                          probabilities normalised to sum 1), else ``decision_function``
Pipeline                  its steps in order: PolynomialFeatures and StandardScaler as transforms,
                          then one of the estimators above
========================  ==================================================================

The estimators fit and predict in float64; the graph holds their weights rounded to float32, so its
outputs agree with tensorgate's to float32 precision. Converters read the fitted attributes that
scikit-learn documents (``coef_``, ``intercept_``, ``powers_``, ``mean_``, ``scale_``) and, for the MLPs,
the trained ``model_`` network through the layer converters.
"""
import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..models import (LogisticRegression, MLPClassifier, MLPRegressor, OneVsRestClassifier, Perceptron,
                      PolynomialFeatures, SoftmaxRegression)
from .graph import register_converter

__all__ = ["output_kind"]


def output_kind(estimator):
    """The estimator method whose result the exported graph gives: 'predict_proba', 'decision_function' or
    'predict' (for a Pipeline, its final step's)."""
    if isinstance(estimator, Pipeline):
        return output_kind(estimator.steps[-1][1])
    if type(estimator) is Perceptron:
        return "decision_function"
    if type(estimator) is OneVsRestClassifier:
        return "predict_proba" if hasattr(estimator, "predict_proba") else "decision_function"
    if type(estimator) is MLPRegressor:
        return "predict"
    return "predict_proba"


def _fitted(ctx, est, *attributes):
    missing = [a for a in attributes if not hasattr(est, a)]
    if missing:
        raise ctx.unsupported(est, f"it is not fitted (no {', '.join(missing)}); call fit first")


def _affine(ctx, est, x):
    """z = x Wᵀ + b from ``coef_`` (outputs, n) and ``intercept_`` (outputs,): one Gemm."""
    _fitted(ctx, est, "coef_", "intercept_")
    W, b = np.asarray(est.coef_), np.asarray(est.intercept_).reshape(-1)
    return ctx.op("Gemm", [x, ctx.const(W, "coef"), ctx.const(b, "intercept")], shape=(x.shape[0], W.shape[0]),
                  transB=1)


def _binary_proba(ctx, p):
    """[1 − p, p] from p (batch, 1): the two-class predict_proba."""
    q = ctx.op("Sub", [ctx.scalar(1.0), p])
    return ctx.op("Concat", [q, p], shape=(p.shape[0], 2), axis=1)


def _squeeze_column(ctx, z):
    """(batch, 1) → (batch,), scikit-learn's 1-D result for two classes or one target."""
    return ctx.op("Squeeze", [z, ctx.const(np.array([1], dtype=np.int64), "axes")], shape=(z.shape[0],))


@register_converter(LogisticRegression, SoftmaxRegression)
def logistic_regression(ctx, est, x):
    """predict_proba: σ(z) as [1 − σ, σ] for two classes; softmax(z) for the multinomial model;
    σ(zₖ)/Σⱼ σ(zⱼ) for one-vs-rest (as :meth:`LogisticRegression.predict_proba`)."""
    z = _affine(ctx, est, x)
    if z.shape[1] == 1:
        return _binary_proba(ctx, ctx.op("Sigmoid", [z]))
    if est.multi_class == "ovr":
        p = ctx.op("Sigmoid", [z])
        return ctx.op("Div", [p, ctx.op("ReduceSum", [p, ctx.const(np.array([1], dtype=np.int64), "axes")],
                                        shape=(z.shape[0], 1), keepdims=1)])
    return ctx.op("Softmax", [z], axis=1)


@register_converter(Perceptron)
def perceptron(ctx, est, x):
    """decision_function: z = x Wᵀ + b, (batch,) for two classes."""
    z = _affine(ctx, est, x)
    return _squeeze_column(ctx, z) if z.shape[1] == 1 else z


def _network(ctx, est, x):
    _fitted(ctx, est, "model_", "n_outputs_")
    return ctx.convert(est.model_, x, "model_")


@register_converter(MLPClassifier)
def mlp_classifier(ctx, est, x):
    """predict_proba: softmax(z) (K > 2 classes), [1 − σ(z), σ(z)] (two), σ(zₖ) per label (multi-label)."""
    z = _network(ctx, est, x)
    if est.out_activation_ == "softmax":
        return ctx.op("Softmax", [z], axis=1)
    p = ctx.op("Sigmoid", [z])
    return _binary_proba(ctx, p) if est.n_outputs_ == 1 else p


@register_converter(MLPRegressor)
def mlp_regressor(ctx, est, x):
    """predict: the network's output, (batch,) when it was fitted on a 1-D target."""
    z = _network(ctx, est, x)
    return _squeeze_column(ctx, z) if est.n_outputs_ == 1 else z


@register_converter(OneVsRestClassifier)
def one_vs_rest(ctx, ovr, x):
    """predict_proba: each binary estimator's positive-class probability, rows normalised to sum 1 (a row of
    zeros stays zeros); decision_function (estimators without predict_proba): their decision values side by
    side, (batch,) for two classes — as :class:`~tensorgate.models.OneVsRestClassifier` computes them."""
    _fitted(ctx, ovr, "estimators_")
    kind, m = output_kind(ovr), x.shape[0]
    columns = []
    for i, est in enumerate(ovr.estimators_):
        if output_kind(est) != kind:
            raise ctx.unsupported(ovr, f"its estimators' exported output is {output_kind(est)}, not {kind}")
        out = ctx.convert(est, x, f"estimators_.{i}")
        if kind == "predict_proba":   # the positive class's column
            columns.append(ctx.op("Gather", [out, ctx.const(np.array([1], dtype=np.int64), "positive")],
                                  shape=(m, 1), axis=1))
        else:
            columns.append(ctx.op("Unsqueeze", [out, ctx.const(np.array([1], dtype=np.int64), "axes")],
                                  shape=(m, 1)))
    if len(columns) == 1:
        return _binary_proba(ctx, columns[0]) if kind == "predict_proba" else _squeeze_column(ctx, columns[0])
    scores = ctx.op("Concat", columns, shape=(m, len(columns)), axis=1)
    if kind != "predict_proba":
        return scores
    total = ctx.op("ReduceSum", [scores, ctx.const(np.array([1], dtype=np.int64), "axes")], shape=(m, 1),
                   keepdims=1)
    zero = ctx.op("Equal", [total, ctx.scalar(0.0)], dtype=np.bool_)
    return ctx.op("Div", [scores, ctx.op("Where", [zero, ctx.scalar(1.0), total])])


@register_converter(PolynomialFeatures)
def polynomial_features(ctx, est, x):
    """φ(x): column j is Πᵢ xᵢ^powers_[j, i], in scikit-learn's column order.

    The columns of degree k are the elementwise product of k Gathers of x (the t-th factor of each column),
    multiplied left to right as :meth:`PolynomialFeatures.transform` does; the bias column is ones. The
    degrees come in ascending order (scikit-learn's), so the blocks are concatenated as they are made.
    """
    _fitted(ctx, est, "powers_")
    powers = np.asarray(est.powers_)
    degrees = powers.sum(axis=1)
    m = x.shape[0]
    parts, order = [], []
    if (degrees == 0).any():
        # a column of ones as tall as x: ConstantOfShape([batch, 1]) keeps the batch axis free
        shape = ctx.op("Shape", [x], shape=(2,), dtype=np.int64)
        batch = ctx.op("Gather", [shape, ctx.const(np.array([0], dtype=np.int64), "batch_axis")], shape=(1,))
        size = ctx.op("Concat", [batch, ctx.const(np.array([1], dtype=np.int64), "one")], shape=(2,), axis=0)
        one = ctx.onnx.numpy_helper.from_array(np.ones(1, dtype=ctx.dtype))
        parts.append(ctx.op("ConstantOfShape", [size], shape=(m, 1), dtype=ctx.dtype, value=one))
        order.extend(np.flatnonzero(degrees == 0))
    for k in sorted(set(degrees.tolist()) - {0}):
        columns = np.flatnonzero(degrees == k)
        # each column's feature indices with repetition, ascending (its monomial's factors)
        factors = np.array([np.repeat(np.arange(powers.shape[1]), powers[j]) for j in columns])
        product = None
        for t in range(k):
            picked = ctx.op("Gather", [x, ctx.const(factors[:, t].astype(np.int64), "factor")],
                            shape=(m, len(columns)), axis=1)
            product = picked if product is None else ctx.op("Mul", [product, picked])
        parts.append(product)
        order.extend(columns)
    if list(order) != list(range(len(order))):
        raise ctx.unsupported(est, "its columns are not ordered by degree, as scikit-learn orders them")
    return parts[0] if len(parts) == 1 else ctx.op("Concat", parts, shape=(m, len(order)), axis=1)


@register_converter(StandardScaler)
def standard_scaler(ctx, est, x):
    """(x − mean_) / scale_ (each step only where the scaler has it: with_mean, with_std)."""
    if getattr(est, "mean_", None) is not None and est.with_mean:
        x = ctx.op("Sub", [x, ctx.const(est.mean_, "mean")])
    if getattr(est, "scale_", None) is not None and est.with_std:
        x = ctx.op("Div", [x, ctx.const(est.scale_, "scale")])
    return x


@register_converter(Pipeline)
def pipeline(ctx, pipe, x):
    """The steps in order ('passthrough' and None steps skipped)."""
    for name, step in pipe.steps:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        x = ctx.convert(step, x, name)
    return x
