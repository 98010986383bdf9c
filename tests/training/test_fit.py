"""fit(): learning toy problems, History, data forms, metrics, reproducibility, evaluate/predict."""
import json
import math

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.training import History, LambdaCallback, evaluate, fit, predict

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XOR_Y = np.array([0, 1, 1, 0])


def spirals(n_per_class=100, turns=1.5, seed=0):
    """Two interleaved spirals (the classic hard toy problem): class 1 is class 0 rotated by π."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n_per_class)) * turns * 2 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (turns * 2 * np.pi)
    X = np.concatenate([arm, -arm]).astype(np.float32)
    y = np.concatenate([np.zeros(n_per_class, np.int64), np.ones(n_per_class, np.int64)])
    return X, y


def mlp(sizes, act=nn.Tanh, dtype=None):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    model = nn.Sequential(*layers)
    return model.double() if dtype == "float64" else model


def test_xor_to_100_percent():
    tg.manual_seed(0)
    model = mlp([2, 8, 2])
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), (XOR_X, XOR_Y),
                  epochs=200, batch_size=4, verbose=False, seed=0)
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["loss"][-1] < 0.05
    assert predict(model, XOR_X).argmax(axis=1).tolist() == XOR_Y.tolist()


def test_xor_with_one_sigmoid_output_and_bce():
    tg.manual_seed(1)
    model = mlp([2, 8, 1])
    history = fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05),
                  (XOR_X, XOR_Y.astype(np.float32).reshape(-1, 1)), epochs=300, batch_size=4, verbose=False, seed=0)
    assert history.history["accuracy"][-1] == 1.0  # logits are thresholded at 0 for a ...WithLogits loss


def test_two_spirals_to_100_percent():
    X, y = spirals()
    tg.manual_seed(0)
    model = mlp([2, 64, 64, 2])
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), (X, y), epochs=300,
                  batch_size=50, verbose=False, seed=0)
    assert history.history["accuracy"][-1] == 1.0
    assert evaluate(model, nn.CrossEntropyLoss(), (X, y))["accuracy"] == 1.0


def test_history_contents_and_json_round_trip():
    tg.manual_seed(0)
    model = mlp([2, 4, 2])
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, nn.CrossEntropyLoss(), opt, (XOR_X, XOR_Y), epochs=3, batch_size=2,
                  val_data=(XOR_X, XOR_Y), verbose=False, seed=0)
    h = history.history
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "time", "samples_per_sec"}
    assert history.epoch == [0, 1, 2] and all(len(v) == 3 for v in h.values())
    assert h["lr"] == [0.1] * 3 and all(s > 0 for s in h["samples_per_sec"])
    assert all(isinstance(v, float) for v in h["loss"])
    text = json.dumps(history.to_dict())
    back = History.from_dict(json.loads(text))
    assert back.history == h and back.epoch == history.epoch and back.params == history.params
    assert history.params["steps"] == 2 and history.params["batch_size"] == 2
    # val_loss is the eval-mode loss of the final weights
    assert h["val_loss"][-1] == pytest.approx(evaluate(model, nn.CrossEntropyLoss(), (XOR_X, XOR_Y))["loss"])


def test_epoch_loss_is_the_mean_over_examples():
    # with lr = 0 the weights never change, so the epoch loss equals the full-data loss for any batch size
    tg.manual_seed(0)
    X, y = spirals(30)
    model = mlp([2, 5, 2])
    full = evaluate(model, nn.CrossEntropyLoss(), (X, y), batch_size=60)["loss"]
    for batch_size in (1, 7, 60, None):
        h = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.0), (X, y), batch_size=batch_size,
                verbose=False, seed=0)
        assert h.history["loss"][0] == pytest.approx(full, rel=1e-5)


@pytest.mark.parametrize("batch_size, updates", [(1, 60), (7, 9), (60, 1), (None, 1), (1000, 1)])
def test_batch_size_sets_the_number_of_updates(batch_size, updates):
    X, y = spirals(30)
    model = mlp([2, 3, 2])
    seen = []
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), batch_size=batch_size,
        callbacks=[LambdaCallback(on_batch_end=lambda i, logs: seen.append(logs["size"]))], verbose=False)
    assert len(seen) == updates and sum(seen) == 60


def test_data_as_tensors_dataloader_and_float64():
    X, y = spirals(20)
    tg.manual_seed(0)
    model = mlp([2, 4, 2], dtype="float64")
    opt = optim.SGD(model.parameters(), lr=0.1)
    h = fit(model, nn.CrossEntropyLoss(), opt, (tg.tensor(X), tg.tensor(y)), epochs=2, verbose=False, seed=0)
    assert next(iter(model.parameters())).dtype == np.float64  # float32 X converted to the model's dtype
    loader = tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=8, shuffle=True, seed=3)
    h2 = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=2, val_data=loader, verbose=False)
    assert len(h2.history["loss"]) == 2 and "val_accuracy" in h2.history
    assert h.history["loss"][0] > 0


def test_streaming_metric_objects_are_duck_typed():
    class MeanPrediction:
        name = "mean_pred"

        def reset(self):
            self.total, self.n = 0.0, 0

        def update(self, preds, target):
            assert isinstance(preds, np.ndarray) and isinstance(target, np.ndarray)
            self.total += float(preds.sum())
            self.n += preds.size

        def compute(self):
            return self.total / self.n

    model = mlp([2, 3, 2])
    h = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (XOR_X, XOR_Y),
            metrics=["accuracy", MeanPrediction()], val_data=(XOR_X, XOR_Y), verbose=False)
    assert {"mean_pred", "val_mean_pred", "accuracy"} <= set(h.history)


def test_streaming_metrics_from_the_metrics_package():
    metrics = pytest.importorskip("tensorgate.metrics")
    if not hasattr(metrics, "Accuracy"):
        pytest.skip("tensorgate.metrics has no streaming Accuracy yet")
    X, y = spirals(30)

    def run(metric_list):
        tg.manual_seed(0)
        model = mlp([2, 16, 2])
        return fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02), (X, y), epochs=3,
                   metrics=metric_list, val_data=(X, y), verbose=False, seed=0).history

    ours = run(["accuracy"])
    theirs = run([metrics.Accuracy(), metrics.ConfusionMatrix(num_classes=2)])
    assert theirs["accuracy"] == ours["accuracy"] and theirs["val_accuracy"] == ours["val_accuracy"]
    cm_name = metrics.ConfusionMatrix(num_classes=2).name
    assert np.asarray(theirs["val_" + cm_name][-1]).sum() == 60  # arrays are logged as lists


def test_same_seed_same_history_and_weights():
    X, y = spirals(40)

    def run():
        tg.manual_seed(5)
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
        h = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), (X, y), epochs=4,
                batch_size=16, verbose=False, seed=7)
        return h, model.state_dict()

    (h1, w1), (h2, w2) = run(), run()
    assert h1.history["loss"] == h2.history["loss"] and h1.history["accuracy"] == h2.history["accuracy"]
    for k in w1:
        np.testing.assert_array_equal(w1[k], w2[k])

    tg.manual_seed(5)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
    h3 = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), (X, y), epochs=4,
             batch_size=16, verbose=False, seed=8)
    assert h3.history["loss"] != h1.history["loss"]  # another shuffling seed: another run


def test_shuffle_false_visits_in_order():
    X = np.arange(10, dtype=np.float32).reshape(10, 1)
    y = np.zeros(10, np.int64)
    firsts = []

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(1, 2)

        def forward(self, x):
            firsts.append(float(x.data[0, 0]))
            return self.lin(x)

    model = Probe()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.0), (X, y), batch_size=3, shuffle=False,
        verbose=False)
    assert firsts == [0.0, 3.0, 6.0, 9.0]


def test_verbose_modes(capsys):
    model = mlp([2, 3, 2])
    opt = optim.SGD(model.parameters(), lr=0.1)
    fit(model, nn.CrossEntropyLoss(), opt, (XOR_X, XOR_Y), epochs=2, verbose=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    fit(model, nn.CrossEntropyLoss(), opt, (XOR_X, XOR_Y), epochs=2, verbose=1)
    out = capsys.readouterr()
    assert out.out.count("Epoch") == 2 and "samples/s" in out.out and "loss:" in out.out
    fit(model, nn.CrossEntropyLoss(), opt, (XOR_X, XOR_Y), epochs=1, verbose=True)
    out = capsys.readouterr()
    assert "Epoch 1/1" in out.out and "samples/s" in out.out and out.err == ""  # not a terminal: a line, no bar


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(train_data=(XOR_X, XOR_Y[:3])), ValueError, "X has 4 examples but y has 3"),
    (dict(batch_size=0), ValueError, "batch_size must be a positive integer"),
    (dict(metrics=["f2"]), ValueError, "unknown metric 'f2'"),
    (dict(metrics=[object()]), TypeError, "lacks name, reset, update, compute"),
    (dict(train_data="data.csv"), TypeError, "must be a pair"),
    (dict(callbacks=[lambda: None]), TypeError, "Callback instances"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(epochs=1.5), ValueError, "epochs"),
])
def test_bad_arguments(kwargs, error, match):
    model = mlp([2, 3, 2])
    args = dict(train_data=(XOR_X, XOR_Y), verbose=False)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), **args)


def test_predict_and_evaluate_restore_training_mode():
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.train()
    a, b = predict(model, XOR_X, batch_size=3), predict(model, XOR_X)
    np.testing.assert_allclose(a, b, rtol=1e-5)  # eval mode: dropout off, batch size irrelevant
    assert a.shape == (4, 2) and model.training
    logs = evaluate(model, None, (XOR_X, XOR_Y), metrics=["accuracy"])
    assert set(logs) == {"accuracy"} and model.training
    assert not math.isnan(evaluate(model, nn.CrossEntropyLoss(), (XOR_X, XOR_Y), metrics=())["loss"])
