"""Streaming metrics: accumulated over random batch splits they equal the one-shot function."""
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorgate.metrics as tm
from tensorgate.autograd import Tensor
from metrics_helpers import assert_close, quiet


@st.composite
def batched_problems(draw, kinds=("labels", "probability", "logits")):
    """(preds, target, K, kind, cut points): preds as labels (m,), probabilities (m,) or logits (m, K)."""
    kind = draw(st.sampled_from(kinds))
    k = 2 if kind == "probability" else draw(st.integers(2, 5))
    m = draw(st.integers(1, 60))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    target = rng.integers(0, k, m)
    if kind == "labels":
        preds = np.where(rng.random(m) < 0.6, target, rng.integers(0, k, m))
    elif kind == "probability":
        preds = np.clip(0.5 * target + rng.normal(0.25, 0.3, m), 0, 1).round(1)   # ties and exact 0.5
    else:
        preds = (rng.normal(size=(m, k)) + 1.5 * np.eye(k)[target]).round(1)
    cuts = sorted(set(draw(st.lists(st.integers(1, max(m - 1, 1)), max_size=5))) - {m})
    return preds, target, k, kind, cuts


def predicted_labels(preds, kind):
    if kind == "logits":
        return np.argmax(preds, axis=1)
    if kind == "probability":
        return (preds >= 0.5).astype(int)
    return preds


def feed(metric, preds, target, cuts):
    for p, t in zip(np.split(preds, cuts), np.split(target, cuts)):
        metric.update(p, t)
    return metric.compute()


@settings(max_examples=40)
@given(problem=batched_problems())
def test_accuracy_and_confusion_matrix_equal_one_shot(problem):
    preds, target, k, kind, cuts = problem
    labels = predicted_labels(preds, kind)
    assert_close(feed(tm.Accuracy(), preds, target, cuts), skm.accuracy_score(target, labels))
    cm = feed(tm.ConfusionMatrix(k), preds, target, cuts)
    assert cm.dtype == np.int64
    assert np.array_equal(cm, skm.confusion_matrix(target, labels, labels=range(k)))
    with quiet():
        assert_close(feed(tm.ConfusionMatrix(k, normalize="true"), preds, target, cuts),
                     skm.confusion_matrix(target, labels, labels=range(k), normalize="true"))


@settings(max_examples=60)
@given(problem=batched_problems(), which=st.sampled_from(["precision", "recall", "f1"]),
       average=st.sampled_from(["binary", "micro", "macro", "weighted", None]), fixed_k=st.booleans())
def test_precision_recall_f1_equal_one_shot(problem, which, average, fixed_k):
    preds, target, k, kind, cuts = problem
    labels = predicted_labels(preds, kind)
    metric_class, oracle = {"precision": (tm.Precision, skm.precision_score),
                            "recall": (tm.Recall, skm.recall_score),
                            "f1": (tm.F1, skm.f1_score)}[which]
    metric = metric_class(average=average, num_classes=k if fixed_k else None)
    assert metric.name == which
    with quiet():
        try:
            expected = oracle(target, labels, average=average, zero_division=0,
                              labels=range(k) if fixed_k and average != "binary" else None)
        except ValueError as error:                        # e.g. multi-class data with average='binary'
            with pytest.raises(ValueError, match=str(error).split(".")[0][:30]):
                feed(metric, preds, target, cuts)
            return
        assert_close(feed(metric, preds, target, cuts), expected)


@settings(max_examples=40)
@given(problem=batched_problems(kinds=("probability", "logits")))
def test_auroc_equals_one_shot(problem):
    preds, target, k, kind, cuts = problem
    metric = tm.AUROC()
    if kind == "probability" or k == 2:
        scores = preds if preds.ndim == 1 else preds[:, 1]
        with quiet():
            expected = skm.roc_auc_score(target, scores) if len(np.unique(target)) == 2 else np.nan
            assert_close(feed(metric, preds, target, cuts), expected)
        return
    proba = np.exp(preds) / np.exp(preds).sum(axis=1, keepdims=True)
    with quiet():
        expected = skm.roc_auc_score(target, proba, multi_class="ovr", labels=range(k))
        assert_close(feed(metric, proba, target, cuts), expected)
        # logits need not sum to 1: one-vs-rest AUC of each raw column, then the mean (nan if a class is absent)
        if len(np.unique(target)) == k:
            expected = np.mean([skm.roc_auc_score(target == c, preds[:, c]) for c in range(k)])
        else:
            expected = np.nan
        assert_close(feed(tm.AUROC(), preds, target, cuts), expected)


def test_reset_and_reuse():
    metric = tm.F1(average="macro")
    metric.update([0, 1, 2], [0, 1, 1])
    first = metric.compute()
    metric.reset()
    with pytest.raises(RuntimeError, match="before any update"):
        metric.compute()
    metric.update([0, 1, 2], [0, 1, 1])
    assert metric.compute() == first
    auroc = tm.AUROC()
    auroc.update([0.1, 0.9], [0, 1])
    auroc.reset()
    auroc.update([0.9, 0.1], [0, 1])
    assert auroc.compute() == 0.0


def test_names_and_reprs():
    metrics = [tm.Accuracy(), tm.ConfusionMatrix(3), tm.Precision(), tm.Recall(), tm.F1(), tm.AUROC()]
    assert [m.name for m in metrics] == ["accuracy", "confusion_matrix", "precision", "recall", "f1", "auroc"]
    assert repr(tm.Precision(average="macro")) == "Precision(average='macro', num_classes=None, pos_label=1)"


def test_tensor_batches():
    metric = tm.Accuracy()
    metric.update(Tensor(np.array([[0.2, 0.8], [0.9, 0.1]])), Tensor(np.array([1, 1])))
    assert metric.compute() == 0.5


def test_bad_batches_name_the_argument_and_index():
    with pytest.raises(ValueError, match=r"target\[2\] = 3 is not a class in 0..2"):
        tm.ConfusionMatrix(3).update([0, 1, 2], [0, 1, 3])
    with pytest.raises(ValueError, match=r"preds\[0\] = 5 is not a class in 0..2"):
        tm.Precision(average="macro", num_classes=3).update([5, 1], [0, 1])
    with pytest.raises(ValueError, match="preds and target have different lengths"):
        tm.Accuracy().update([0, 1], [0])
    with pytest.raises(ValueError, match=r"preds\[1, 0\] is nan"):
        tm.Accuracy().update([[0.1, 0.9], [np.nan, 0.1]], [0, 1])
    with pytest.raises(ValueError, match=r"target\[1\] = 0.5 is not a class label"):
        tm.Recall().update([0, 1], [0.0, 0.5])
    with pytest.raises(ValueError, match="preds is empty"):
        tm.Accuracy().update([], [])
    with pytest.raises(ValueError, match="earlier batches had"):
        auroc = tm.AUROC()
        auroc.update(np.full((2, 3), 1 / 3), [0, 1])
        auroc.update([0.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match="average must be one of"):
        tm.F1(average="samples")
