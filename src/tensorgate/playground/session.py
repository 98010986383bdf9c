"""One learner's training session: the data, the network, the engine's work per frame, and the exports.

A session knows nothing of the web: :meth:`TrainingSession.frame` trains one epoch (mini-batches over the
training points) with the real engine — ``tg.nn`` modules, a ``tg.optim`` optimiser — lets the instruments'
:class:`~tensorgate.instruments.Monitor` measure gradient norms and dead units, then evaluates the network
once over the whole 64×64 grid (one forward pass, every neuron's map read off the same pass) and returns a
JSON-ready dict. Maps travel as base64 bytes (one byte per grid cell), not as lists of floats.
"""
import base64
import math
import os
import tempfile
import warnings

import numpy as np

from .. import nn, optim
from ..autograd import no_grad
from ..functional import sigmoid
from ..instruments.monitor import Monitor
from ..io import save
from ..metrics import confusion_matrix, roc_auc_score, roc_curve
from . import data as pdata
from .config import normalise_config
from .model import build_model

__all__ = ["TrainingSession", "GRID"]

GRID = 64  # the decision surface and the neuron maps are GRID × GRID
ROC_POINTS = 200  # at most this many ROC points travel to the page

LOSSES = {"bce": "binary cross-entropy on the logit", "mse": "squared error of the probability",
          "hinge": "hinge loss on the logit, labels ±1"}
OPTIMIZERS = {"sgd": optim.SGD, "momentum": lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9),
              "adam": optim.Adam, "rmsprop": optim.RMSprop}


def _bytes(a01):
    """Values in [0, 1] as base64 text of one byte each (what the page's canvas draws)."""
    q = np.clip(np.rint(np.asarray(a01, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _finite(x):
    x = float(x)
    return x if math.isfinite(x) else None


class TrainingSession:
    """The state of one tab: configuration, points, model, optimiser, step count.

    Parameters
    ----------
    config : dict, optional
        The page's choices (see :func:`tensorgate.playground.config.normalise_config`); defaults otherwise.

    Shape: points X (n, 2), labels y (n,) in {0, 1}; the model maps (m, 2) to (m, 1) logits.
    """

    def __init__(self, config=None):
        self.config = normalise_config(config or {})
        self.custom = None  # (X, y) of an uploaded CSV, replacing the generated set
        self.make_data()
        self.reset()

    # ---------------------------------------------------------------- data
    def make_data(self):
        c = self.config
        if self.custom is not None:
            X, y = self.custom
            self.bounds = pdata.bounds_of(X)
        else:
            X, y = pdata.make_dataset(c["dataset"], c["points"], c["noise"], c["seed"])
            self.bounds = pdata.DOMAIN
        train, test = pdata.split(len(y), c["train_ratio"], c["seed"])
        self.X, self.y = X, y
        self.is_train = np.zeros(len(y), dtype=bool)
        self.is_train[train] = True
        self._grid()

    def _grid(self):
        x0, x1, y0, y1 = self.bounds
        gx = np.linspace(x0, x1, GRID, dtype=np.float32)
        gy = np.linspace(y1, y0, GRID, dtype=np.float32)  # row 0 is the top of the picture
        xx, yy = np.meshgrid(gx, gy)
        self.grid = np.stack([xx.ravel(), yy.ravel()], axis=1)

    def add_point(self, x, y, label):
        """Add a clicked point to the training set; returns the number of points."""
        if len(self.y) >= pdata.LIMITS["points"]:
            raise pdata.DataError(f"at most {pdata.LIMITS['points']} points per session")
        x0, x1, y0, y1 = self.bounds
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            raise pdata.DataError(f"point ({x:.3g}, {y:.3g}) lies outside the drawn square")
        self.X = np.concatenate([self.X, np.array([[x, y]], dtype=np.float32)])
        self.y = np.concatenate([self.y, np.array([label], dtype=np.int64)])
        self.is_train = np.concatenate([self.is_train, [True]])
        return len(self.y)

    def upload_csv(self, text):
        self.custom = pdata.parse_csv(text)
        self.make_data()
        self.reset()

    def set_config(self, config):
        """Apply new choices: new data when the data's choices changed, and always a fresh network."""
        new = normalise_config({**self.config, **config})
        data_keys = ("dataset", "points", "noise", "train_ratio", "seed")
        data_changed = any(new[k] != self.config[k] for k in data_keys)
        self.config = new
        if data_changed:
            self.custom = None  # a generated set replaces an uploaded one
            self.make_data()
        self.reset()
        return data_changed

    def points(self):
        return {"type": "data", "bounds": list(self.bounds),
                "train": np.column_stack([self.X[self.is_train], self.y[self.is_train]]).round(4).tolist(),
                "test": np.column_stack([self.X[~self.is_train], self.y[~self.is_train]]).round(4).tolist()}

    # ---------------------------------------------------------------- the network
    def reset(self):
        """A fresh network and optimiser from the configuration (weights from the seed); step 0."""
        c = self.config
        self.model = build_model(c["features"], c["degree"], c["layers"], c["activation"], c["init"],
                                 c["batchnorm"], c["dropout"], seed=c["seed"])
        self.optimizer = OPTIMIZERS[c["optimizer"]](self.model.parameters(), lr=c["lr"])
        self.linears = [i for i, m in enumerate(self.model) if isinstance(m, nn.Linear)]
        self.weights = [self.model[i].weight for i in self.linears]
        self.rng = np.random.default_rng(c["seed"])
        self.steps = self.epochs = 0
        self.findings = []
        self._seen = set()

    def _loss(self, z, y):
        """The data loss of logits z (m, 1) against labels y (m,) in {0, 1}."""
        target = y.reshape(-1, 1).astype(np.float32)
        kind = self.config["loss"]
        if kind == "bce":
            return _BCE(z, target)
        if kind == "mse":
            return _MSE(sigmoid(z), target)
        return _HINGE(z, 2.0 * target - 1.0)

    def _penalty(self):
        c = self.config
        if c["regularization"] == "l1":
            return sum(w.abs().sum() for w in self.weights) * c["reg_rate"]
        if c["regularization"] == "l2":
            return sum((w * w).sum() for w in self.weights) * c["reg_rate"]
        return None

    def train_epoch(self):
        """One pass over the training points in shuffled mini-batches; returns the number of steps."""
        X, y = self.X[self.is_train], self.y[self.is_train]
        order = self.rng.permutation(len(y))
        bs = self.config["batch_size"]
        model, opt = self.model.train(), self.optimizer
        steps = 0
        for start in range(0, len(y), bs):
            idx = order[start:start + bs]
            if len(idx) < 2 and self.config["batchnorm"]:
                continue  # BatchNorm needs two examples to estimate a variance
            loss = self._loss(model(X[idx]), y[idx])
            penalty = self._penalty()
            total = loss if penalty is None else loss + penalty
            opt.zero_grad()
            total.backward()
            opt.step()
            steps += 1
        self.steps += steps
        self.epochs += 1
        return steps

    def measure(self):
        """The instruments' Monitor on the network as it is now: one forward and backward pass of the data
        loss over all training points, in evaluation mode (BatchNorm's running statistics, no dropout, so
        nothing changes and no random number is drawn), no optimiser step. Returns the monitor's record:
        ‖∂L/∂W‖ per parameter over the whole training set, and per layer the fraction of dead units (zero for
        every training example). New findings (dead units, vanishing gradients, ...) join ``findings``.

        One observed pass per epoch, rather than hooks on every training step, keeps the frame fast (the hooks
        doubled an epoch's time) and measures the exact quantities the page shows.
        """
        model = self.model.eval()
        monitor = Monitor(warn=False).attach(model)
        monitor.on_epoch_begin(max(self.epochs - 1, 0))  # its findings name the epoch just trained
        try:
            self.optimizer.zero_grad()
            loss = self._loss(model(self.X[self.is_train]), self.y[self.is_train])
            loss.backward()
            monitor.observe_batch(loss)
            record = monitor.end_epoch()
            findings = monitor.diagnose()
        finally:
            monitor.detach()
            self.optimizer.zero_grad()
        for f in findings:
            if (f.kind, f.layer) not in self._seen:
                self._seen.add((f.kind, f.layer))
                self.findings.append(str(f))
        return record

    def predict_proba(self, X):
        """P(class 1 | x) for raw points. Shape: X (m, 2) → (m,)."""
        with no_grad():
            return sigmoid(self.model.eval()(X)).data[:, 0]

    # ---------------------------------------------------------------- one frame
    def frame(self, train=True, threshold=0.5):
        """Train one epoch (unless ``train`` is False) and describe the network for the page.

        Returns a dict: losses, the surface and every neuron's map (base64 bytes, GRID² each), the weights,
        per-layer gradient norms and dead-unit fractions from the monitor (:meth:`measure`), its findings and
        the metrics at ``threshold``.
        """
        record = None
        if train:
            self.train_epoch()
            record = self.measure()
        maps, surface = self._maps()
        out = {"type": "frame", "step": self.steps, "epoch": self.epochs,
               "train_loss": _finite(self._eval_loss(self.is_train)),
               "test_loss": _finite(self._eval_loss(~self.is_train)),
               "surface": _bytes(surface), "neurons": maps,
               "weights": [np.round(w.data, 4).tolist() for w in self.weights],
               "biases": [np.round(self.model[i].bias.data, 4).tolist() for i in self.linears],
               "findings": self.findings[-8:]}
        if record is not None:
            out["grad_norms"] = [_finite(record["grad_norm"].get(f"{i}.weight", float("nan"))) for i in self.linears]
            out["dead"] = [_finite(record["activations"].get(str(i), {}).get("dead_fraction", float("nan")))
                           for i in self._activation_indices()]
        out["metrics"] = self.metrics(threshold)
        return out

    def _activation_indices(self):
        """Per hidden layer, the index of the module whose output is the layer's output (its activation,
        or its Linear/BatchNorm when the activation is 'linear'); dropout comes after and is skipped."""
        ends = []
        for k, i in enumerate(self.linears[:-1]):
            stop = self.linears[k + 1]
            inside = [j for j in range(i, stop) if not isinstance(self.model[j], nn.Dropout)]
            ends.append(inside[-1])
        return ends

    def _eval_loss(self, mask):
        if not mask.any():
            return float("nan")
        with no_grad():
            return self._loss(self.model.eval()(self.X[mask]), self.y[mask]).item()

    def _maps(self):
        """One forward pass over the grid: every feature's, every hidden neuron's and the output's map."""
        ends = set(self._activation_indices())
        layers = []
        self.model.eval()
        with no_grad():
            h = self.grid
            for i, module in enumerate(self.model):
                h = module(h)
                if i == 0 or i in ends:
                    a = h.data
                    scale = np.maximum(np.abs(a).max(axis=0), 1e-6)
                    layers.append([_bytes((a[:, u] / scale[u] + 1.0) / 2.0) for u in range(a.shape[1])])
            p = sigmoid(h).data[:, 0]
        return layers, p

    # ---------------------------------------------------------------- evaluation
    def metrics(self, threshold=0.5):
        """The confusion matrix, precision, recall and FPR at ``threshold`` on the test points (the training
        points when there are no test points), and the ROC curve with its AUC, by ``tg.metrics``."""
        threshold = float(threshold)
        mask = ~self.is_train if (~self.is_train).any() else self.is_train
        y, p = self.y[mask], self.predict_proba(self.X[mask])
        predicted = (p >= threshold).astype(np.int64)
        cm = confusion_matrix(y, predicted, labels=[0, 1])
        (tn, fp), (fn, tp) = cm.tolist()
        out = {"threshold": threshold, "on": "test" if mask is not self.is_train else "train",
               "confusion": cm.tolist(),
               "precision": tp / (tp + fp) if tp + fp else None,
               "recall": tp / (tp + fn) if tp + fn else None,
               "fpr": fp / (fp + tn) if fp + tn else None,
               "accuracy": (tp + tn) / len(y)}
        if 0 < y.sum() < len(y) and np.isfinite(p).all():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fpr, tpr, _ = roc_curve(y, p)
                out["auc"] = _finite(roc_auc_score(y, p))
            keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), ROC_POINTS)).round().astype(int))
            out["roc"] = [np.round(fpr[keep], 4).tolist(), np.round(tpr[keep], 4).tolist()]
        return out

    # ---------------------------------------------------------------- exports
    def export_model(self):
        """The trained network with a final Sigmoid, as the bytes of a ``.tgate`` file: ``tg.load`` gives a
        model that maps raw points (m, 2) to P(class 1) (m, 1)."""
        model = nn.Sequential(*list(self.model), nn.Sigmoid()).eval()
        meta = {"tensorgate_playground": {k: v for k, v in self.config.items()},
                "input": "raw points (m, 2): x1, x2", "output": "P(class 1), shape (m, 1)",
                "steps": self.steps}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "playground.tgate")
            save(model, path, metadata=meta)
            with open(path, "rb") as f:
                return f.read()

    def export_onnx(self):
        """The network after its feature layer as ONNX bytes (input: the feature columns), by
        ``tensorgate.onnx`` where that package exists; a RuntimeError otherwise."""
        import importlib

        try:
            tg_onnx = importlib.import_module("tensorgate.onnx")
        except ImportError as err:
            raise RuntimeError(f"ONNX export needs tensorgate.onnx and the onnx package: {err}") from None
        mlp = nn.Sequential(*list(self.model)[1:], nn.Sigmoid()).eval()
        n = self.model[0].out_features
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "playground.onnx")
            try:
                tg_onnx.export(mlp, np.zeros((1, n), dtype=np.float32), path, input_names=["features"],
                               output_names=["probability"],
                               dynamic_axes={"features": {0: "batch"}, "probability": {0: "batch"}})
            except Exception as err:  # a layer ONNX cannot express, a missing onnx package: say which
                raise RuntimeError(f"ONNX export failed: {type(err).__name__}: {err}") from None
            with open(path, "rb") as f:
                return f.read()

    def export_csv(self):
        return pdata.to_csv(self.X, self.y, self.is_train)

    def export_script(self):
        from .script import python_script

        return python_script(self)


_BCE = nn.BCEWithLogitsLoss()
_MSE = nn.MSELoss()
_HINGE = nn.HingeLoss()
