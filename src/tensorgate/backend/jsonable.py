"""One JSON sanitiser for everything tensorgate writes as JSON (run files, histories, monitor records)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def json_ready(value: Any, keep_nan: bool = False) -> Any:
    """``value`` as plain Python that ``json.dumps(..., allow_nan=False)`` accepts: NumPy scalars and
    arrays become numbers and lists, tuples become lists, dict keys strings (recursively), and nan and ±inf
    become None (JSON has no such numbers). With ``keep_nan`` they stay floats (for values kept in memory,
    such as a History's, which compare and plot them).

    Shape: an array becomes nested lists of its shape.

    Examples
    --------
    >>> json_ready({"loss": np.float32(0.5), "acc": [float("nan"), np.arange(2)]})
    {'loss': 0.5, 'acc': [None, [0, 1]]}
    """
    if isinstance(value, dict):
        return {str(k): json_ready(v, keep_nan) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v, keep_nan) for v in value]
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist(), keep_nan)
    if isinstance(value, np.generic):
        return json_ready(value.item(), keep_nan)
    if not keep_nan and isinstance(value, float) and not math.isfinite(value):
        return None
    return value
