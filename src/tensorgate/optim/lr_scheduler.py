"""Learning-rate schedules: change each group's ``lr`` as training goes on.

Call ``scheduler.step()`` once per epoch (after the epoch's ``optimizer.step()`` calls), or once per batch
for schedules counted in steps (warm-up). Every scheduler, like PyTorch's, sets the epoch-0 learning rate
when it is created, so ``get_last_lr()`` is right before the first step. ``e`` below is the number of
``step()`` calls so far (``last_epoch``), η₀ the group's initial learning rate.

``ReduceLROnPlateau`` is different: its ``step(value)`` takes the monitored quantity (a validation loss)
and cuts the rate when it stops improving.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import bisect
import math

from .optimizer import Optimizer

if TYPE_CHECKING:
    from typing import Callable, Iterable, Sequence


__all__ = ["LRScheduler", "StepLR", "LambdaLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
           "LinearWarmup", "ReduceLROnPlateau", "SequentialLR", "OneCycleLR", "CosineAnnealingWarmRestarts"]


class LRScheduler:
    """Base class: subclasses give ``lr_at(base_lr, e)``, the closed form of their schedule.

    Shape: not applicable (learning rates are Python floats, one per parameter group).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            if last_epoch == -1:   # as PyTorch: a second scheduler keeps the first one's initial rate
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: last_epoch={last_epoch} needs 'initial_lr' in every group")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, base_lr: float, e: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or step) and set each group's learning rate; ``step(e)`` jumps to epoch e (the
        closed form at e, as PyTorch's deprecated ``epoch`` argument; SequentialLR uses it)."""
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base, self.last_epoch)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser, JSON-friendly."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v}" for k, v in self.state_dict().items() if not k.startswith("_"))
        return f"{type(self).__name__}({options})"


class StepLR(LRScheduler):
    """η = η₀ · γ^⌊e / step_size⌋: multiply by γ every ``step_size`` epochs.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> opt = tg.optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(s.get_last_lr()[0])     # train one epoch at this rate, then:
    ...     s.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if int(step_size) < 1:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = int(step_size), float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, e: int) -> float:
        return base_lr * self.gamma ** (e // self.step_size)


class LambdaLR(LRScheduler):
    """η = η₀ · λ(e): the factor is any function of the epoch, one for all groups or a list of one per group.

    The functions are not part of ``state_dict()`` (they may be lambdas); give them again when resuming.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> opt = tg.optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = LambdaLR(opt, lr_lambda=lambda epoch: 0.5 ** epoch)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     lrs.append(s.get_last_lr()[0])
    ...     s.step()
    >>> lrs
    [1.0, 0.5, 0.25, 0.125]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1):
        n = len(getattr(optimizer, "param_groups", ()))
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        if len(lambdas) != n:
            raise ValueError(f"LambdaLR: lr_lambda needs one function per parameter group ({n}), got {len(lambdas)}")
        for f in lambdas:
            if not callable(f):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got {type(f).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``) and set group i's rate to η₀ᵢ · λᵢ(e)."""
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        for group, base, factor in zip(self.optimizer.param_groups, self.base_lrs, self.lr_lambdas):
            group["lr"] = base * factor(self.last_epoch)  # type: ignore[operator]
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser and the functions, JSON-friendly."""
        return {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}


class MultiStepLR(LRScheduler):
    """η = η₀ · γ^(number of milestones ≤ e): multiply by γ at each listed epoch.

    Shape: not applicable.
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1):
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, e: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, e)


class ExponentialLR(LRScheduler):
    """η = η₀ · γᵉ: multiply by γ every epoch.

    Shape: not applicable.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, e: int) -> float:
        return base_lr * self.gamma ** e


class CosineAnnealingLR(LRScheduler):
    """η = η_min + (η₀ − η_min) · (1 + cos(π e / T_max)) / 2: half a cosine from η₀ down to η_min.

    After T_max epochs the rate climbs back up again (the cosine continues), as in PyTorch.

    Shape: not applicable.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if int(T_max) < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive integer, got {T_max!r}")
        self.T_max, self.eta_min = int(T_max), float(eta_min)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, e: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * e / self.T_max)) / 2


class LinearLR(LRScheduler):
    """η = η₀ · (f₀ + (f₁ − f₀) · min(e, T) / T): a linear ramp of the factor from f₀ to f₁ over T steps.

    With ``start_factor < 1 = end_factor`` this is a linear warm-up.

    Shape: not applicable.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        if not 0 < start_factor <= 1 or not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1], got "
                             f"{start_factor} and {end_factor}")
        if int(total_iters) < 1:
            raise ValueError(f"LinearLR: total_iters must be a positive integer, got {total_iters!r}")
        self.start_factor, self.end_factor = float(start_factor), float(end_factor)
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, e: int) -> float:
        fraction = min(e, self.total_iters) / self.total_iters
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * fraction)


class LinearWarmup(LinearLR):
    """Linear warm-up: η = η₀ · (e + 1) / (warmup_steps + 1) for e < warmup_steps, then η₀.

    The first step runs at η₀ / (warmup_steps + 1), never at 0. Usually stepped once per batch.

    Shape: not applicable.
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, last_epoch: int = -1):
        warmup_steps = int(warmup_steps)
        if warmup_steps < 1:
            raise ValueError(f"LinearWarmup: warmup_steps must be a positive integer, got {warmup_steps!r}")
        super().__init__(optimizer, start_factor=1.0 / (warmup_steps + 1), end_factor=1.0,
                         total_iters=warmup_steps, last_epoch=last_epoch)


class SequentialLR:
    """Run ``schedulers`` one after another, switching at the epochs in ``milestones`` (PyTorch's rules).

    Scheduler i runs from milestone i − 1 on; at a milestone the next scheduler restarts at its epoch 0
    (``step(0)``), e.g. a linear warm-up for 5 epochs, then a cosine decay. All schedulers must drive
    ``optimizer``.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> opt = tg.optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    >>> warm = LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> s = SequentialLR(opt, [warm, decay], milestones=[2])
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(s.get_last_lr()[0])
    ...     s.step()
    >>> lrs
    [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int],
                 last_epoch: int = -1):
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError("SequentialLR: expects at least one scheduler")
        for i, s in enumerate(schedulers):
            if isinstance(s, (ReduceLROnPlateau, SequentialLR)) or not isinstance(s, LRScheduler):
                raise TypeError(f"SequentialLR: scheduler {i} is a {type(s).__name__}; give epoch-based schedulers "
                                "(not ReduceLROnPlateau)")
            if s.optimizer is not optimizer:
                raise ValueError(f"SequentialLR: scheduler {i} drives another optimizer than the one given")
        milestones = [int(m) for m in milestones]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: {len(schedulers)} schedulers need {len(schedulers) - 1} milestones, "
                             f"got {len(milestones)}")
        self.optimizer, self._schedulers, self._milestones = optimizer, schedulers, milestones
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:     # undo what the schedulers' constructors did; start the first
            group["lr"] = group["initial_lr"]
        for s in schedulers:
            s.last_epoch -= 1
        schedulers[0].step()
        self._last_lr = schedulers[0].get_last_lr()

    def step(self) -> None:
        """Advance one epoch with the scheduler whose turn it is."""
        self.last_epoch += 1
        i = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler.step(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The position and every scheduler's state_dict, JSON-friendly."""
        return {"last_epoch": self.last_epoch, "_milestones": list(self._milestones), "_last_lr": list(self._last_lr),
                "_schedulers": [s.state_dict() for s in self._schedulers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        for s, saved in zip(self._schedulers, state.pop("_schedulers")):
            s.load_state_dict(saved)
        self.__dict__.update(state)


class ReduceLROnPlateau:
    """Multiply the learning rate by ``factor`` when a monitored value stops improving.

    ``step(value)`` after each epoch: when ``value`` has not improved on the best seen for more than
    ``patience`` epochs, every group's rate becomes max(η · factor, min_lr), then nothing happens for
    ``cooldown`` epochs. "Improved" (mode "min", threshold_mode "rel") means value < best · (1 − threshold);
    "abs" means value < best − threshold; mode "max" flips the inequalities. Same rules as PyTorch.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> opt = tg.optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]:   # no improvement for 2 > patience epochs: halve
    ...     s.step(loss)
    >>> s.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | Sequence[float] = 0.0, eps: float = 1e-8):
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0 <= factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), got {factor!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        self.min_lrs = [float(v) for v in min_lr] if isinstance(min_lr, (list, tuple)) else [float(min_lr)] * n  # type: ignore[arg-type]
        self.mode, self.factor, self.patience = mode, float(factor), int(patience)
        self.threshold, self.threshold_mode = float(threshold), threshold_mode
        self.cooldown, self.eps = int(cooldown), float(eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def _is_better(self, value):
        if self.mode == "min":
            bound = self.best * (1 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold
            return value < bound
        bound = self.best * (1 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        return value > bound

    def step(self, value: float) -> None:
        """Record this epoch's monitored ``value`` and cut the rates if it has stopped improving."""
        value = float(value)
        self.last_epoch += 1
        if self._is_better(value):
            self.best = value
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old = group["lr"]
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)


from .lr_scheduler_cyclic import CosineAnnealingWarmRestarts, OneCycleLR  # noqa: E402  (they build on LRScheduler)
