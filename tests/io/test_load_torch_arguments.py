"""tg.load accepts torch.load's arguments: weights_only (every load is weights-only) and map_location='cpu'."""
import numpy as np
import pytest
import torch

import tensorgate as tg


def test_weights_only_and_map_location_are_accepted(tmp_path):
    model = tg.nn.Linear(3, 2)
    path = tmp_path / "m.tgate"
    tg.save(model.state_dict(), path)
    for kwargs in (dict(weights_only=True), dict(weights_only=False), dict(map_location="cpu"),
                   dict(map_location=torch.device("cpu"), weights_only=True), dict(map_location="cpu:0")):
        state = tg.load(path, **kwargs)
        assert sorted(state) == ["bias", "weight"]
        np.testing.assert_array_equal(np.asarray(state["weight"]), model.weight.data)


def test_unsupported_load_arguments_are_clear_errors(tmp_path):
    path = tmp_path / "m.tgate"
    tg.save({"a": np.zeros(2)}, path)
    with pytest.raises(ValueError, match="map_location"):
        tg.load(path, map_location={"cuda:0": "cpu"})     # PyTorch's remapping dict: not supported
    if not tg.cuda.is_available():
        with pytest.raises(RuntimeError, match="cuda"):
            tg.load(path, map_location="cuda:0")
    with pytest.raises(ValueError, match="never use pickle"):
        tg.load(path, pickle_module=object())
    with pytest.raises(NotImplementedError, match="mmap"):
        tg.load(path, mmap=True)
