"""Gates that promise exact gradients (Gate.exact_gradients) keep the promise the replayed tape relies on."""
import numpy as np
import pytest

import tensorgate  # noqa: F401 - imports every gate
from tensorgate.autograd.gate import Gate
from tensorgate.functional.activation import ReLUGate, SigmoidGate, TanhGate
from tensorgate.functional.linear import LinearGate
from tensorgate.functional.loss import CrossEntropyGate
from tensorgate.functional import activation_extra as _extra, elementwise as _elementwise

rng = np.random.default_rng(0)


def arrays(*shapes):
    return [rng.standard_normal(s) for s in shapes]


def probabilities(m, k):
    p = rng.random((m, k))
    return p / p.sum(axis=1, keepdims=True)


# (gate, inputs, params, needs)
CASES = [
    (LinearGate, arrays((4, 3), (2, 3), (2,)), {}, (True, True, True)),
    (LinearGate, arrays((4, 3), (2, 3), (2,)), {}, (False, True, False)),
    (LinearGate, arrays((5, 4, 3), (2, 3)), {}, (True, True)),
    (ReLUGate, arrays((4, 3)), {}, (True,)),
    (SigmoidGate, arrays((4, 3)), {}, (True,)),
    (TanhGate, arrays((2, 3, 4)), {}, (True,)),
    (CrossEntropyGate, arrays((4, 3)), {"labels": np.array([0, 2, 1, 2])}, (True,)),
    (CrossEntropyGate, arrays((4, 3)), {"labels": np.array([0, 2, 1, 2]), "smoothing": 0.1, "reduction": "none"},
     (True,)),
    (CrossEntropyGate, arrays((4, 3)) + [probabilities(4, 3)], {"reduction": "sum"}, (True, True)),
]
# the elementwise gates of issue 17 (functional/elementwise.py and activation_extra.py)
CASES += [(cls, arrays((4, 3)), {}, (True,)) for cls in (
    _elementwise.SinGate, _elementwise.CosGate, _elementwise.TanGate, _elementwise.SignGate, _elementwise.FloorGate,
    _elementwise.CeilGate, _elementwise.RoundGate, _elementwise.Expm1Gate,
    _extra.SoftplusGate, _extra.SiLUGate, _extra.ELUGate, _extra.SELUGate, _extra.MishGate, _extra.LogSigmoidGate)]
CASES += [(_elementwise.Log1pGate, [np.abs(a) for a in arrays((4, 3))], {}, (True,)),
          (_elementwise.RsqrtGate, [np.abs(a) + 0.5 for a in arrays((4, 3))], {}, (True,))]
CASES += [(_elementwise.ErfGate, arrays((4, 3)), {}, (True,))]   # PyTorch's functions (functional/torch_math.py)


def all_gates(cls=Gate):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_gates(sub)


def test_every_gate_that_promises_exact_gradients_is_checked_here():
    promising = {cls for cls in all_gates() if cls.exact_gradients}
    assert promising == {case[0] for case in CASES}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("last_use", [False, True])
@pytest.mark.parametrize("cls, inputs, params, needs", CASES)
def test_backward_returns_new_arrays_of_each_inputs_shape_and_dtype(cls, inputs, params, needs, dtype, last_use):
    inputs = [a.astype(dtype) for a in inputs]
    gate = cls()
    gate.needs, gate.last_use = needs, last_use
    out = gate.forward(*inputs, **params)
    upstream = rng.standard_normal(out.shape).astype(dtype)
    grads = gate.backward(upstream)
    if len(inputs) == 1:   # one input: the array itself, which the replayed tape assigns as it is
        assert isinstance(grads, np.ndarray)
        grads = (grads,)
    assert type(grads) is tuple and len(grads) == len(inputs)
    made = [g for g in grads if g is not None]
    for x, g, need in zip(inputs, grads, needs):
        if not need:
            assert g is None
            continue
        assert isinstance(g, np.ndarray) and g.shape == x.shape and g.dtype == x.dtype
        assert g.base is None and g is not upstream and g.flags.writeable   # its own memory: a leaf may keep it
        assert not any(np.shares_memory(g, other) for other in made if other is not g)
        assert not any(np.shares_memory(g, a) for a in inputs + [upstream])
