"""Many trainings under Ray Tune: the trials of a sweep, run as Ray tasks on a local Ray or a cluster, each
with one CPU, optionally pruned by ASHA (asynchronous successive halving).

The search space is expanded by the caller into an explicit list of trials (``tensorgate sweep`` does it
with a seeded generator), and Tune runs that list as one grid. Tune's own search algorithms keep their
state inside Tune's experiment directory; a fixed list instead makes every trial's identity (its name and
settings) known before anything runs, so a stopped sweep resumes by skipping the trials whose run
directories are complete, whatever happened to Tune's state.
"""
import logging

from .ray_setup import require_ray

__all__ = ["run_trials", "report"]


def report(metrics):
    """Report one epoch's metrics from inside a trial (Tune's ``tune.report``; nothing outside Tune)."""
    from ray import tune

    tune.report({k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))})


def _asha(metric, mode, max_t, grace_period, reduction_factor, stopped):
    from ray.tune.schedulers import ASHAScheduler, TrialScheduler

    class RecordingASHA(ASHAScheduler):
        """ASHA that remembers which trials it stopped (an interrupted trial is not one of them)."""

        def on_trial_result(self, tune_controller, trial, result):
            decision = super().on_trial_result(tune_controller, trial, result)
            if decision == TrialScheduler.STOP and not result.get("done"):
                stopped.add(trial.config["trial"]["name"])
            return decision

    return RecordingASHA(time_attr="training_iteration", metric=metric, mode=mode, max_t=max_t,
                         grace_period=grace_period, reduction_factor=reduction_factor)


def run_trials(trainable, trials, metric, mode, storage, name="tune", scheduler=None, max_t=1, grace_period=1,
               reduction_factor=3, max_concurrent=None):
    """Run ``trainable(config)`` once per trial under Ray Tune; returns one outcome per trial.

    Parameters
    ----------
    trainable : function
        A module-level function (Ray imports it by name in its workers) taking ``{"trial": trial}`` and
        calling :func:`report` once per epoch.
    trials : list of dict
        Each with a unique ``"name"``; handed to the trainable as it is (JSON-able values).
    metric, mode : str
        What ASHA compares (``"val_accuracy"``, ``"max"``).
    storage : str
        An absolute directory for Tune's experiment state (``name`` inside it).
    scheduler : None or "asha"
    max_t, grace_period, reduction_factor : int
        ASHA's longest trial, its first rung and its halving factor, in epochs.
    max_concurrent : int, optional
        At most this many trials at a time.

    Returns
    -------
    dict
        ``{name: {"status": "done" | "stopped" | "failed" | "unfinished", "error": str or None}}``:
        stopped by ASHA, or unfinished (the sweep was interrupted before it ended).

    Shape: not applicable.
    """
    require_ray("tensorgate sweep")
    import os

    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")   # with verbose=0: no tables, the sweep prints its own
    os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")   # the run directories are the record
    from ray import tune

    stopped = set()
    chosen = (_asha(metric, mode, max_t, grace_period, reduction_factor, stopped) if scheduler == "asha"
              else None)
    tuner = tune.Tuner(
        tune.with_resources(trainable, {"cpu": 1}),
        param_space={"trial": tune.grid_search(list(trials))},
        tune_config=tune.TuneConfig(scheduler=chosen, max_concurrent_trials=max_concurrent, num_samples=1,
                                    reuse_actors=True),   # a process per slot, not per trial
        run_config=tune.RunConfig(name=name, storage_path=storage, verbose=0,
                                  failure_config=tune.FailureConfig(max_failures=0, fail_fast=False)))
    quiet = [logging.getLogger(n) for n in ("ray.tune", "ray.train")]   # failures: our summary says them
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        grid = tuner.fit()
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)
    outcomes = {t["name"]: {"status": "unfinished", "error": None} for t in trials}
    for result in grid:
        trial_name = result.config["trial"]["name"]
        if result.error is not None:
            outcomes[trial_name] = {"status": "failed", "error": _message(result.error)}
        elif trial_name in stopped:
            outcomes[trial_name] = {"status": "stopped", "error": None}
        elif (result.metrics or {}).get("done"):
            outcomes[trial_name] = {"status": "done", "error": None}
    return outcomes


def _message(error):
    """The trial's own error message (the exception Ray wrapped), on one line."""
    cause = getattr(error, "cause", None) or error
    while getattr(cause, "cause", None) is not None and cause.cause is not cause:
        cause = cause.cause
    text = str(cause).strip().splitlines()
    # Ray's wrapper puts its traceback first; the exception's own line is the last one
    line = text[-1].strip() if text else type(cause).__name__
    return line
