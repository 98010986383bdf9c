"""The one JSON sanitiser: strict JSON out of NumPy values, nan and inf."""
import doctest
import json
import math

import numpy as np

import tensorgate.backend.jsonable as jsonable
from tensorgate.backend.jsonable import json_ready


def test_json_ready_gives_strict_json_and_keeps_nan_when_asked():
    value = {1: (np.float32(0.25), np.array([[1, 2]]), float("inf")), "n": np.nan, "b": np.bool_(True)}
    ready = json_ready(value)
    assert ready == {"1": [0.25, [[1, 2]], None], "n": None, "b": True}
    json.dumps(ready, allow_nan=False)
    kept = json_ready(value, keep_nan=True)
    assert math.isinf(kept["1"][2]) and math.isnan(kept["n"]) and type(kept["1"][0]) is float


def test_doctest():
    assert doctest.testmod(jsonable).failed == 0
