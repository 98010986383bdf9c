"""Cyclic learning-rate schedules: the one-cycle policy and cosine annealing with warm restarts (PyTorch's
``OneCycleLR`` and ``CosineAnnealingWarmRestarts``, with their formulas and their quirks)."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

from .lr_scheduler import LRScheduler

if TYPE_CHECKING:
    from typing import Sequence

    from .optimizer import Optimizer


def _anneal(strategy, start, end, pct):
    """From ``start`` at pct = 0 to ``end`` at pct = 1: half a cosine ('cos') or a straight line ('linear')."""
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin 2018): the rate climbs from max_lr/div_factor to ``max_lr`` over the
    first ``pct_start`` of the steps, then anneals to max_lr/(div_factor·final_div_factor); the momentum (SGD's
    ``momentum``, or Adam's β₁) moves the opposite way, from ``max_momentum`` to ``base_momentum`` and back.

    Stepped once per **batch**: ``total_steps`` (or ``epochs · steps_per_epoch``) calls in all; one more is an
    error, as in PyTorch. With ``three_phase`` the rate comes back down to the initial rate before the final
    annealing. Each phase anneals with a cosine (``anneal_strategy='cos'``) or linearly:
    η = η_end + (η_start − η_end)(1 + cos(π·pct))/2, pct the fraction of the phase done.

    As in PyTorch, ``cycle_momentum=True`` (the default) sets the optimiser's momentum even if it was
    created with ``momentum=0`` (SGD then runs with momentum 0.85–0.95): pass ``cycle_momentum=False`` to
    keep plain SGD.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> opt = tg.optim.SGD([tg.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> s = OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    >>> lrs = []
    >>> for step in range(10):
    ...     lrs.append(round(s.get_last_lr()[0], 4))
    ...     s.step()
    >>> lrs
    [0.04, 0.52, 1.0, 0.8571, 0.7143, 0.5714, 0.4286, 0.2857, 0.1429, 0.0]
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | Sequence[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True, base_momentum: float = 0.85,
                 max_momentum: float = 0.95, div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        name = "OneCycleLR"
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError(f"{name}: give total_steps, or both epochs and steps_per_epoch")
            for arg, value in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    raise ValueError(f"{name}: {arg} must be a positive integer, got {value!r}")
            total_steps = epochs * steps_per_epoch
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps <= 0:
            raise ValueError(f"{name}: total_steps must be a positive integer, got {total_steps!r}")
        if not isinstance(pct_start, (int, float)) or not 0 <= pct_start <= 1:
            raise ValueError(f"{name}: pct_start must be a number in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{name}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self.total_steps, self.anneal_strategy = total_steps, anneal_strategy
        pct = float(pct_start)
        if three_phase:
            self._schedule_phases = [
                {"end_step": float(pct * total_steps) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct * total_steps) - 2, "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        else:
            self._schedule_phases = [
                {"end_step": float(pct * total_steps) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]
        groups = optimizer.param_groups
        max_lrs = _per_group(name, "max_lr", max_lr, len(groups))
        if last_epoch == -1:
            for group, lr in zip(groups, max_lrs):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if not all("momentum" in g or "betas" in g for g in groups):
                raise ValueError(f"{name}: the optimizer has no momentum or betas to cycle; pass cycle_momentum=False")
            self.use_beta1 = "betas" in groups[0]
            for group, high, low in zip(groups, _per_group(name, "max_momentum", max_momentum, len(groups)),
                                        _per_group(name, "base_momentum", base_momentum, len(groups))):
                if last_epoch == -1:
                    self._set_momentum(group, high)
                group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value,) + tuple(group["betas"][1:])
        else:
            group["momentum"] = value

    def step(self, epoch: int | None = None) -> None:
        """Advance one batch and set each group's rate (and momentum) from the current phase."""
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        e = self.last_epoch
        if e > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {e} times; the schedule has total_steps={self.total_steps} "
                             "(steps_per_epoch counts batches: step once per batch)")
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if e <= end or i == len(self._schedule_phases) - 1:  # type: ignore[operator]
                    pct = (e - start) / (end - start)  # type: ignore[operator]
                    group["lr"] = _anneal(self.anneal_strategy, group[phase["start_lr"]], group[phase["end_lr"]], pct)  # type: ignore[index]
                    if self.cycle_momentum:
                        self._set_momentum(group, _anneal(self.anneal_strategy, group[phase["start_momentum"]],  # type: ignore[index]
                                                          group[phase["end_momentum"]], pct))  # type: ignore[index]
                    break
                start = end
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


def _per_group(name, arg, value, n):
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name}: {arg} needs one value per parameter group ({n}), got {len(value)}")
        return [float(v) for v in value]
    return [float(value)] * n


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017):
    η = η_min + (η₀ − η_min)(1 + cos(π T_cur / T_i))/2, where T_cur counts the epochs since the last restart
    and the period T_i starts at ``T_0`` and is multiplied by ``T_mult`` at each restart.

    ``step()`` advances one epoch; ``step(epoch)`` accepts a fractional epoch (``epoch + i / iters`` per
    batch), as in PyTorch.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> opt = tg.optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(round(s.get_last_lr()[0], 4))
    ...     s.step()
    >>> lrs
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1):
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: T_0 must be a positive integer, got {T_0!r}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: T_mult must be an integer ≥ 1, got {T_mult!r}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, float(eta_min)
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to (fractional) ``epoch``, restarting the cosine where a period ends."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur - self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be non-negative, got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0  # type: ignore[assignment]
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch  # type: ignore[assignment]
        self.last_epoch = math.floor(epoch)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
