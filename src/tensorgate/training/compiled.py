"""A training step recorded once and replayed: the same math as the eager step, less Python per batch.

One eager step is ``zero_grad → out = model(x) → loss = loss_fn(out, y) → loss.backward() → step()``.
:class:`CompiledStep` runs exactly that the first time it sees a batch shape, recording the gates on a
:class:`~tensorgate.autograd.tape.Tape`; later batches of that shape replay the tape (forward, backward
into each parameter's ``.grad``) and then call ``optimizer.step()`` as usual, so learning-rate schedules,
gradient clipping between steps, and the optimiser's state work as in eager mode.

A replay repeats only gates. tensorgate's modules do nothing else in forward: Dropout draws its mask and
BatchNorm updates its running statistics and counts its batches inside their gates, so both are replayed
in training too. The step stays eager (and correct) whenever a replay would miss something: forward or
backward hooks on a module or a parameter (the instruments' Monitor), anomaly detection, disabled
gradients, a recording that :class:`~tensorgate.autograd.tape.NotReplayable` refused, or, unless
``trust_custom_code``, a Module subclass of the user's, whose forward might do more than apply gates.

    >>> import numpy as np, tensorgate as tg
    >>> _ = tg.manual_seed(0)
    >>> model = tg.nn.Sequential(tg.nn.Linear(4, 8), tg.nn.ReLU(), tg.nn.Linear(8, 3))
    >>> opt = tg.optim.SGD(model.parameters(), lr=0.1)
    >>> step = CompiledStep(model, tg.nn.CrossEntropyLoss(), opt)
    >>> x, y = np.ones((5, 4), np.float32), np.array([0, 1, 2, 0, 1])
    >>> losses = [step(x, y)[0] for _ in range(3)]     # recorded once, then replayed twice
    >>> step.replays
    2
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import types

import numpy as np

from ..autograd import grad_mode
from ..autograd.tape import NotReplayable, Tape, recording
from ..autograd.tensor import Tensor
from ..backend import devices as D
from ..backend import threads
from ..backend.threads import batch_threads
from ..nn.module import ChangeFlag, Module

if TYPE_CHECKING:
    from typing import Callable

    from ..autograd.tensor import TensorLike
    from ..optim.optimizer import Optimizer


class _Recordings:
    """What a replayed computation keeps about its model: one tape per input signature, and when to look at
    the model again (the ChangeFlag its modules set, the parameter arrays last seen). The base of
    :class:`CompiledStep` (forward and backward) and :class:`CompiledForward` (forward alone)."""

    def __init__(self, model: Module, loss_fn: Any, trust_custom_code: bool):
        self.model, self.loss_fn = model, loss_fn
        self.trust_custom_code = trust_custom_code
        self._tapes = {}  # type: ignore[var-annotated]  # batch signature → Tape, or the NotReplayable reason
        self._changes = ChangeFlag()  # set by the model's modules and the loss when one of them changes
        self._seen = None  # (model, loss, parameter arrays) when the model was last looked at
        self._layout = None  # the modules, parameters and buffers seen then
        self._states = {}  # type: ignore[var-annotated]  # signature of the model's state (modes, parameter shapes and dtypes) → its number
        self.replays = 0   #: calls replayed from a tape so far
        self.eager_steps = 0  #: calls run eagerly (recordings included)
        self._last: Any = None  # the tape of the latest batch's signature, or the reason it has none
        # the device of the model's parameters (None on the CPU) and their dtype (see _look_at_model)
        self._where: tuple[str, int | None] | None = None
        self._dtype: Any = None

    def look(self) -> list[Module]:
        """The model's modules (depth first), walked again only where something changed since the last look
        (otherwise a few identity checks); :attr:`dtype` and :attr:`device` describe its parameters then."""
        if not self._model_unchanged():
            self._look_at_model()
        return self._modules

    @property
    def dtype(self) -> np.dtype[Any]:
        """The NumPy dtype of the model's parameters at the last look (float32 for a model without any)."""
        return np.dtype(np.float32) if self._dtype is None else D.numpy_dtype(self._dtype)

    @property
    def device(self) -> tuple[str, int | None] | None:
        """(type, index) of the device of the model's parameters at the last look; None for the CPU."""
        return self._where

    def _model_unchanged(self):
        """True if no module changed (attributes, mode, hooks) and every parameter kept its array and has
        no hook since the model was last looked at: a few identity checks instead of walking the model."""
        seen = self._seen
        if self._changes.changed or seen[0] is not self.model or seen[1] is not self.loss_fn:  # type: ignore[index]
            return False
        for p, array in zip(self._params, seen[2]):  # type: ignore[index]
            if p.data is not array or p._hooks:
                return False
        return True

    def _look_at_model(self):
        """Walk the model: its modules and parameters, the signature of its state (training modes, settings,
        parameter shapes and dtypes: part of every tape's key) and whether a replay would miss something
        (hooks, modules whose forward does more than apply gates)."""
        modules, params = list(self.model.modules()), list(self.model.parameters())
        layout = modules + params + list(self.model.buffers())
        if self._layout is not None and (len(layout) != len(self._layout)
                                         or any(a is not b for a, b in zip(layout, self._layout))):
            self._tapes.clear()   # other layers or tensors: the recordings read the old ones
            self._states.clear()
        if len(self._states) > 64:  # a module that changes a setting at every step: keep a few recordings
            self._tapes.clear()
            self._states.clear()
        self._layout, self._modules, self._params = layout, modules, params  # type: ignore[assignment]
        self._dtype = params[0].data.dtype if params else None
        # None on the CPU (NumPy arrays), else the device batches are moved to
        self._where = D.device_of(params[0].data) if params and params[0].data.__class__ is not np.ndarray \
            else None
        configured = modules + ([self.loss_fn] if isinstance(self.loss_fn, Module) else [])
        state = (tuple(m.training for m in modules), tuple((p.data.shape, p.data.dtype) for p in params),
                 tuple(_settings(m) for m in configured))
        self._state = self._states.setdefault(state, len(self._states))  # a number: cheaper to hash per batch
        self._replayable = not any(m._has_hooks for m in modules) and not any(p._hooks for p in params)
        self._changes.watch(configured)
        self._seen = (self.model, self.loss_fn, [p.data for p in params])  # type: ignore[assignment]

    def _to_model(self, x):
        """A batch's inputs on the model's device, floating ones in the model's dtype (cast on the host, where
        the copy is cheaper, then moved)."""
        dtype = D.numpy_dtype(self._dtype)
        if x.__class__ is np.ndarray:
            if x.dtype.kind == "f" and x.dtype != dtype:
                x = x.astype(dtype)
            return D.to_device(x, *self._where)  # type: ignore[misc]
        x = D.to_device(x, *self._where)  # type: ignore[misc]
        if D.kind(x.dtype) == "f" and D.numpy_dtype(x.dtype) != dtype:
            xp = D.namespace(x)
            x = xp.astype(x, D.dtype_in(xp, dtype))
        return x


class CompiledStep(_Recordings):
    """``step(x, y) -> (loss, output)``: one optimisation step on a batch, replayed from a recording.

    ``model``: a Module; ``loss_fn(output, target)``: a loss returning a scalar Tensor; ``optimizer``: an
    optimiser over (some of) the model's parameters.

    Shape: x: (m, ...) array or Tensor in the model's dtype; y: the targets the loss takes; returns the
    loss as a Python float and the model's output as an array (e.g. (m, K) logits, for metrics).

    Devices: a model on a GPU (``model.to('cuda')``) gets its batches moved there (x and y may be NumPy
    arrays or tensors on any device); the output array stays on the model's device. The replayed code is
    the gates' own forward and backward, which compute with their inputs' array namespace, so a tape
    replays on any device.

    ``trust_custom_code``: with False, only models made of tensorgate's own modules (and a tensorgate
    loss) are replayed; a user's Module subclass, whose forward might print or count, keeps the step
    eager. :func:`~tensorgate.training.fit` uses False unless told ``run_eagerly=False``.

    The model is looked at again whenever one of its modules or the loss changed (a layer added or
    replaced, a setting such as a leaky slope or label smoothing, the training mode, a hook: each module
    tells the step's :class:`~tensorgate.nn.module.ChangeFlag`) or a parameter array was replaced
    (``model.double()``); what the recordings depend on is part of their key, and recordings of replaced
    layers are dropped. The optimiser runs eagerly, so its learning rate and
    options may change at any time.
    """

    def __init__(self, model: Module, loss_fn: Callable[[Tensor, Tensor], Tensor], optimizer: Optimizer,
                 trust_custom_code: bool = True):
        super().__init__(model, loss_fn, trust_custom_code)
        self.optimizer = optimizer

    def __call__(self, x: TensorLike, y: TensorLike) -> tuple[float, Tensor]:
        if type(x) is not np.ndarray:   # arrays, the usual case, skip two calls (each counts at batch 16)
            x = _array(x)
        if type(y) is not np.ndarray:
            y = _array(y)
        if not self._model_unchanged():
            self._look_at_model()
        if self._where is not None:     # the model lives on another device: the batch goes there
            x, y = self._to_model(x), D.to_device(y, *self._where)
        elif x.dtype is not self._dtype and x.dtype.kind == "f" and self._dtype is not None:
            x = x.astype(self._dtype, copy=False)   # as Module.__call__ converts arrays
        key = (x.shape, x.dtype, y.shape, y.dtype, self._state)
        tape = self._last = self._tapes.get(key)
        state = grad_mode.state
        if tape.__class__ is Tape and self._replayable and state.grad_enabled and not state.anomaly:
            self.optimizer.zero_grad()
            if tape.threads_over_batch and self._where is None:
                # convolutions share the batch among the threads; BLAS at one thread for the whole step
                with batch_threads():
                    loss, out = tape.run(x, y)
            else:
                loss, out = tape.run(x, y)   # the key holds the shapes and dtypes: no need to check them
            self.optimizer.step()
            self.replays += 1
            return float(loss), out
        return self._eager(x, y, key, self._modules, self._params, record=tape is None)

    @property
    def code(self) -> str:
        """The latest batch's step as Python: each gate's forward, then each backward, one line per call
        (see :attr:`tensorgate.autograd.tape.Tape.code`). A step that stays eager says why instead.

        >>> import numpy as np, tensorgate as tg
        >>> model = tg.nn.Sequential(tg.nn.Linear(4, 3))
        >>> step = CompiledStep(model, tg.nn.CrossEntropyLoss(), tg.optim.SGD(model.parameters(), lr=0.1))
        >>> _ = step(np.ones((2, 4), np.float32), np.array([0, 2]))
        >>> print(step.code.split("if not backward")[0])      # the forward half
        def replay(a0, a1, backward=True):
            g1 = LinearGate(); g1.needs = (False, True, True); g1.last_use = True
            v1 = g1.forward(a0, p0.data, p1.data)
            g2 = CrossEntropyGate(); g2.needs = (True,); g2.last_use = True
            v2 = g2.forward(v1, labels=a1, smoothing=0.0, reduction='mean')
        <BLANKLINE>
        """
        last = self._last
        if last is None:
            return "# no step recorded yet"
        if isinstance(last, Tape):
            return last.code
        return f"# this step runs eagerly: {last}"

    def _eager(self, x, y, key, modules, params, record):
        self.eager_steps += 1
        xt, yt = Tensor._make(x, False, None), Tensor._make(y, False, None)
        state = grad_mode.state
        record = record and self._replayable and state.grad_enabled and not state.anomaly
        if record and not self.trust_custom_code and not _library_code(modules, self.loss_fn):
            self._tapes[key] = "the model or the loss is user code, which may do more than apply gates"
            record = False
        self.optimizer.zero_grad()
        if record:
            with recording() as gates:
                out = self.model(xt)
                loss = self.loss_fn(out, yt)
        else:
            out = self.model(xt)
            loss = self.loss_fn(out, yt)
        if record:
            try:
                self._tapes[key] = Tape(gates, args=[xt, yt], leaves=params + list(self.model.buffers()),
                                        outputs=[loss, out])
            except NotReplayable as reason:
                self._tapes[key] = str(reason)  # stay eager for this signature
        last = self._tapes.get(key)
        self._last = last if record or isinstance(last, str) else (
            "hooks, a module's or a parameter's (a replay would not call them), anomaly detection, or "
            "gradients switched off")
        loss.backward()
        self.optimizer.step()
        return float(loss.data), out.data


class CompiledForward(_Recordings):
    """``forward(x) -> array``: the model's output without a graph, replayed from a recording of its gates.

    What :func:`~tensorgate.training.predict`, :func:`~tensorgate.training.evaluate` and fit's validation
    run, as Keras compiles its predict function: the first batch of each signature (shape, dtype, the
    model's state) runs eagerly under ``no_grad`` while its gates are recorded, and later batches replay
    them without the modules' Python (one image through SmallVGG: 1.26× faster, LeNet-5: 1.41×). No graph
    holds the gates' outputs, so their forward skips what only backward needs (:attr:`Gate.recording`).
    The model is watched as :class:`CompiledStep` watches it: a changed layer, setting, mode or parameter
    array leads to a new recording. It stays eager with hooks, anomaly detection, a recording the tape
    refused, and (unless ``trust_custom_code``) a Module subclass of the user's, whose forward might do
    more than apply gates.

    Shape: x: (m, ...) array (NumPy, or on the model's device); result: the model's output array for x, on
    the model's device.

    >>> import numpy as np, tensorgate as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU()).eval()
    >>> forward = CompiledForward(model)
    >>> outputs = [forward(np.ones((2, 4), np.float32)) for _ in range(3)]   # recorded, then replayed twice
    >>> forward.replays, outputs[0].shape
    (2, (2, 3))
    """

    #: rows per thread from which :meth:`shared` gives each thread its own part of a batch: below it the
    #: replays' Python and the hand-over to a thread cost more than the threads save
    SHARED_FROM_ROWS = 16
    #: recordings kept at most (one per batch shape): a server predicting requests of every size from 1 to
    #: 1,000 rows would otherwise keep a tape for each
    MAX_RECORDINGS = 64

    def __init__(self, model: Module, trust_custom_code: bool = False):
        super().__init__(model, None, trust_custom_code)

    def shared(self, x: Any) -> Any:
        """``self(x)`` with the rows of x cut into one part per thread of the enclosing
        :func:`~tensorgate.backend.threads.batch_threads`, each part replayed whole on its own thread (BLAS
        at one thread): every gate runs in parallel, not only the convolutions' products. Measured at batch
        256 on 2 threads against one replay whose convolutions share their chunks: LeNet-5 1.78×, SmallVGG
        1.15×, ResNetSmall 1.18×. The parts' first batch runs here, one part after the other, and is
        recorded; a model that is not replayed (hooks, user code) is never run on two threads.

        Shape: as :meth:`__call__`; the result is the parts' outputs concatenated (a new array).
        """
        parts, n = threads.team(), x.shape[0]
        if parts < 2 or n < parts * self.SHARED_FROM_ROWS or x.__class__ is not np.ndarray:
            return self(x)
        self.look()
        if self._where is not None or (x.dtype is not self._dtype and self._dtype is not None):
            return self(x)
        step = -(-n // parts)
        starts = range(0, n, step)
        tapes = {len(x[a:a + step]): self._tapes.get((x[a:a + step].shape, x.dtype, self._state)) for a in starts}
        if not (all(t.__class__ is Tape for t in tapes.values()) and self._replayable
                and not grad_mode.state.anomaly):
            return np.concatenate([self(x[a:a + step]) for a in starts])
        self.replays += len(starts)

        def part(a: int, b: int) -> Any:   # (a range of another length: parallel_ranges ran it all here)
            tape = tapes.get(b - a)
            return tape.run(x[a:b], False)[0] if tape is not None else self(x[a:b])
        return np.concatenate(threads.parallel_ranges(part, n, step))

    def __call__(self, x: Any) -> Any:
        self.look()
        if self._where is not None:     # the model lives on another device: the batch goes there
            x = self._to_model(x)
        elif x.dtype is not self._dtype and x.dtype.kind == "f" and self._dtype is not None:
            x = x.astype(self._dtype, copy=False)   # as Module.__call__ converts arrays
        key = (x.shape, x.dtype, self._state)
        tape = self._last = self._tapes.get(key)
        if tape.__class__ is Tape and self._replayable and not grad_mode.state.anomaly:
            self.replays += 1
            return tape.run(x, False)[0]
        return self._eager(x, key, record=tape is None)

    def _eager(self, x, key, record):
        self.eager_steps += 1
        xt = Tensor._make(x, False, None)
        record = record and self._replayable and not grad_mode.state.anomaly
        if record and not self.trust_custom_code and not all(_ours(m) for m in self._modules):
            self._tapes[key] = self._last = "the model is user code, which may do more than apply gates"
            record = False
        with grad_mode.no_grad():
            if not record:
                if not isinstance(self._tapes.get(key), str):
                    self._last = "hooks (a replay would not call them) or anomaly detection"
                return self.model(xt).data
            with recording() as gates:
                out = self.model(xt)
        if len(self._tapes) >= self.MAX_RECORDINGS:   # inputs of ever new sizes: keep the latest few
            self._tapes.clear()
        try:
            self._tapes[key] = Tape(gates, args=[xt], leaves=self._params + list(self.model.buffers()),
                                    outputs=[out])
        except NotReplayable as reason:
            self._tapes[key] = str(reason)  # stay eager for this signature
        self._last = self._tapes[key]
        return out.data


def recorded_forward(model: Module) -> CompiledForward:
    """The model's :class:`CompiledForward`, made at the first call and kept with the model (in its
    ``__dict__``; a copy or a pickle of the model leaves it behind), so that every later ``tg.predict``
    replays. Shape: not applicable."""
    forward = model.__dict__.get("_recorded_forward")
    if forward is None:
        forward = model.__dict__["_recorded_forward"] = CompiledForward(model)
    return forward


def _array(value):
    """A batch's array as it is (on any device): a Tensor's data, an array, or a NumPy array of a list."""
    if isinstance(value, Tensor):
        return value.data
    return value if D.is_array(value) else np.asarray(value)


def _settings(module):
    """A module's plain settings (a slope, a probability, label smoothing: numbers, NumPy's included, strings,
    tuples of them),
    which a recording bakes in: a change must lead to a new recording."""
    return tuple((name, value) for name, value in vars(module).items()
                 if not name.startswith("_") and _plain(value))


def _plain(value):
    return value is None or type(value) in (bool, int, float, str) or isinstance(value, (np.number, np.bool_)) or (
        type(value) is tuple and all(_plain(v) for v in value))


def _library_code(modules, loss_fn):
    """True if every module and the loss are tensorgate's own (whose forwards only apply gates)."""
    return all(_ours(m) for m in modules) and _ours(loss_fn)


def _ours(obj):
    owner = obj if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)) else type(obj)
    return (getattr(owner, "__module__", None) or "").startswith("tensorgate.")


def compile_step(model: Module, loss_fn: Callable[[Tensor, Tensor], Tensor], optimizer: Optimizer) -> CompiledStep:
    """A :class:`CompiledStep` for ``model``, ``loss_fn`` and ``optimizer``; see there.

    Shape: the step takes x: (m, ...) and the targets y, and returns (loss: float, output: (m, ...)).
    """
    return CompiledStep(model, loss_fn, optimizer)


__all__ = ["CompiledStep", "CompiledForward", "compile_step", "recorded_forward", "NotReplayable"]
