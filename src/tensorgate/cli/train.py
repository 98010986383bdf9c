"""``tensorgate train``: train a classifier and write a run directory.

With no arguments it trains an MLP (one hidden layer of 128 ReLU units, He init, Adam, lr 1e-3, batch 32,
30 epochs, standardised inputs) on the embedded digits data in a few seconds. The run directory
(``runs/<timestamp>-<data>-<model>/`` unless ``--out``) holds:

* ``model.tgate``: the network (``tensorgate.load`` reads it), with the class names and the
  standardisation (mean and scale per feature) in its metadata, so ``predict`` applies them;
* ``config.json`` and ``config.toml`` (the settings; ``--config config.toml`` repeats the run);
* ``history.json`` (per-epoch loss and accuracy), ``metrics.json`` (final loss, accuracy, timing);
* plots: ``history.png``, ``confusion_matrix.png``, ``roc.png``, ``precision_recall.png``, and
  ``decision_boundary.png`` (2-D data) or ``first_layer_weights.png`` (image data).
"""
import argparse

from . import config as C
from .errors import UserError, one_line

HELP = {
    "data": "digits, breast-cancer, fashion-mnist, mnist, moons, circles, xor, spiral, or a CSV/NPZ file "
            "with a label column (default: digits)",
    "model": "logreg, softmax, perceptron, mlp, or a CNN from the zoo: lenet, vgg, resnet, mobilenet, alexnet, "
             "googlenet, efficientnet (default: mlp)",
    "hidden": "hidden layer sizes of the MLP, e.g. 256,128 (default: 128; 256,128 for (fashion-)mnist)",
    "activation": "hidden activation: " + ", ".join(C.ACTIVATIONS) + " (default: relu). step is the Heaviside "
                  "function (1 if z ≥ 0 else 0): its derivative is 0 wherever it exists, so backpropagation "
                  "passes no gradient through it and only the output layer learns: the lecture's reason for "
                  "smooth activations",
    "init": "weight initialisation: " + ", ".join(C.INITS) + " (default: he). zeros: every weight 0 (the "
            "units stay identical); normal: every weight N(0, 1), far too large for wide layers (the "
            "activations explode)",
    "optimizer": "optimiser: " + ", ".join(C.OPTIMIZERS) + " (default: adam)",
    "lr": "learning rate (default: 0.001)",
    "weight_decay": "weight decay λ (default: 0)",
    "schedule": "learning-rate schedule: cosine (from --lr down to 0 over the run, step by step), onecycle "
                "(up from --lr/25 to --lr over the first 30%% of the steps, then down to --lr/250000, the "
                "momentum or Adam's β₁ moving the other way between 0.95 and 0.85; plain sgd keeps no momentum) "
                "or constant (default: cosine)",
    "augment": "augment the training images, drawn anew every epoch: crop (shift by up to ⌈H/14⌉ pixels, 2 for "
               "28×28 images: a random crop of the image's size after padding it with background pixels), flip (mirror left to "
               "right half of the time), crop,flip, or none (default: none). The images are then standardised "
               "with one mean and standard deviation per channel instead of per pixel",
    "label_smoothing": "label smoothing ε of the cross-entropy loss: the target puts 1 − ε on the true "
                       "class and ε/K on every class (default: 0)",
    "batch_size": "mini-batch size (default: 32; 64 for (fashion-)mnist)",
    "epochs": "number of passes over the training data (default: 30; 10 for (fashion-)mnist)",
    "seed": "random seed of the initialisation, the shuffling and the splits (default: 0)",
    "val_fraction": "fraction of the training data held out (stratified, seeded) for validation; the run "
                    "directory keeps it (validation.npz) for evaluate's thresholds (default: 0.1; for "
                    "mnist and fashion-mnist 1/12, i.e. 5000 of the 60000 training images, leaving 55000)",
    "progress": "how training shows its progress: bar (a progress bar per epoch on a terminal, one line per "
                "epoch otherwise), epoch (one line per epoch), none (default: bar)",
}


def add_parser(subparsers):
    p = subparsers.add_parser(
        "train", help="train a classifier and write a run directory",
        description="Train a classifier and write a run directory with the model, its settings, history, "
                    "metrics and plots. Settings come from the defaults, then --config FILE, then the flags.",
        epilog="examples: tensorgate train;  tensorgate train --data fashion-mnist --epochs 10;  "
               "tensorgate train --data moons --model mlp --hidden 16,16")
    S = argparse.SUPPRESS
    p.add_argument("--data", type=C.PARSERS["data"], default=S, metavar="NAME|FILE", help=HELP["data"])
    p.add_argument("--model", type=C.PARSERS["model"], default=S, help=HELP["model"])
    p.add_argument("--hidden", type=C.PARSERS["hidden"], default=S, metavar="SIZES", help=HELP["hidden"])
    p.add_argument("--activation", type=C.PARSERS["activation"], default=S, help=HELP["activation"])
    p.add_argument("--init", type=C.PARSERS["init"], default=S, help=HELP["init"])
    p.add_argument("--optimizer", type=C.PARSERS["optimizer"], default=S, help=HELP["optimizer"])
    p.add_argument("--lr", type=C.PARSERS["lr"], default=S, help=HELP["lr"])
    p.add_argument("--weight-decay", dest="weight_decay", type=C.PARSERS["weight_decay"], default=S,
                   help=HELP["weight_decay"])
    p.add_argument("--schedule", type=C.PARSERS["schedule"], default=S, help=HELP["schedule"])
    p.add_argument("--augment", type=C.PARSERS["augment"], default=S, metavar="crop,flip|none",
                   help=HELP["augment"])
    p.add_argument("--label-smoothing", dest="label_smoothing", type=C.PARSERS["label_smoothing"], default=S,
                   metavar="EPS", help=HELP["label_smoothing"])
    p.add_argument("--batch-size", dest="batch_size", type=C.PARSERS["batch_size"], default=S,
                   help=HELP["batch_size"])
    p.add_argument("--epochs", type=C.PARSERS["epochs"], default=S, help=HELP["epochs"])
    p.add_argument("--seed", type=C.PARSERS["seed"], default=S, help=HELP["seed"])
    p.add_argument("--val-fraction", dest="val_fraction", type=C.PARSERS["val_fraction"], default=S,
                   help=HELP["val_fraction"])
    p.add_argument("--no-standardize", dest="standardize", action="store_false", default=S,
                   help="leave the features unscaled (default: standardise with the training set's mean/std)")
    p.add_argument("--out", default=S, metavar="DIR",
                   help="the run directory (default: runs/<timestamp>-<data>-<model>/)")
    p.add_argument("--overwrite", action="store_true", default=False,
                   help="replace the run in an existing --out directory (its model, settings, history, metrics, "
                        "plots and reports; other files stay); without it an existing run is never touched")
    p.add_argument("--config", dest="config_file", metavar="FILE", default=None,
                   help="a TOML file with the same keys as the flags (batch_size or batch-size); flags win")
    p.add_argument("--monitor", action="store_true", default=S,
                   help="watch gradients and activations while training (tensorgate.instruments) and write "
                        "its report into the run directory")
    p.add_argument("--progress", type=C.PARSERS["progress"], default=S, metavar="bar|epoch|none",
                   help=HELP["progress"])
    p.add_argument("--no-progress", dest="progress", action="store_const", const="none", default=S,
                   help="the same as --progress none")
    p.add_argument("--no-plots", dest="plots", action="store_false", default=True, help="write no plots")
    p.add_argument("--workers", type=C.positive_int("workers"), default=None, metavar="N",
                   help="train data-parallel on N Ray workers: each batch is split across them and their "
                        "gradients averaged; the run directory also keeps the last epoch's checkpoint "
                        "(needs Ray: pip install 'tensorgate[ray]')")
    p.add_argument("--address", default=None, metavar="ADDR",
                   help="with --workers: the Ray cluster to join (e.g. auto, or ray://head:10001); default: a "
                        "local Ray on this machine")
    p.add_argument("--device", type=device_flag, default="cpu", metavar="cpu|cuda",
                   help="where to train: cpu (NumPy) or cuda (the GPU, through CuPy: pip install "
                        "'tensorgate[cuda12]' or '[cuda13]'); 'cuda:1' names a GPU. Batches are moved there; "
                        "evaluating, saving and plotting run on the CPU (default: cpu)")
    p.set_defaults(run=run)
    return p


def device_flag(text):
    """--device: 'cpu', 'cuda' or 'cuda:N' (argparse turns the ValueError into a one-line usage error)."""
    kind, colon, index = text.partition(":")
    if kind not in ("cpu", "cuda") or (colon and not (kind == "cuda" and index.isdigit())):
        raise argparse.ArgumentTypeError(f"expected cpu, cuda or cuda:N, got {text!r}")
    return text


def check_device(device, workers=None, monitor=False):
    """Refuse a device this machine lacks, in one line, before anything is loaded or a run directory made."""
    if device == "cpu":
        return
    if workers:
        raise UserError(f"--device {device}: --workers trains on CPU workers; drop one of the two")
    if monitor:
        raise UserError(f"--device {device}: --monitor watches training on the CPU only; drop one of the two")
    from ..backend import devices

    try:
        devices.require_cuda(f"--device {device}")
    except devices.DeviceError as err:
        raise UserError(one_line(err)) from None
    index = int(device.partition(":")[2] or 0)
    if index >= devices.cuda_device_count():
        raise UserError(f"--device {device}: this machine has {devices.cuda_device_count()} GPU(s), numbered "
                        "from 0")


def run(args, extra):
    from .training import train

    flags = {key: getattr(args, key) for key in C.KEYS if hasattr(args, key)}
    settings = C.resolve(flags, args.config_file)
    if args.address is not None and not args.workers:
        raise UserError("--address: give --workers N too (the address is where the workers run)")
    check_device(args.device, args.workers, settings["monitor"])
    if args.workers:
        connect_ray(args.address, args.workers)
    return train(settings, plots=args.plots, overwrite=args.overwrite, workers=args.workers, device=args.device)


def connect_ray(address, workers):
    """Join the Ray cluster at ``address``, or start a local Ray with at least ``workers`` CPUs (more workers
    than cores is allowed on one's own machine: slower, never stuck); Ray missing is a user error."""
    import os

    from ..distributed import RayNotInstalled, connect

    try:
        return connect(address, num_cpus=None if address else max(os.cpu_count() or 1, workers))
    except RayNotInstalled as err:
        raise UserError(str(err)) from None
    except ConnectionError as err:
        raise UserError(f"--address: {one_line(err)}") from None
