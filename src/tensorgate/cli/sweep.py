"""``tensorgate sweep SWEEP.toml``: many ``tensorgate train`` runs over a grid or random search, on Ray Tune.

Each trial is ``tensorgate train`` with the sweep's settings (the same code path: :func:`.training.train`)
writing an ordinary run directory. The sweep directory (``--out``, default
``sweeps/<timestamp>-<file name>/``) holds:

* ``sweep.json``: the file's settings and the list of trials (what a resumed sweep must match);
* ``trials/<NNN>-<setting=value...>/``: one run directory per trial (``stopped.json`` in those ASHA
  stopped early, with the epochs they ran);
* ``summary.csv``, ``summary.md`` (one row per trial, best first) and ``sweep.png`` (the metric against each
  setting); ``tune/``: Ray Tune's own records.

Resuming: run the same command with the same ``--out``. Trials whose run directory is complete
(``metrics.json``, or ``stopped.json``) are kept as they are; the others (unfinished, failed) run again.
A directory that holds anything else is never touched.
"""
import contextlib
import io
import json
import warnings
from datetime import datetime
from pathlib import Path

from ..training import Callback
from . import config as C
from .errors import UserError, one_line
from .runs import read_json, write_json

SWEEP_FILE = "sweep.json"


def add_parser(subparsers):
    p = subparsers.add_parser(
        "sweep", help="train many models over a grid or random search (Ray Tune) and summarise them",
        description="Run a hyperparameter sweep described by a TOML file ([sweep], [train], [search] tables; "
                    "see README): every trial writes an ordinary run directory; a summary table and a plot "
                    "follow. Run it again with the same --out to resume a stopped sweep.",
        epilog="example: tensorgate sweep lr.toml --workers 2 --out sweeps/lr")
    p.add_argument("file", metavar="SWEEP.toml", help="the sweep's settings and search space")
    p.add_argument("--address", default=None, metavar="ADDR",
                   help="the Ray cluster to join (e.g. auto, or ray://head:10001); default: a local Ray")
    p.add_argument("--workers", type=C.positive_int("workers"), default=None, metavar="N",
                   help="at most N trials at a time (default: one per CPU of the local Ray or the cluster)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="the sweep directory (default: sweeps/<timestamp>-<file name>/); an existing sweep "
                        "directory of the same file resumes")
    p.add_argument("--no-plots", dest="plots", action="store_false", default=True,
                   help="write no plots (neither the trials' nor the sweep's)")
    p.set_defaults(run=run)
    return p


def run(args, extra):
    from .sweep_report import summarise
    from .sweep_spec import read_sweep
    from .train import connect_ray

    sweep = read_sweep(args.file)
    out = _sweep_dir(args.out, sweep)
    pending = [t for t in sweep["trials"] if _finished(out, t) is None]
    done = len(sweep["trials"]) - len(pending)
    print(f"tensorgate sweep: {len(sweep['trials'])} trials of {Path(args.file).name} in {out}"
          + (f"; {done} already finished, {len(pending)} to run" if done else ""), flush=True)
    outcomes = {}
    if pending:
        connect_ray(args.address, args.workers or 1)
        outcomes = _run(out, sweep, pending, args)
    summarise(out, sweep, outcomes, plots=args.plots)
    unfinished = [t["name"] for t in sweep["trials"] if _finished(out, t) is None
                  and outcomes.get(t["name"], {}).get("status") != "failed"]
    if unfinished:
        print(f"{len(unfinished)} trials did not finish; resume with: tensorgate sweep {args.file} --out {out}")
        return 1
    return 0


def _sweep_dir(out, sweep):
    """The sweep directory: a new one, or ``--out`` when it is new, empty, or this sweep's (to resume)."""
    record = {"file": sweep["path"], "options": sweep["options"], "trials": sweep["trials"]}
    if out is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path("sweeps") / f"{stamp}-{Path(sweep['path']).stem}"
    else:
        path = Path(out).expanduser()
        if path.exists() and not path.is_dir():
            raise UserError(f"--out: {path} exists and is not a directory")
        if path.is_dir() and any(path.iterdir()):
            saved = path / SWEEP_FILE
            if not saved.is_file():
                raise UserError(f"--out: {path} is not empty and holds no sweep ({SWEEP_FILE}); choose another "
                                "--out (nothing in it was touched)")
            previous = read_json(saved)
            if _comparable(previous) != _comparable(json.loads(json.dumps(record))):
                raise UserError(f"--out: {path} holds a different sweep (other settings or trials); choose "
                                "another --out, or run the same sweep file to resume it")
    try:
        (path / "trials").mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"--out: cannot create the sweep directory {path}: {err.strerror or err}") from None
    write_json(path / SWEEP_FILE, record)
    return path.resolve()


def _comparable(record):
    return {"options": record.get("options"), "trials": record.get("trials")}


def trial_dir(out, trial):
    return Path(out) / "trials" / trial["name"]


def _finished(out, trial):
    """"done" (metrics.json), "stopped" (stopped.json: ASHA stopped it) or None (to run)."""
    path = trial_dir(out, trial)
    if (path / "metrics.json").is_file():
        return "done"
    if (path / "stopped.json").is_file():
        return "stopped"
    return None


def _run(out, sweep, pending, args):
    from ..distributed.tune import run_trials

    options = sweep["options"]
    trials = [{"name": t["name"], "settings": {**t["settings"], "out": str(trial_dir(out, t))},
               "plots": args.plots} for t in pending]
    max_t = max(t["settings"]["epochs"] for t in pending)
    outcomes = run_trials(run_trial, trials, options["metric"], options["mode"], storage=str(out / "tune"),
                          name=datetime.now().strftime("tune-%Y%m%d-%H%M%S"), scheduler=options["scheduler"],
                          max_t=max_t, grace_period=options["grace_period"],
                          reduction_factor=options["reduction_factor"], max_concurrent=args.workers)
    for t in pending:
        outcome = outcomes[t["name"]]
        path = trial_dir(out, t)
        if outcome["status"] == "stopped" and (path / "history.json").is_file():
            history = read_json(path / "history.json")
            write_json(path / "stopped.json", {"stopped_by": "asha", "epochs": len(history.get("epoch", [])),
                                               "settings": t["settings"]})
    return outcomes


class _Reporter(Callback):
    """Reports every epoch but the last to Ray Tune, and keeps the history so far in the run directory (what
    a trial that ASHA stops early leaves).

    The last epoch is not reported: Tune may stop a trial on any report (ASHA at its last rung, or at its
    longest trial), and a trial that has trained to the end must go on to write its run directory.
    """

    def __init__(self, run_dir, epochs):
        self.run_dir, self.epochs = Path(run_dir), int(epochs)

    def on_epoch_end(self, epoch, logs=None):
        from ..distributed.tune import report

        write_json(self.run_dir / "history.json", self.trainer.history.to_dict())
        if epoch + 1 < self.epochs:
            report(logs or {})


def run_trial(config):
    """One trial, in a Ray worker: ``tensorgate train`` with the trial's settings into its run directory.

    An unfinished run directory of this sweep (a stopped sweep's) is replaced; the settings' ``out`` is
    always inside the sweep directory, which was checked to be this sweep's.
    """
    from threadpoolctl import threadpool_limits

    from .training import train

    trial = config["trial"]
    settings = trial["settings"]
    # quiet: the run directory and the summary say what happened (warnings of a diverging trial would flood
    # the sweep's output, relayed from every Ray worker)
    with threadpool_limits(limits=1), contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reporter = _Reporter(settings["out"], settings["epochs"])
            train(settings, plots=trial["plots"], overwrite=True, callbacks=[reporter])
        except UserError as err:
            raise RuntimeError(one_line(err)) from None
