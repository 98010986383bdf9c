"""tensorgate.instruments: see inside a network while it trains.

* :class:`Monitor` — hooks that record per-layer activation statistics, gradient norms and update ratios,
  and diagnose vanishing/exploding gradients, nan, dead units, symmetric weights and stacked linear layers
  (a callback of :func:`tensorgate.fit`, or used on its own); it returns data, and
  :func:`tensorgate.plot.instruments.write_monitor_report` draws it. It also diagnoses exploding
  activations (the lecture's N(0, 1) initialisation).
* :func:`diagnose_forward` — the same findings from one forward pass, for a run that broke before it said why.
* :func:`initialisation_study` — the activation spread per layer of a deep stack under zeros, N(0, 1),
  Xavier and He.
* :func:`to_dot` / :func:`render_graph` — the computational graph of a forward pass as Graphviz DOT / SVG / PNG.

The figures are in :mod:`tensorgate.plot.instruments`.
"""
from .diagnosis import (
    REMEDIES, Finding, TrainingWarning, exploding_activations, identical_rows, linear_stacks, symmetric_weights,
)
from .graph import render_graph, to_dot
from .init_study import initialisation_study
from .monitor import Monitor, diagnose_forward

__all__ = ["Monitor", "Finding", "TrainingWarning", "REMEDIES", "identical_rows", "linear_stacks",
           "symmetric_weights", "to_dot", "render_graph", "initialisation_study", "exploding_activations",
           "diagnose_forward"]
