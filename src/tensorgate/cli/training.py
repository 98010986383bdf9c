"""What ``tensorgate train`` does, step by step: data, split, standardise, build, fit, measure, write."""
import time

import numpy as np

from . import data as cli_data
from . import models
from .config import ZOO_MODELS, to_toml
from .errors import UserError, one_line
from .runs import MODEL_FILE, Predictor, model_metadata, new_run_dir, write_json, write_text, write_validation_split

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
    """A tensorgate.instruments.Monitor callback, when that module provides one."""
    try:
        from .. import instruments
    except ImportError:
        instruments = None
    if instruments is None or not hasattr(instruments, "Monitor"):
        raise UserError("--monitor: tensorgate.instruments.Monitor is not available in this version")
    return instruments.Monitor(model)


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


def train(settings, plots=True):
    from .. import manual_seed
    from ..data import Standardizer
    from ..training import evaluate, fit, predict

    started = time.perf_counter()
    seed = settings["seed"]
    manual_seed(seed)
    dataset = cli_data.load(settings["data"], seed=seed, as_images=settings["model"] in ZOO_MODELS)
    X_fit, y_fit, X_val, y_val = cli_data.validation_split(dataset.X_train, dataset.y_train,
                                                           settings["val_fraction"], seed)
    standardizer = Standardizer().fit(X_fit) if settings["standardize"] else None

    def prepare(X):
        X = standardizer.transform(X) if standardizer is not None else X
        return np.ascontiguousarray(X, dtype=np.float32)

    example_shape = tuple(X_fit.shape[1:])
    model, loss_fn = models.build(settings, example_shape, dataset.num_classes, dataset.image_shape)
    optimizer = make_optimizer(settings, model.parameters())
    callbacks = [_monitor(model)] if settings["monitor"] else []
    if settings["schedule"] == "cosine":
        from ..optim import CosineAnnealingLR
        from ..training import LearningRateScheduler

        steps = settings["epochs"] * -(-len(y_fit) // settings["batch_size"])
        callbacks.append(LearningRateScheduler(CosineAnnealingLR(optimizer, T_max=steps), per_batch=True))
    run_dir = new_run_dir(settings)
    name = settings["model"]
    n_params = sum(int(p.data.size) for p in model.parameters())
    print(f"tensorgate train: {name} ({_architecture(model)}, {n_params:,} parameters) on {dataset.name}: "
          f"{len(y_fit)} training, {len(y_val)} validation, {len(dataset.y_test)} test examples, "
          f"{dataset.num_classes} classes", flush=True)
    if activation_note(settings):
        print(activation_note(settings), flush=True)

    train_xy = (prepare(X_fit), models.targets(name, y_fit))
    val_xy = (prepare(X_val), models.targets(name, y_val)) if len(y_val) else None
    test_xy = (prepare(dataset.X_test), models.targets(name, dataset.y_test))
    metrics = models.metrics_for(name)
    fit_started = time.perf_counter()
    try:
        history = fit(model, loss_fn, optimizer, train_xy, epochs=settings["epochs"],
                      batch_size=settings["batch_size"], val_data=val_xy, metrics=metrics, callbacks=callbacks,
                      verbose=VERBOSE[settings["progress"]], seed=seed)
    except ValueError as err:  # a shape the network cannot take
        raise UserError(f"training failed: {one_line(err)}") from None
    fit_seconds = time.perf_counter() - fit_started
    say_next(settings, fit_seconds, "evaluating on the training, validation and test data ...")

    results = {}
    for split, xy in (("train", train_xy), ("validation", val_xy), ("test", test_xy)):
        if xy is None:
            continue
        t0 = time.perf_counter()
        r = evaluate(model, loss_fn, xy, metrics=models.metrics_for(name))
        results[split] = {"loss": float(r["loss"]), "accuracy": float(r["accuracy"]), "examples": len(xy[0]),
                          "seconds": time.perf_counter() - t0}
    samples = len(y_fit) * settings["epochs"]
    results["training"] = {"seconds": fit_seconds, "epochs": settings["epochs"],
                           "samples_per_sec": samples / fit_seconds if fit_seconds > 0 else None,
                           "parameters": n_params}

    # the run directory
    from .. import io

    metadata = model_metadata(settings, dataset, example_shape, standardizer)
    io.save(model, run_dir / MODEL_FILE, metadata=metadata)
    config = {**settings, "out": str(run_dir)}
    write_json(run_dir / "config.json", {"settings": config, "data": {
        "source": settings["data"], "classes": list(dataset.classes), "example_shape": list(example_shape),
        "train": len(y_fit), "validation": len(y_val), "test": len(dataset.y_test)}})
    write_text(run_dir / "config.toml", to_toml({**settings, "out": None}))
    write_json(run_dir / "history.json", history.to_dict())
    write_validation_split(run_dir, X_val, y_val)
    logits = predict(model, test_xy[0])
    predictor = Predictor(model, metadata)
    proba = models.probabilities(logits)
    results["test"]["roc_auc"] = _auc(dataset.y_test, proba)
    write_json(run_dir / "metrics.json", results)
    monitor_files = []
    if settings["monitor"] and hasattr(callbacks[0], "write_report"):
        monitor_files = callbacks[0].write_report(str(run_dir)) or []
    if plots:
        from .figures import write_plots

        say_next(settings, fit_seconds, "plotting ...")
        write_plots(run_dir, predictor, dataset.X_test, dataset.y_test, proba=proba, history=history,
                    image_shape=dataset.image_shape)

    print_summary(results, time.perf_counter() - started)
    print(f"test accuracy: {results['test']['accuracy']:.2%}")
    if monitor_files:
        from pathlib import Path

        print("monitor report: " + ", ".join(Path(p).name for p in monitor_files))
    print(f"run directory: {run_dir}")
    return 0


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
