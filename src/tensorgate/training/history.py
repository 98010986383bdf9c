"""History: what :func:`tensorgate.fit` measured, one entry per epoch."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

from ..backend.jsonable import json_ready

if TYPE_CHECKING:
    from typing import Mapping

__all__ = ["History"]


class History:
    """Per-epoch training record: ``history.history["loss"][e]`` is epoch e's mean training loss.

    Keys: ``"loss"`` and each metric's name (``"accuracy"``) for the training batches, the same with a
    ``"val_"`` prefix for the validation data, ``"lr"`` (the first group's learning rate at the epoch's start),
    ``"time"`` (seconds for the epoch, validation included) and ``"samples_per_sec"`` (training throughput).
    ``history.epoch`` lists the epoch indices (0-based), which start above 0 after a resume.

    Shape: every list has one entry per recorded epoch (None where a key was not logged that epoch).

    Examples
    --------
    >>> h = History()
    >>> h.record(0, {"loss": 0.9}); h.record(1, {"loss": 0.5, "val_loss": 0.6})
    >>> h.history
    {'loss': [0.9, 0.5], 'val_loss': [None, 0.6]}
    >>> History.from_dict(h.to_dict()).history == h.history
    True
    """

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}

    def record(self, epoch: int, logs: Mapping[str, float]) -> None:
        """Append epoch ``epoch``'s logs."""
        n = len(self.epoch)
        self.epoch.append(int(epoch))
        for key, value in logs.items():
            self.history.setdefault(key, [None] * n).append(json_ready(value, keep_nan=True))
        for key, values in self.history.items():
            if len(values) == n:
                values.append(None)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __contains__(self, key: object) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def last(self, key: str) -> float:
        """The most recent value logged under ``key``."""
        return self.history[key][-1]

    def best(self, key: str = "val_loss", mode: str = "min") -> tuple[int, float]:
        """``(epoch, value)`` of the best value of ``key`` (smallest for mode "min", largest for "max")."""
        values = [(v, e) for e, v in zip(self.epoch, self.history[key])
                  if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if not values:
            raise ValueError(f"History.best: no values logged under {key!r}")
        value, epoch = (min if mode == "min" else max)(values)
        return epoch, value

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (``json.dumps`` works when no value is nan)."""
        return {"history": {k: list(v) for k, v in self.history.items()}, "epoch": list(self.epoch),
                "params": dict(self.params)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> History:
        """Rebuild a History from :meth:`to_dict`'s output."""
        history = cls()
        history.history = {k: list(v) for k, v in d.get("history", {}).items()}
        history.epoch = [int(e) for e in d.get("epoch", [])]
        history.params = dict(d.get("params", {}))
        return history

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History({len(self.epoch)} epochs: {keys})"
