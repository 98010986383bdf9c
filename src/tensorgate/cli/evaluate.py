"""``tensorgate evaluate RUN_OR_MODEL [--data ...]``: how good is a trained model, in numbers and pictures.

Prints the confusion matrix, precision/recall/F1 per class (``classification_report``), the ROC AUC and,
for two classes, the operating thresholds that ``tensorgate.metrics.best_threshold`` chooses (Youden's J,
minimum error/cost, F1, recall >= 0.95). Writes ``evaluation.json`` and the plots into the run directory (or
``--out``).

The thresholds are chosen on other data than the data they are reported on: on the validation split that
``train`` keeps in the run directory (``validation.npz``), or on ``--threshold-data FILE``, and their effect
is measured on the evaluation data. A threshold chosen on the test data itself looks better there than it
will on new data; runs of earlier versions, which kept no validation split, fall back to that, and say so.
The positive class is label 1 (scikit-learn's default) unless ``--pos-label`` names another: a screening
test for cancer wants ``--pos-label malignant``, so that "recall >= 0.95" is the recall of the sick.

Without ``--data`` the model is evaluated on the test split of the data it was trained on (the same split,
from the seed in the model file). ``--data NAME`` uses that data set's test split; ``--data FILE`` uses
every row of a labelled CSV/NPZ file, unless it is the file the model was trained on: then its test split.
"""
import warnings
from pathlib import Path

import numpy as np

from .errors import UserError

#: The criteria shown for binary problems: (label, criterion, keyword arguments of best_threshold).
CRITERIA: tuple = (
    ("Youden's J = TPR − FPR", "youden", {}),
    ("minimum error (cost FN = FP)", "cost", {}),
    ("maximum F1", "f1", {}),
    ("recall >= 0.95", "recall", {"min_recall": 0.95}),
)


def add_parser(subparsers):
    from .config import PARSERS

    p = subparsers.add_parser(
        "evaluate", help="confusion matrix, precision/recall/F1, ROC AUC and thresholds of a trained model",
        description="Evaluate a trained model: confusion matrix, per-class precision/recall/F1, ROC AUC, and "
                    "for binary problems the thresholds best_threshold chooses. Writes evaluation.json and the "
                    "plots into the run directory (or --out).",
        epilog="examples: tensorgate evaluate runs/20250101-120000-digits-mlp;  "
               "tensorgate evaluate runs/20250101-120000-breast-cancer-mlp --pos-label malignant")
    p.add_argument("model", metavar="RUN_OR_MODEL", help="a run directory or a model file (.tgate)")
    p.add_argument("--data", type=PARSERS["data"], default=None, metavar="NAME|FILE",
                   help="data to evaluate on: a data set's name (its test split) or a labelled CSV/NPZ file "
                        "(every row; the test split if it is the training file); default: the test split of "
                        "the training data")
    p.add_argument("--pos-label", dest="pos_label", default=None, metavar="CLASS",
                   help="the positive class of a binary problem, by name or label (e.g. malignant for "
                        "breast-cancer); thresholds, recall, ROC and PR curves are about it (default: label 1)")
    p.add_argument("--threshold-data", dest="threshold_data", type=PARSERS["data"], default=None, metavar="FILE",
                   help="a labelled CSV/NPZ file (every row) on which to choose the thresholds (default: the "
                        "validation split saved in the run directory)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="where to write evaluation.json and the plots (default: the run directory)")
    p.add_argument("--no-plots", dest="plots", action="store_false", help="write no plots")
    p.set_defaults(run=run)
    return p


def load_evaluation_data(predictor, source):
    """(X, y, name, image_shape) to evaluate on, y holding the model's own class indices; user errors for
    data the model cannot take.

    Without ``source`` the model's training data is used when it is a built-in data set. A path stored in
    a model file is never opened: a model file must not make tensorgate read another file.
    """
    from . import data as cli_data
    from .config import DATA_NAMES, ZOO_MODELS

    info = predictor.info
    trained_on = info.get("data")
    seed = info.get("seed")
    seed = seed if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**32 else 0
    if source is None:
        if trained_on not in DATA_NAMES:
            said = "does not say which data it was trained on" if trained_on is None else "was trained on a file"
            raise UserError(f"evaluate: the model {said}; give --data NAME or --data FILE (tensorgate does not "
                            "open paths read from a model file)")
        source = trained_on
    as_images = info.get("model") in ZOO_MODELS
    if source in DATA_NAMES or _same_path(source, trained_on):
        d = cli_data.load(source, seed=seed, as_images=as_images)
        X, y, classes, name, image_shape = d.X_test, d.y_test, d.classes, d.name, d.image_shape
        split = "test split"
    else:
        from .. import data as tgdata
        from .errors import one_line

        try:
            X, y, classes = tgdata.load_table(source)
        except (OSError, ValueError) as err:
            raise UserError(f"--data: {one_line(err)}") from None
        name, image_shape, split = Path(source).name, info.get("image_shape"), "all rows"
    predictor.prepare(X[:1], where=f"--data {source}")  # the number of features first: the plainer error
    y = to_model_classes(predictor, y, classes, source)
    return X, y, f"{name} ({split}, {len(y)} examples)", image_shape


def _same_path(given, stored):
    """Whether the user's --data names the file the model was trained on (compared as paths, not opened)."""
    if not isinstance(stored, str) or stored in ("", "."):
        return False
    try:
        return Path(given).expanduser().resolve() == Path(stored).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def to_model_classes(predictor, y, classes, source, flag="--data"):
    """The labels ``y`` (indices into the data's own ``classes``) as indices into the model's classes.

    The data's classes are matched to the model's by name (a file holding only digits 3 and 7 keeps them
    as 3 and 7); a label the model does not know is an error, never a silent renumbering. Only when no
    class of the model is a number and the file's labels are all numbers (scikit-learn's convention: y
    indexes ``target_names``, as 0 and 1 for breast_cancer's malignant and benign) are they indices.

    Shape: y (m,) int; result (m,) int64.
    """
    known = list(predictor.classes) if predictor.classes else None
    if known is None:  # a plain saved model: its classes are its output indices
        k = predictor.output_size()
        known = [str(i) for i in range(k)] if k else list(classes)
    index = {name: i for i, name in enumerate(known)}
    if not any(_is_index(name, len(known)) for name in known) and all(_is_index(c, len(known)) for c in classes):
        index = {c: int(c) for c in classes}
    unknown = [c for c in classes if c not in index]
    if unknown:
        shown = ", ".join(repr(c) for c in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise UserError(f"{flag} {source}: labels {shown} are not among the model's classes "
                        f"({', '.join(known[:12])}{', ...' if len(known) > 12 else ''})")
    return np.array([index[c] for c in classes], dtype=np.int64)[np.asarray(y, dtype=np.int64)]


def _is_index(name, k):
    return str(name).isdigit() and int(name) < k


def positive_class(pos_label, names):
    """The index of the positive class named (or numbered) by ``--pos-label``; 1 by default."""
    if pos_label is None:
        return 1
    text = str(pos_label).strip()
    if text in names:
        return names.index(text)
    lowered = [n.lower() for n in names]
    if text.lower() in lowered:
        return lowered.index(text.lower())
    if text.lstrip("-").isdigit() and 0 <= int(text) < len(names):
        return int(text)
    shown = ", ".join(f"{i} ({n})" for i, n in enumerate(names))
    raise UserError(f"--pos-label: no class {pos_label!r}; the classes are {shown}")


def threshold_data(predictor, path):
    """(X, y, description) on which to choose the thresholds, or None when there is none to choose on."""
    from .runs import read_validation_split

    if path is not None:
        from .. import data as tgdata
        from .config import DATA_NAMES

        if path in DATA_NAMES:
            raise UserError(f"--threshold-data: give a labelled CSV/NPZ file, not the data set {path!r} (its "
                            "validation split is the one train saved in the run directory, used by default)")

        try:
            X, y, classes = tgdata.load_table(path)
        except (OSError, ValueError) as err:
            from .errors import one_line

            raise UserError(f"--threshold-data: {one_line(err)}") from None
        y = to_model_classes(predictor, y, classes, path, flag="--threshold-data")
        return X, y, f"{Path(path).name} (--threshold-data, {len(y)} examples)"
    saved = read_validation_split(Path(predictor.path).parent) if predictor.path else None
    if saved is None:
        return None
    X, y = saved
    return X, y, f"the run's validation split ({len(y)} examples)"


def choose_thresholds(predictor, y, scores, pos, args, where):
    """For each criterion: θ chosen on the threshold data (or, failing that, on this data), and its effect
    here. Returns (rows of (label, chosen, here), what θ was chosen on, a note or None)."""
    from .. import metrics

    chosen_on = threshold_data(predictor, args.threshold_data)
    note = None
    if chosen_on is not None:
        X_t, y_t, described = chosen_on
        if y_t.size and int(y_t.max()) >= 2:
            raise UserError(f"--threshold-data: the labels go up to {int(y_t.max())}; the model has 2 classes")
        proba_t = predictor.predict_proba(X_t, where="--threshold-data" if args.threshold_data else described)
        y_choose, s_choose = y_t, proba_t[:, pos]
        if len(np.unique(y_t)) < 2:
            note = f"{described} holds one class only: the thresholds are chosen on {where} instead"
            chosen_on = None
    if chosen_on is None:
        y_choose, s_choose, described = y, scores, "the evaluation data itself"
        note = note or ("this run has no saved validation split (runs of earlier versions kept none) and no "
                        "--threshold-data was given: the thresholds are chosen on the very data they are "
                        "reported on, which flatters them; retrain, or give --threshold-data FILE")
    rows = []
    for label, criterion, kwargs in CRITERIA:
        try:
            chosen = metrics.best_threshold(y_choose, s_choose, criterion, pos_label=pos, **kwargs)
        except ValueError as err:
            raise UserError(f"evaluate: cannot choose the {criterion} threshold on {described}: {err}") from None
        here = metrics.threshold_metrics(y, scores, chosen.threshold, pos_label=pos)
        rows.append((label, criterion, chosen, here))
    return rows, described, note


def print_thresholds(rows, chosen_on, where, positive, note):
    print()
    print(f"thresholds for P({positive!r}) >= θ, chosen on {chosen_on}, measured on {where}:")
    if note:
        print(f"  note: {note}")
    print(f"  {'criterion':<30}{'θ':>7}{'recall':>8}{'→ here':>8}{'FPR':>7}{'precision':>10}{'F1':>7}"
          f"{'accuracy':>9}")
    for label, _, chosen, here in rows:
        print(f"  {label:<30}{chosen.threshold:>7.3f}{chosen.recall:>8.3f}{here.recall:>8.3f}{here.fpr:>7.3f}"
              f"{here.precision:>10.3f}{here.f1:>7.3f}{here.accuracy:>9.3f}")
    print("  (recall: where θ was chosen; → here and the rest: on the evaluation data)")


def run(args, extra):
    from .. import metrics
    from .figures import write_plots
    from .runs import Predictor, write_json

    predictor = Predictor.load(args.model)
    X, y, description, image_shape = load_evaluation_data(predictor, args.data)
    proba = predictor.predict_proba(X, where=f"--data {args.data or predictor.info.get('data')}")
    k = proba.shape[1]
    if y.size and y.max() >= k:  # a model whose metadata lists more classes than it has outputs
        raise UserError(f"evaluate: the data has labels up to {int(y.max())}, the model predicts {k} classes")
    names = predictor.class_names(k)
    pred = proba.argmax(axis=1)
    labels = list(range(k))
    print(f"tensorgate evaluate: {predictor.model_name} from {predictor.path} on {description}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.UndefinedMetricWarning)
        cm = metrics.confusion_matrix(y, pred, labels=labels)
        report_text = metrics.classification_report(y, pred, labels=labels, target_names=names, digits=3,
                                                    zero_division=0)
        report = metrics.classification_report(y, pred, labels=labels, target_names=names, output_dict=True,
                                               zero_division=0)
        result = {"data": description, "examples": int(len(y)), "accuracy": float(np.mean(pred == y)),
                  "confusion_matrix": cm.tolist(), "classes": names, "report": report}
        present = np.unique(y)
        pos = positive_class(args.pos_label, names) if k == 2 else None
        if args.pos_label is not None and k != 2:
            raise UserError(f"--pos-label: the model has {k} classes; a positive class is for binary problems")
        if pos is not None:
            result["positive_class"] = {"label": pos, "name": names[pos]}
        if k == 2 and len(present) == 2:
            result["roc_auc"] = float(metrics.roc_auc_score(y == pos, proba[:, pos]))
            result["average_precision"] = float(metrics.average_precision_score(y, proba[:, pos], pos_label=pos))
        elif k > 2 and len(present) == k:
            result["roc_auc"] = float(metrics.roc_auc_score(y, proba, multi_class="ovr", labels=labels))
        else:
            result["roc_auc"] = None

    print()
    print(_format_matrix(cm, names))
    print()
    print(report_text.rstrip())
    print()
    if result["roc_auc"] is not None:
        kind = "" if k == 2 else " (one-vs-rest, macro average)"
        print(f"ROC AUC{kind}: {result['roc_auc']:.4f}")
        if "average_precision" in result:
            print(f"average precision: {result['average_precision']:.4f}")
    else:
        print("ROC AUC: undefined (the data does not hold every class)")
    if pos is not None:
        other = names[1 - pos]
        print(f"positive class: {names[pos]!r} (label {pos}; the other is {other!r})"
              + ("" if args.pos_label is not None else "; --pos-label CLASS chooses another"))
    chosen = None
    if k == 2 and len(np.unique(y)) == 2:
        where = description
        rows, chosen_on, note = choose_thresholds(predictor, y, proba[:, pos], pos, args, where)
        result["thresholds_chosen_on"] = chosen_on
        if note:
            result["thresholds_note"] = note
        # each criterion: the measures on this data at θ, and where θ was chosen with its measures there
        result["thresholds"] = {criterion: _measured(here, criterion, c) for _, criterion, c, here in rows}
        chosen = rows[0][2].threshold
        print_thresholds(rows, chosen_on, where, names[pos], note)

    out = Path(args.out).expanduser() if args.out else Path(predictor.path).parent
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"--out: cannot create {out}: {err.strerror or err}") from None
    write_json(out / "evaluation.json", result)
    if args.plots:
        write_plots(out, predictor, X, y, proba=proba, image_shape=image_shape,
                    threshold=chosen if chosen is not None else "youden",
                    pos_label=1 if pos is None else pos)
    print()
    print(f"accuracy: {result['accuracy']:.2%}")
    print(f"wrote {out / 'evaluation.json'}" + (" and the plots" if args.plots else ""))
    return 0


def _measured(here, criterion, chosen):
    """evaluation.json's entry for a criterion: θ and its measures on the evaluation data, and under
    ``chosen`` the result of best_threshold where θ was chosen."""
    entry = here.to_dict()
    del entry["value"]
    entry["criterion"] = criterion
    entry["chosen"] = chosen.to_dict()
    return entry


def _format_matrix(cm, names):
    """The confusion matrix as text: true classes down, predicted across."""
    width = max(6, max(len(str(v)) for v in cm.ravel()) + 1, min(12, max(len(n) for n in names)) + 1)
    short = [n if len(n) <= 12 else n[:11] + "…" for n in names]
    lines = ["confusion matrix (rows: true class, columns: predicted class)",
             " " * 14 + "".join(f"{n:>{width}}" for n in short)]
    for name, row in zip(short, cm):
        lines.append(f"  {name:<12}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)
