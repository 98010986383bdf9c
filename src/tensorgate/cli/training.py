"""What ``tensorgate train`` does, one named step each: seed, load (split, standardise), build, prepare the
run directory, fit, evaluate, write, plot, print."""
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import augment
from . import data as cli_data
from . import models
from .config import ZOO_MODELS, to_toml
from .errors import TrainingFailed, UserError, one_line
from .runs import (CHECKPOINT_FILE, MODEL_FILE, Predictor, model_metadata, new_run_dir, write_json, write_text,
                   write_validation_split)

#: --progress → fit's verbose (2: a bar on a terminal, else a line per epoch; 1: a line per epoch; 0: silent)
VERBOSE = {"bar": 2, "epoch": 1, "none": 0}
#: after a fit this long, say what comes next (evaluating, plotting), so a long run never seems to hang
LONG_RUN_SECONDS = 10.0


def say_next(settings, fit_seconds, text):
    """Print what the CLI does next after a long training run (nothing with --progress none)."""
    if settings["progress"] != "none" and fit_seconds >= LONG_RUN_SECONDS:
        print(text, flush=True)


def activation_note(settings):
    """The lecture's warning for --activation step (None for the others)."""
    if settings["activation"] == "step" and settings["model"] == "mlp" and settings["hidden"]:
        return ("note: --activation step has derivative 0 wherever it is defined, so no gradient passes "
                "through it: the hidden layers keep their initial weights and only the output layer learns")
    return None


def make_optimizer(settings, parameters):
    from .. import optim

    lr, wd = settings["lr"], settings["weight_decay"]
    name = settings["optimizer"]
    if name == "adam":
        return optim.Adam(parameters, lr=lr, weight_decay=wd)
    if name == "adamw":
        return optim.AdamW(parameters, lr=lr, weight_decay=wd or 0.01)
    if name == "sgd":
        return optim.SGD(parameters, lr=lr, weight_decay=wd)
    if name == "momentum":
        return optim.SGD(parameters, lr=lr, momentum=0.9, weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(parameters, lr=lr, weight_decay=wd)
    raise UserError(f"--optimizer: unknown optimizer {name!r}")


def _monitor(model):
    """A tensorgate.instruments.Monitor callback."""
    from ..instruments import Monitor

    return Monitor(model)


def _architecture(model):
    """"64 → 128 → 10" for a stack of Linear layers, else the class name (a convolutional network)."""
    sizes = []
    modules = list(model.modules())
    if any("Conv" in type(m).__name__ for m in modules):
        return type(model).__name__
    for module in modules:
        if type(module).__name__ == "Linear":
            if not sizes:
                sizes.append(module.in_features)
            sizes.append(module.out_features)
    return " → ".join(str(s) for s in sizes) if sizes else type(model).__name__


@dataclass
class Prepared:
    """The data a run trains on: the data set, the (fit, validation, test) arrays ready for the network.

    Shape: X of each pair (m, *example_shape) float32 (standardised); y as ``models.targets`` makes it.
    """

    dataset: object
    standardizer: object
    example_shape: tuple
    train_xy: tuple
    val_xy: tuple
    test_xy: tuple
    val_raw: tuple    # the validation split as read (X, y), kept in the run for evaluate's thresholds
    train_raw: tuple  # with --augment, the training split as read (X, y), transformed before standardising


@dataclass
class Network:
    """What a run trains: the model, its loss, the optimiser and the callbacks (the monitor first)."""

    model: object
    loss_fn: object
    optimizer: object
    callbacks: list
    n_params: int

    @property
    def monitor(self):
        from ..instruments import Monitor

        return self.callbacks[0] if self.callbacks and isinstance(self.callbacks[0], Monitor) else None


def train(settings, plots=True, overwrite=False, workers=None, callbacks=(), device="cpu"):
    """``tensorgate train``: seed, load, build, prepare the run directory, fit, evaluate, write, plot, print.

    ``workers``: train data-parallel on that many Ray actors (``--workers``; :mod:`tensorgate.distributed`),
    keeping a checkpoint of every epoch in the run directory. ``device``: where to train (``--device``;
    'cuda' moves the model to the GPU for the fit and back to the CPU after it, so evaluating, writing and
    plotting are the CPU's as always; the caller has checked that the GPU exists). ``callbacks`` are added to the run's (a
    sweep's trial reports each epoch through one). Returns the exit status (0). A run that diverges writes
    what is known (history, diagnosis, the monitor's report) and ends with a :class:`TrainingFailed` error,
    as does a run whose worker dies.
    """
    started = time.perf_counter()
    if workers and settings["monitor"]:
        raise UserError("--monitor watches training in this process; it cannot be combined with --workers")
    _seed(settings)
    data = _load(settings)
    net = _build(settings, data)
    net.callbacks.extend(callbacks)
    source = augment.train_source(settings, data)  # (X, y), or augmented batches; refused before any run dir
    run_dir = new_run_dir(settings, overwrite=overwrite)  # before training: refuse to overwrite early
    _announce(settings, data, net)
    history, fit_seconds = _fit(settings, data, source, net, run_dir, workers, device)
    say_next(settings, fit_seconds, "evaluating on the training, validation and test data ...")
    results = _evaluate(settings, data, net, fit_seconds)
    if workers:
        results["training"]["workers"] = int(workers)
    if device != "cpu":
        results["training"]["device"] = device
    proba = _write_run(run_dir, settings, data, net, history, results)
    monitor_files = _monitor_report(net, run_dir)
    if plots:
        say_next(settings, fit_seconds, "plotting ...")
        _plot(run_dir, settings, data, net, history, proba)
    _print(results, time.perf_counter() - started, monitor_files, run_dir)
    return 0


def _monitor_report(net, run_dir):
    """The monitor's report files written into the run directory (none without --monitor)."""
    if net.monitor is None:
        return []
    from ..plot.instruments import write_monitor_report

    return write_monitor_report(net.monitor, str(run_dir)) or []


def _seed(settings):
    from ..backend.random import manual_seed

    manual_seed(settings["seed"])


def _load(settings):
    from ..data import Standardizer

    name, seed = settings["model"], settings["seed"]
    dataset = cli_data.load(settings["data"], seed=seed, as_images=name in ZOO_MODELS)
    X_fit, y_fit, X_val, y_val = cli_data.validation_split(dataset.X_train, dataset.y_train,
                                                           settings["val_fraction"], seed)
    standardizer = None
    if settings["standardize"]:
        image_shape = dataset.image_shape
        if settings["augment"] and image_shape and len(image_shape) == 3:
            standardizer = augment.per_channel_standardizer(X_fit, image_shape)
        else:
            standardizer = Standardizer().fit(X_fit)

    def prepare(X):
        X = standardizer.transform(X) if standardizer is not None else X
        return np.ascontiguousarray(X, dtype=np.float32)

    return Prepared(dataset, standardizer, tuple(X_fit.shape[1:]),
                    (prepare(X_fit), models.targets(name, y_fit)),
                    (prepare(X_val), models.targets(name, y_val)) if len(y_val) else None,
                    (prepare(dataset.X_test), models.targets(name, dataset.y_test)),
                    (X_val, y_val), (X_fit, models.targets(name, y_fit)) if settings["augment"] else None)


def _build(settings, data):
    models.check_size(settings, data.example_shape, data.dataset.num_classes)
    try:
        model, loss_fn = models.build(settings, data.example_shape, data.dataset.num_classes,
                                      data.dataset.image_shape)
        optimizer = make_optimizer(settings, model.parameters())
    except MemoryError:
        raise UserError("--hidden: the network does not fit in memory; use smaller layers") from None
    callbacks = [_monitor(model)] if settings["monitor"] else []
    schedule = _schedule(settings, optimizer, len(data.train_xy[1]))
    if schedule is not None:
        from ..training import LearningRateScheduler

        callbacks.append(LearningRateScheduler(schedule, per_batch=True))
    n_params = sum(int(p.data.size) for p in model.parameters())
    return Network(model, loss_fn, optimizer, callbacks, n_params)


def _schedule(settings, optimizer, n_train):
    """--schedule's learning-rate schedule, stepped after every batch of the run (None: constant)."""
    from ..optim import CosineAnnealingLR, OneCycleLR

    steps = settings["epochs"] * -(-n_train // settings["batch_size"])
    if settings["schedule"] == "cosine":
        return CosineAnnealingLR(optimizer, T_max=steps)
    if settings["schedule"] == "onecycle":
        return OneCycleLR(optimizer, max_lr=settings["lr"], total_steps=steps,
                          cycle_momentum=settings["optimizer"] != "sgd")  # plain SGD stays without momentum
    return None


def _announce(settings, data, net):
    d = data.dataset
    n_val = len(data.val_xy[1]) if data.val_xy is not None else 0
    print(f"tensorgate train: {settings['model']} ({_architecture(net.model)}, {net.n_params:,} parameters) on "
          f"{d.name}: {len(data.train_xy[1])} training, {n_val} validation, {len(d.y_test)} test examples, "
          f"{d.num_classes} classes", flush=True)
    if activation_note(settings):
        print(activation_note(settings), flush=True)


def _fit(settings, data, source, net, run_dir, workers=None, device="cpu"):
    """(history, seconds) of training on ``source`` (data.train_xy, or --augment's DataLoader); a diverged run
    writes what is known and raises TrainingFailed. With a device other than the CPU the model trains there
    and comes back to the CPU afterwards (diverged or not)."""
    from ..training import TrainingDiverged, fit

    started = time.perf_counter()
    how = dict(epochs=settings["epochs"], batch_size=settings["batch_size"], val_data=data.val_xy,
               metrics=models.metrics_for(settings["model"]), callbacks=net.callbacks,
               verbose=VERBOSE[settings["progress"]], seed=settings["seed"])
    try:
        if workers:
            history = _fit_distributed(net, source, run_dir, workers, how)
        elif device != "cpu":
            try:
                history = fit(net.model, net.loss_fn, net.optimizer, source, device=device, **how)
            finally:
                net.model.to("cpu")
        else:
            history = fit(net.model, net.loss_fn, net.optimizer, source, **how)
    except TrainingDiverged as err:
        written, findings = _write_diverged(run_dir, settings, data, net, err)
        why = "".join(f"; {f.kind} in layer {f.layer}" for f in findings[:2])
        raise TrainingFailed(f"{one_line(err)}{why} (wrote {', '.join(written)} to {run_dir})") from None
    except MemoryError:
        raise UserError("training ran out of memory; use smaller layers (--hidden) or batches "
                        "(--batch-size)") from None
    except ValueError as err:  # a shape the network cannot take
        raise UserError(f"training failed: {one_line(err)}") from None
    return history, time.perf_counter() - started


def _fit_distributed(net, source, run_dir, workers, how):
    """``tensorgate.distributed.fit`` with a checkpoint of every epoch in the run directory (a worker that
    dies leaves it complete: checkpoints are written atomically)."""
    from .. import distributed
    from ..training import ModelCheckpoint

    checkpoint = ModelCheckpoint(run_dir / CHECKPOINT_FILE)
    how = {**how, "callbacks": list(how["callbacks"]) + [checkpoint]}
    try:
        return distributed.fit(net.model, net.loss_fn, net.optimizer, source, workers=workers, **how)
    except distributed.WorkerDied as err:
        raise TrainingFailed(one_line(err)) from None


def _write_diverged(run_dir, settings, data, net, err):
    """The history so far, the diagnosis and the monitor's report of a run that diverged.

    Without --monitor, one forward pass (``instruments.diagnose_forward``) on the weights training stopped
    with still says why where it can (exploding activations from N(0, 1) weights, weights no longer
    finite). Returns (the names of the files written, the findings).
    """
    write_json(run_dir / "history.json", err.history.to_dict())
    if net.monitor is not None:
        findings = list(net.monitor.findings)
    else:
        from ..instruments import diagnose_forward

        findings = diagnose_forward(net.model, data.train_xy[0])
    diagnosis = {**err.to_dict(), "findings": [{"kind": f.kind, "layer": f.layer, "message": f.message,
                                                "remedies": list(f.remedies)} for f in findings],
                 "settings": {**settings, "out": str(run_dir)}}
    write_json(run_dir / "diagnosis.json", diagnosis)
    written = ["history.json", "diagnosis.json"]
    written += [Path(p).name for p in _monitor_report(net, run_dir)]
    return written, findings


def _evaluate(settings, data, net, fit_seconds):
    """Loss and accuracy on the training, validation and test sets, and the training speed."""
    from ..training import evaluate

    results = {}
    for split, xy in (("train", data.train_xy), ("validation", data.val_xy), ("test", data.test_xy)):
        if xy is None:
            continue
        t0 = time.perf_counter()
        r = evaluate(net.model, net.loss_fn, xy, metrics=models.metrics_for(settings["model"]))
        results[split] = {"loss": float(r["loss"]), "accuracy": float(r["accuracy"]), "examples": len(xy[0]),
                          "seconds": time.perf_counter() - t0}
    samples = len(data.train_xy[1]) * settings["epochs"]
    results["training"] = {"seconds": fit_seconds, "epochs": settings["epochs"],
                           "samples_per_sec": samples / fit_seconds if fit_seconds > 0 else None,
                           "parameters": net.n_params}
    return results


def _write_run(run_dir, settings, data, net, history, results):
    """model.tgate, config.json/.toml, history.json, metrics.json; returns the test probabilities."""
    from .. import io
    from ..training import predict

    d = data.dataset
    metadata = model_metadata(settings, d, data.example_shape, data.standardizer)
    io.save(net.model, run_dir / MODEL_FILE, metadata=metadata)
    n_val = len(data.val_xy[1]) if data.val_xy is not None else 0
    write_json(run_dir / "config.json", {"settings": {**settings, "out": str(run_dir)}, "data": {
        "source": settings["data"], "classes": list(d.classes), "example_shape": list(data.example_shape),
        "train": len(data.train_xy[1]), "validation": n_val, "test": len(d.y_test)}})
    write_text(run_dir / "config.toml", to_toml({**settings, "out": None}))
    write_json(run_dir / "history.json", history.to_dict())
    write_validation_split(run_dir, data.val_raw[0], data.val_raw[1])
    proba = models.probabilities(predict(net.model, data.test_xy[0]))
    results["test"]["roc_auc"] = _auc(d.y_test, proba)
    write_json(run_dir / "metrics.json", results)
    return proba


def _plot(run_dir, settings, data, net, history, proba):
    from .figures import write_plots

    d = data.dataset
    predictor = Predictor(net.model, model_metadata(settings, d, data.example_shape, data.standardizer))
    note = f"training curves on augmented images: {', '.join(settings['augment'])}" if settings["augment"] else None
    write_plots(run_dir, predictor, d.X_test, d.y_test, proba=proba, history=history, image_shape=d.image_shape,
                history_note=note)


def _print(results, total_seconds, monitor_files, run_dir):
    print_summary(results, total_seconds)
    print(f"test accuracy: {results['test']['accuracy']:.2%}")
    if monitor_files:
        print("monitor report: " + ", ".join(Path(p).name for p in monitor_files))
    print(f"run directory: {run_dir}")


def _auc(y, proba):
    from .. import metrics

    if len(np.unique(y)) < 2:
        return None
    try:
        if proba.shape[1] == 2:
            return float(metrics.roc_auc_score(y, proba[:, 1]))
        return float(metrics.roc_auc_score(y, proba, multi_class="ovr", labels=list(range(proba.shape[1]))))
    except ValueError:
        return None


def print_summary(results, total_seconds):
    print()
    print(f"  {'':<12}{'loss':>10}{'accuracy':>11}{'examples':>10}")
    for split in ("train", "validation", "test"):
        if split in results:
            r = results[split]
            print(f"  {split:<12}{r['loss']:>10.4f}{r['accuracy']:>11.2%}{r['examples']:>10}")
    t = results["training"]
    rate = f"{t['samples_per_sec']:,.0f} samples/s" if t["samples_per_sec"] else ""
    print(f"  training time {t['seconds']:.1f} s for {t['epochs']} epochs ({rate}); "
          f"total {total_seconds:.1f} s")
    print()
