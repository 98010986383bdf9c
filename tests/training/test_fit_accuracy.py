"""What fit's "accuracy" reports: the accuracy that fits the loss and the targets, as Keras and scikit-learn.

Multi-label (one sigmoid per output, BCE with logits, 0/1 indicator targets) reports per-label accuracy
(Keras's binary_accuracy) and subset accuracy (scikit-learn's accuracy_score on indicator matrices), never
the argmax of the rows.
"""
import numpy as np
import pytest
import sklearn.metrics as skm

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.functional import binary_cross_entropy_with_logits, cross_entropy
from tensorgate.metrics import Accuracy, BinaryAccuracy, SubsetAccuracy
from tensorgate.training import TaskAccuracy, evaluate, fit, predict


def multilabel_problem(m=240, seed=0):
    """Label j of x is [x_j > 0]: a linear layer can get every label right."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3)).astype(np.float32)
    Y = (X > 0).astype(np.float32)
    return X, Y


def test_multilabel_fit_reports_binary_and_subset_accuracy_not_argmax():
    X, Y = multilabel_problem()
    tg.manual_seed(0)
    model = nn.Linear(3, 3)
    history = fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05), (X, Y),
                  epochs=60, batch_size=32, verbose=False, seed=0, val_data=(X[:50], Y[:50]))
    h = history.history
    assert "accuracy" not in h                    # ambiguous for multi-label: neither name is given to it
    logits = predict(model, X)
    decided = (logits >= 0).astype(np.float32)
    # by hand: the fraction of (example, label) entries right, and of rows entirely right
    assert h["binary_accuracy"][-1] == pytest.approx(np.mean(decided == Y), abs=0.02)  # weights moved in-epoch
    r = evaluate(model, nn.BCEWithLogitsLoss(), (X, Y))
    assert r["binary_accuracy"] == pytest.approx(np.mean(decided == Y))
    assert r["binary_accuracy"] == pytest.approx(1 - skm.hamming_loss(Y, decided))
    assert r["subset_accuracy"] == pytest.approx(skm.accuracy_score(Y, decided))
    assert r["binary_accuracy"] >= 0.99           # separable: nearly every label right, while the argmax of
    assert np.mean(logits.argmax(1) == Y.argmax(1)) < 0.8     # the rows (what fit reported before) is far lower
    assert "val_binary_accuracy" in h and "val_subset_accuracy" in h


def test_binary_and_subset_accuracy_against_keras_and_sklearn_by_hand():
    scores = np.array([[0.9, 0.2, 0.7], [0.1, 0.8, 0.4], [0.6, 0.6, 0.1], [0.3, 0.3, 0.9]])
    target = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    # Keras: binary_accuracy = mean(y_true == (y_pred > 0.5)); rows: 2/3, 3/3, 3/3, 2/3 right → 10/12
    binary, subset = BinaryAccuracy(), SubsetAccuracy()
    for cut in ((0, 1), (1, 4)):
        binary.update(scores[slice(*cut)], target[slice(*cut)])
        subset.update(scores[slice(*cut)], target[slice(*cut)])
    assert binary.compute() == pytest.approx(10 / 12)
    assert subset.compute() == pytest.approx(skm.accuracy_score(target, scores >= 0.5)) == 0.5
    logits = np.log(scores / (1 - scores))
    assert BinaryAccuracy(threshold=0.0).update(logits, target) is None
    acc = TaskAccuracy(nn.BCEWithLogitsLoss())
    acc.update(logits, target)
    assert acc.compute() == {"binary_accuracy": pytest.approx(10 / 12), "subset_accuracy": 0.5}


@pytest.mark.parametrize("loss, outputs, target, expected", [
    # multi-class: argmax, labels or one-hot rows
    (nn.CrossEntropyLoss(), [[2.0, 1.0], [0.0, 3.0]], [0, 0], 0.5),
    (nn.CrossEntropyLoss(), [[2.0, 1.0], [0.0, 3.0]], [[1.0, 0.0], [0.0, 1.0]], 1.0),
    # one logit: z >= 0 (declared by the loss, not read off its class name)
    (nn.BCEWithLogitsLoss(), [[0.2], [-0.1], [-3.0]], [[1.0], [1.0], [0.0]], 2 / 3),
    (nn.PerceptronLoss(), [[0.2], [-0.1], [-3.0]], [[1.0], [1.0], [0.0]], 2 / 3),
    (binary_cross_entropy_with_logits, [[0.2], [-0.1]], [[1.0], [1.0]], 0.5),
    # one probability: p >= 0.5
    (nn.BCELoss(), [[0.6], [0.4], [0.2]], [[1.0], [1.0], [0.0]], 2 / 3),
    # no declared kind: Keras's rule by shape
    (nn.MSELoss(), [[0.6], [0.4]], [[1.0], [1.0]], 0.5),
    (nn.MSELoss(), [[0.1, 0.9], [0.8, 0.2]], [[0.0, 1.0], [0.0, 1.0]], 0.5),
    (cross_entropy, [[2.0, 1.0], [0.0, 3.0]], [0, 1], 1.0),
])
def test_accuracy_follows_the_losses_declared_kind(loss, outputs, target, expected):
    acc = TaskAccuracy(loss)
    acc.update(np.array(outputs), np.array(target))
    assert acc.compute() == pytest.approx(expected)


def test_declared_kinds_of_the_losses():
    assert (nn.CrossEntropyLoss.kind, nn.BCEWithLogitsLoss.decision_threshold, nn.BCELoss.decision_threshold) == \
        ("multiclass", 0.0, 0.5)
    assert nn.MSELoss.kind == "regression"


def test_streaming_accuracy_threshold_and_one_hot_targets_match_sklearn():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=50)
    y = rng.integers(0, 2, 50)
    acc = Accuracy(threshold=0.0)
    acc.update(logits[:20, None], y[:20, None]); acc.update(logits[20:], y[20:])
    assert acc.compute() == pytest.approx(skm.accuracy_score(y, logits >= 0))
    scores = rng.normal(size=(50, 4))
    labels = rng.integers(0, 4, 50)
    one_hot = np.eye(4)[labels]
    acc = Accuracy()
    acc.update(scores, one_hot)
    assert acc.compute() == pytest.approx(skm.accuracy_score(labels, scores.argmax(1)))


def test_bad_multilabel_shapes_name_the_arguments():
    with pytest.raises(ValueError, match="same shape"):
        BinaryAccuracy().update(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="threshold"):
        SubsetAccuracy(threshold=float("nan"))


def test_a_diverging_output_does_not_stop_training_in_the_metric():
    acc = TaskAccuracy(nn.MSELoss())
    acc.update(np.array([[np.inf], [np.nan], [0.9]]), np.array([[1.0], [1.0], [0.0]]))
    assert acc.compute() == pytest.approx(1 / 3)      # inf ≥ 0.5 right, nan (as 0) wrong, 0.9 wrong


def test_two_metrics_logging_the_same_key_are_an_error():
    X, Y = multilabel_problem(40)
    model = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="two metrics both log 'binary_accuracy'"):
        fit(model, nn.BCEWithLogitsLoss(), "sgd", (X, Y), metrics=["accuracy", BinaryAccuracy()], verbose=False)


@pytest.mark.parametrize("loss, shape, labels", [
    (nn.CrossEntropyLoss(), (10, 4), "index"), (nn.CrossEntropyLoss(), (10, 4), "one_hot"),
    (nn.BCEWithLogitsLoss(), (10, 1), "column"), (nn.BCEWithLogitsLoss(), (10, 3), "indicator"),
    (nn.MSELoss(), (10, 1), "vector"),            # a (b, 1) output beside a (b,) target: no broadcasting
])
def test_later_batches_count_as_the_checked_first_one(loss, shape, labels):
    """The pass's first batch goes through the checked metric, the next ones through its trusted path: the
    totals equal one checked update of everything (and scikit-learn's count)."""
    rng = np.random.default_rng(0)
    preds = rng.normal(size=(60,) + shape[1:]).astype(np.float32)
    k = shape[1]
    if labels == "index":
        target = rng.integers(0, k, 60)
    elif labels == "vector":
        target = rng.integers(0, 2, 60).astype(np.float32)
    elif labels == "one_hot":
        target = np.eye(k, dtype=np.float32)[rng.integers(0, k, 60)]
    else:
        target = rng.integers(0, 2, (60, k)).astype(np.float32)
    batched, whole = TaskAccuracy(loss), TaskAccuracy(loss)
    for start in range(0, 60, 10):
        batched.update(preds[start:start + 10], target[start:start + 10])
    whole.update(preds, target)
    assert batched.compute() == whole.compute()
    if labels == "index":
        assert batched.compute() == pytest.approx(skm.accuracy_score(target, preds.argmax(1)))
