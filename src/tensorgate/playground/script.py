"""The exported Python script: the page's run written out with tensorgate's API, for a learner to read and run.

The script builds the same data, the same network from the same seed and trains it the same number of
epochs with the same mini-batch order, so on unchanged data it ends at the page's weights (the page's
clicked points and uploads are written into the script as arrays).
"""
import numpy as np

from .model import ACTIVATIONS, INITS

__all__ = ["python_script"]

_ACTIVATION_CODE = {"relu": "tg.nn.ReLU()", "tanh": "tg.nn.Tanh()", "sigmoid": "tg.nn.Sigmoid()",
                    "leaky_relu": "tg.nn.LeakyReLU()", "gelu": "tg.nn.GELU()", "linear": None}
_INIT_CODE = {"zeros": "tg.nn.init.zeros_(layer.weight)",
              "normal": "tg.nn.init.normal_(layer.weight, 0.0, 1.0)",
              "xavier": "tg.nn.init.xavier_normal_(layer.weight)",
              "he": "tg.nn.init.he_normal_(layer.weight)",
              "lecun": "tg.nn.init.lecun_normal_(layer.weight)  # N(0, 1/fan_in)"}
_OPTIMIZER_CODE = {"sgd": "tg.optim.SGD(model.parameters(), lr={lr!r})",
                   "momentum": "tg.optim.SGD(model.parameters(), lr={lr!r}, momentum=0.9)",
                   "adam": "tg.optim.Adam(model.parameters(), lr={lr!r})",
                   "rmsprop": "tg.optim.RMSprop(model.parameters(), lr={lr!r})"}
_LOSS_CODE = {"bce": ("loss_fn = tg.nn.BCEWithLogitsLoss()", "loss_fn(z, t)"),
              "mse": ("loss_fn = tg.nn.MSELoss()  # on the probability σ(z)", "loss_fn(tg.sigmoid(z), t)"),
              "hinge": ("loss_fn = tg.nn.HingeLoss()  # labels ±1", "loss_fn(z, 2 * t - 1)")}

assert set(_ACTIVATION_CODE) == set(ACTIVATIONS) and set(_INIT_CODE) == set(INITS)


def python_script(session):
    """The text of a Python script that reproduces ``session``'s run (``session.epochs`` epochs)."""
    c = session.config
    lines = ['"""A tensorgate playground run, written out with tensorgate\'s API.', "",
             f"Data: {'an uploaded or edited set' if session.custom is not None else c['dataset']}, "
             f"{len(session.y)} points; network: {c['layers'] or 'no hidden layer (logistic regression)'}, "
             f"{c['activation']}; {session.epochs} epochs.",
             '"""', "import numpy as np", "", "import tensorgate as tg",
             "from tensorgate.playground import PlaygroundFeatures", ""]
    generated = session.custom is None and len(session.y) == c["points"]
    lines += ["# ---- data: points (m, 2), labels in {0, 1}, a seeded train/test split"]
    if generated:
        lines += ["from tensorgate.playground.data import make_dataset, split  # the page's scaled 2-D sets", "",
                  f"X, y = make_dataset({c['dataset']!r}, {c['points']}, noise={c['noise']!r}, seed={c['seed']})",
                  f"train, test = split(len(y), {c['train_ratio']!r}, seed={c['seed']})"]
    else:
        lines += [f"X = np.array({np.round(session.X.astype(np.float64), 6).tolist()}, dtype=np.float32)",
                  f"y = np.array({session.y.tolist()})",
                  f"is_train = np.array({session.is_train.astype(int).tolist()}, dtype=bool)",
                  "train, test = np.flatnonzero(is_train), np.flatnonzero(~is_train)"]
    lines += ["X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]", "",
              "# ---- the network: features, then Linear → activation per hidden layer, then one logit",
              f"tg.manual_seed({c['seed']})", "model = tg.nn.Sequential(",
              f"    PlaygroundFeatures({c['features']!r}, degree={c['degree']}),"]
    width = len(session.model[0].names)
    for n in c["layers"]:
        parts = [f"tg.nn.Linear({width}, {n})"]
        if c["batchnorm"]:
            parts.append(f"tg.nn.BatchNorm1d({n})")
        if _ACTIVATION_CODE[c["activation"]]:
            parts.append(_ACTIVATION_CODE[c["activation"]])
        if c["dropout"] > 0:
            parts.append(f"tg.nn.Dropout({c['dropout']!r})")
        lines.append("    " + ", ".join(parts) + ",")
        width = n
    lines += [f"    tg.nn.Linear({width}, 1),", ")", "for layer in model:",
              "    if isinstance(layer, tg.nn.Linear):", f"        {_INIT_CODE[c['init']]}",
              "        tg.nn.init.zeros_(layer.bias)", "print(model)", "",
              "# ---- training: mini-batches in a seeded shuffled order",
              _LOSS_CODE[c["loss"]][0], "optimizer = " + _OPTIMIZER_CODE[c["optimizer"]].format(lr=c["lr"]),
              "weights = [layer.weight for layer in model if isinstance(layer, tg.nn.Linear)]", "", "",
              "def data_loss(z, labels):", "    t = labels.reshape(-1, 1).astype(np.float32)",
              f"    return {_LOSS_CODE[c['loss']][1]}", "", "",
              f"rng = np.random.default_rng({c['seed']})", f"batch_size = {c['batch_size']}",
              f"for epoch in range({session.epochs}):", "    model.train()",
              "    order = rng.permutation(len(y_train))", "    for start in range(0, len(order), batch_size):",
              "        idx = order[start:start + batch_size]"]
    if c["batchnorm"]:
        lines.append("        if len(idx) < 2:\n            continue  # BatchNorm needs two examples")
    lines.append("        loss = data_loss(model(X_train[idx]), y_train[idx])")
    if c["regularization"] == "l1":
        lines.append(f"        loss = loss + sum(w.abs().sum() for w in weights) * {c['reg_rate']!r}  # L1")
    elif c["regularization"] == "l2":
        lines.append(f"        loss = loss + sum((w * w).sum() for w in weights) * {c['reg_rate']!r}  # L2")
    lines += ["        optimizer.zero_grad()", "        loss.backward()", "        optimizer.step()", "",
              "# ---- evaluation", "model.eval()", "with tg.no_grad():",
              "    train_loss = data_loss(model(X_train), y_train).item()",
              "    test_loss = data_loss(model(X_test), y_test).item() if len(y_test) else float('nan')",
              "    p = tg.sigmoid(model(X_test)).numpy()[:, 0]",
              "print(f'train loss {train_loss:.4f}, test loss {test_loss:.4f}')",
              "if len(y_test):",
              "    print(tg.metrics.confusion_matrix(y_test, (p >= 0.5).astype(int), labels=[0, 1]))", ""]
    return "\n".join(lines)
