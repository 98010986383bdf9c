"""The end of a sweep: one row per trial (its varied settings, status, metrics), best first, as CSV, as a
Markdown table (both written, the table also printed), and ``sweep.png``."""
import csv
import io
import math

from .errors import one_line
from .runs import read_json, write_text

COLUMNS = ("val_accuracy", "val_loss", "test_accuracy", "epochs", "seconds")


def _row(out, sweep, trial, outcome):
    from .sweep import trial_dir

    path = trial_dir(out, trial)
    row = {"trial": trial["name"], **trial["varied"], "status": "not run", "run_directory": str(path)}
    metric = sweep["options"]["metric"]
    history = {}
    if (path / "history.json").is_file():
        history = read_json(path / "history.json").get("history", {})
    last = {k: v[-1] for k, v in history.items() if isinstance(v, list) and v and v[-1] is not None}
    if (path / "metrics.json").is_file():
        metrics = read_json(path / "metrics.json")
        row.update(status="done", test_accuracy=metrics["test"]["accuracy"],
                   seconds=metrics["training"]["seconds"])
    elif (path / "stopped.json").is_file():
        row["status"] = "stopped"
    elif outcome.get("status") == "failed":
        row.update(status="failed", error=outcome.get("error"))
    elif outcome.get("status"):
        row["status"] = outcome["status"]
    if row["status"] in ("done", "stopped"):
        row.update(epochs=len(history.get("loss", [])), val_accuracy=last.get("val_accuracy"),
                   val_loss=last.get("val_loss"), accuracy=last.get("accuracy"), loss=last.get("loss"))
        row[metric] = last.get(metric)
    return row


def _order(rows, metric, mode):
    def key(row):
        value = row.get(metric)
        rank = {"done": 0, "stopped": 1}.get(row["status"], 2)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return (rank, math.inf)
        return (rank, -value if mode == "max" else value)

    return sorted(rows, key=key)


def _show(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) or "none"
    return str(value)


def summarise(out, sweep, outcomes, plots=True):
    """Write summary.csv, summary.md (and sweep.png); print the table and the best trial. Returns the rows."""
    options = sweep["options"]
    metric, mode = options["metric"], options["mode"]
    rows = _order([_row(out, sweep, t, outcomes.get(t["name"], {})) for t in sweep["trials"]], metric, mode)
    keys = list(sweep["space"])
    columns = ["trial", "status", *keys, *dict.fromkeys([metric, *COLUMNS])]
    table = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    table += ["| " + " | ".join(_show(r.get(c)) for c in columns) + " |" for r in rows]
    failed = [r for r in rows if r["status"] == "failed"]
    notes = [f"- {r['trial']} failed: {one_line(r.get('error') or '')}" for r in failed]
    markdown = "\n".join(table) + ("\n\n" + "\n".join(notes) if notes else "") + "\n"
    write_text(out / "summary.md", markdown)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns + ["run_directory", "error"])
    for r in rows:
        writer.writerow([_show(r.get(c)) for c in columns] + [r["run_directory"], r.get("error") or ""])
    write_text(out / "summary.csv", text.getvalue())
    print()
    print(markdown)
    best = rows[0] if rows and rows[0]["status"] in ("done", "stopped") and rows[0].get(metric) is not None \
        else None
    if best is not None:
        chosen = ", ".join(f"{k}={_show(best[k])}" for k in keys)
        print(f"best: {best['trial']} ({chosen}): {metric} {best[metric]:.4f}; run directory {best['run_directory']}")
    if plots and keys and best is not None:
        from ..plot import plot_sweep

        plot_sweep([r for r in rows if r["status"] in ("done", "stopped")], keys, metric, mode,
                   path=out / "sweep.png")
    print(f"summary: {out / 'summary.md'}, {out / 'summary.csv'}" + (f", {out / 'sweep.png'}" if plots else ""))
    return rows
