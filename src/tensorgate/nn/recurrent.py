"""Recurrent layers with PyTorch's names, parameters and shapes: RNN, LSTM, GRU and their cells.

Each time step is written with the existing gates (matrix products, sigmoid, tanh, products, sums), so
backpropagation through time is the chain rule through those gates, step by step, with nothing new to
derive. With x_t the input and h the previous hidden state (rows are examples, as everywhere here):

    RNN    h' = tanh(x_t W_ihᵀ + b_ih + h W_hhᵀ + b_hh)                       (or relu)
    LSTM   i, f, g, o = σ, σ, tanh, σ of the four quarters of x_t W_ihᵀ + b_ih + h W_hhᵀ + b_hh
           c' = f·c + i·g,   h' = o·tanh(c')
    GRU    r, z = σ of the first two thirds of x_t W_ihᵀ + b_ih + h W_hhᵀ + b_hh
           n = tanh(third of (x_t W_ihᵀ + b_ih) + r·(third of (h W_hhᵀ + b_hh))),   h' = (1 − z)·n + z·h

The input products x_t W_ihᵀ of all steps are one matrix product before the loop; only h W_hhᵀ is per step.
Parameters are PyTorch's (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``…_reverse``
for the backward direction), initialised U(−1/√H, 1/√H) as PyTorch's, so ``load_state_dict`` takes a
PyTorch model's weights.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

from ..autograd.factory import zeros
from ..autograd.tensor import Tensor, as_dtype
from ..backend import DEFAULT_FLOAT
from ..backend import devices as D
from .. import functional as F
from . import init as _init
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _positive(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive int, got {value!r}")
    return value


def _step(mode: str, xw: Tensor, h: Tensor, c: Tensor | None, w_hh: Tensor, b_hh: Tensor | None):
    """One time step: (h', c') from the input's share xw = x_t W_ihᵀ + b_ih and the previous (h, c)."""
    hw = F.matmul(h, F.transpose(w_hh))
    if b_hh is not None:
        hw = F.add(hw, b_hh)
    if mode == "LSTM":
        i, f, g, o = F.chunk(F.add(xw, hw), 4, dim=1)
        c = F.add(F.mul(F.sigmoid(f), c), F.mul(F.sigmoid(i), F.tanh(g)))  # type: ignore[arg-type]  # LSTM: c given
        return F.mul(F.sigmoid(o), F.tanh(c)), c
    if mode == "GRU":
        x_r, x_z, x_n = F.chunk(xw, 3, dim=1)
        h_r, h_z, h_n = F.chunk(hw, 3, dim=1)
        r, z = F.sigmoid(F.add(x_r, h_r)), F.sigmoid(F.add(x_z, h_z))
        n = F.tanh(F.add(x_n, F.mul(r, h_n)))
        return F.add(F.mul(F.sub(1.0, z), n), F.mul(z, h)), None
    pre = F.add(xw, hw)
    return (F.relu(pre) if mode == "RNN_RELU" else F.tanh(pre)), None


class _RNNBase(Module):
    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype: DTypeLike | None = None):
        super().__init__()
        name = type(self).__name__
        self.input_size = _positive(name, "input_size", input_size)
        self.hidden_size = _positive(name, "hidden_size", hidden_size)
        self.num_layers = _positive(name, "num_layers", num_layers)
        if not 0.0 <= float(dropout) <= 1.0:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1], got {dropout}")
        self.bias, self.batch_first, self.dropout = bool(bias), bool(batch_first), float(dropout)
        self.bidirectional = bool(bidirectional)
        dtype = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
        gates = _GATES[self.mode] * hidden_size
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size * directions
            for suffix in ([""] if directions == 1 else ["", "_reverse"]):
                tail = f"_l{layer}{suffix}"
                setattr(self, "weight_ih" + tail, Parameter(zeros(gates, width, dtype=dtype)))
                setattr(self, "weight_hh" + tail, Parameter(zeros(gates, hidden_size, dtype=dtype)))
                if bias:
                    setattr(self, "bias_ih" + tail, Parameter(zeros(gates, dtype=dtype)))
                    setattr(self, "bias_hh" + tail, Parameter(zeros(gates, dtype=dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(−1/√H, 1/√H), H = hidden_size, as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            _init.uniform_(p, -bound, bound)

    def _direction(self, xs: Tensor, layer: int, suffix: str, h: Tensor, c: Tensor | None, reverse: bool):
        """Run one direction of one layer over the sequence xs (L, N, width): outputs (L, N, H), h, c."""
        tail = f"_l{layer}{suffix}"
        w_ih, w_hh = getattr(self, "weight_ih" + tail), getattr(self, "weight_hh" + tail)
        b_ih, b_hh = (getattr(self, "bias_ih" + tail), getattr(self, "bias_hh" + tail)) if self.bias else (None, None)
        length, n = xs.shape[0], xs.shape[1]
        xw = F.matmul(F.reshape(xs, (length * n, xs.shape[2])), F.transpose(w_ih))   # all steps' inputs at once
        if b_ih is not None:
            xw = F.add(xw, b_ih)
        xw = F.reshape(xw, (length, n, -1))
        outputs: list[Any] = [None] * length
        for t in (range(length - 1, -1, -1) if reverse else range(length)):
            h, c = _step(self.mode, F.getitem(xw, t), h, c, w_hh, b_hh)
            outputs[t] = h
        return F.stack(outputs), h, c

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        name = type(self).__name__
        x = input if isinstance(input, Tensor) else Tensor(input)
        unbatched = x.ndim == 2
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            batched = f"(N, L, {self.input_size})" if self.batch_first else f"(L, N, {self.input_size})"
            raise ValueError(f"{name}: expected input of shape {batched} or (L, {self.input_size}), "
                             f"got {tuple(x.shape)}")
        if unbatched:
            x = F.unsqueeze(x, 1)
        elif self.batch_first:
            x = F.transpose(x, 0, 1)
        directions = 2 if self.bidirectional else 1
        n = x.shape[1]
        h0, c0 = self._initial_states(hx, n, directions, unbatched, x)
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate([""] if directions == 1 else ["", "_reverse"]):
                k = layer * directions + d
                out, h, c = self._direction(x, layer, suffix, F.getitem(h0, k),
                                            None if c0 is None else F.getitem(c0, k), reverse=d == 1)
                outs.append(out)
                last_h.append(h)
                last_c.append(c)
            x = outs[0] if directions == 1 else F.cat(outs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        output = x
        h_n = F.stack(last_h)
        if unbatched:
            output, h_n = F.squeeze(output, 1), F.squeeze(h_n, 1)
        elif self.batch_first:
            output = F.transpose(output, 0, 1)
        if self.mode != "LSTM":
            return output, h_n
        c_n = F.stack(last_c)
        return output, (h_n, F.squeeze(c_n, 1) if unbatched else c_n)

    def _initial_states(self, hx, n, directions, unbatched, x):
        """h0 (and c0 for the LSTM) as (layers·directions, N, H): zeros, or the given ones checked."""
        name, count = type(self).__name__, self.num_layers * directions
        shape = (count, n, self.hidden_size)
        if hx is None:   # zeros of x's dtype, on x's device
            h0 = Tensor._make(D.namespace(x.data).zeros(shape, dtype=x.data.dtype, device=x.data.device), False, None)
            return h0, (h0 if self.mode == "LSTM" else None)
        if self.mode == "LSTM":
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise ValueError(f"{name}: hx must be a tuple (h_0, c_0)")
            states = list(hx)
        else:
            states = [hx]
        expected = (count, self.hidden_size) if unbatched else shape
        checked = []
        for label, s in zip(("h_0", "c_0"), states):
            s = s if isinstance(s, Tensor) else Tensor(s)
            if tuple(s.shape) != expected:
                raise ValueError(f"{name}: {label} must have shape {expected}, got {tuple(s.shape)}")
            checked.append(F.unsqueeze(s, 1) if unbatched else s)
        return checked[0], (checked[1] if self.mode == "LSTM" else None)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        for name, value, default in (("bias", self.bias, True), ("batch_first", self.batch_first, False),
                                     ("dropout", self.dropout, 0.0), ("bidirectional", self.bidirectional, False)):
            if value != default:
                text += f", {name}={value}"
        return text


class RNN(_RNNBase):
    """An Elman recurrent network: h_t = tanh(x_t W_ihᵀ + b_ih + h_(t−1) W_hhᵀ + b_hh) (``nonlinearity='relu'``
    for relu), stacked ``num_layers`` deep, optionally in both directions, as PyTorch's ``nn.RNN``.

    Shape: input (L, N, H_in), (N, L, H_in) with batch_first, or (L, H_in); h_0 (layers·directions, N, H) or
    None (zeros); output (L, N, directions·H) (batch_first: (N, L, …)); h_n (layers·directions, N, H).

    Examples
    --------
    >>> import tensorgate as tg
    >>> out, h = tg.nn.RNN(8, 16, batch_first=True)(tg.zeros(4, 10, 8))
    >>> out.shape, h.shape
    ((4, 10, 16), (1, 4, 16))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype: DTypeLike | None = None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype)


class LSTM(_RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), as PyTorch's ``nn.LSTM``: input, forget, cell
    and output gates (in that order in the weights), c_t = f·c_(t−1) + i·g, h_t = o·tanh(c_t).

    Shape: input (L, N, H_in), (N, L, H_in) with batch_first, or (L, H_in); (h_0, c_0) each
    (layers·directions, N, H) or None; output (L, N, directions·H); (h_n, c_n) like (h_0, c_0).
    ``proj_size`` is not supported.

    Examples
    --------
    >>> import tensorgate as tg
    >>> out, (h, c) = tg.nn.LSTM(8, 16, num_layers=2, bidirectional=True)(tg.zeros(10, 4, 8))
    >>> out.shape, h.shape, c.shape
    ((10, 4, 32), (4, 4, 16), (4, 4, 16))
    """

    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 dtype: DTypeLike | None = None):
        if proj_size:
            raise NotImplementedError("LSTM: proj_size (a projected hidden state) is not supported by tensorgate")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype)


class GRU(_RNNBase):
    """Gated recurrent unit (Cho et al. 2014), as PyTorch's ``nn.GRU``: reset and update gates (in that order
    in the weights), n = tanh(x W_inᵀ + b_in + r·(h W_hnᵀ + b_hn)), h_t = (1 − z)·n + z·h_(t−1).

    Shape: input (L, N, H_in), (N, L, H_in) with batch_first, or (L, H_in); h_0 (layers·directions, N, H) or
    None; output (L, N, directions·H); h_n (layers·directions, N, H).

    Examples
    --------
    >>> import tensorgate as tg
    >>> out, h = tg.nn.GRU(8, 16, batch_first=True)(tg.zeros(4, 10, 8))
    >>> out.shape, h.shape
    ((4, 10, 16), (1, 4, 16))
    """

    mode = "GRU"


class _CellBase(Module):
    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: DTypeLike | None = None):
        super().__init__()
        name = type(self).__name__
        self.input_size = _positive(name, "input_size", input_size)
        self.hidden_size = _positive(name, "hidden_size", hidden_size)
        self.bias = bool(bias)
        dtype = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
        gates = _GATES[self.mode] * hidden_size
        self.weight_ih = Parameter(zeros(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(zeros(gates, hidden_size, dtype=dtype))
        self.bias_ih = Parameter(zeros(gates, dtype=dtype)) if bias else None
        self.bias_hh = Parameter(zeros(gates, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(−1/√H, 1/√H), H = hidden_size, as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            _init.uniform_(p, -bound, bound)

    def _run(self, input: Any, hx: Any):
        name = type(self).__name__
        x = input if isinstance(input, Tensor) else Tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input of shape (N, {self.input_size}) or ({self.input_size},), "
                             f"got {tuple(x.shape)}")
        unbatched = x.ndim == 1
        if unbatched:
            x = F.unsqueeze(x, 0)
        shape = (x.shape[0], self.hidden_size)

        def state(s, label):
            if s is None:
                return Tensor._make(D.namespace(x.data).zeros(shape, dtype=x.data.dtype, device=x.data.device),
                                    False, None)
            s = s if isinstance(s, Tensor) else Tensor(s)
            s = F.unsqueeze(s, 0) if unbatched else s
            if tuple(s.shape) != shape:
                raise ValueError(f"{name}: {label} must have shape {shape}, got {tuple(s.shape)}")
            return s
        if self.mode == "LSTM":
            h, c = (None, None) if hx is None else hx
            h, c = state(h, "h_0"), state(c, "c_0")
        else:
            h, c = state(hx, "hx"), None
        xw = F.matmul(x, F.transpose(self.weight_ih))
        if self.bias_ih is not None:
            xw = F.add(xw, self.bias_ih)
        h, c = _step(self.mode, xw, h, c, self.weight_hh, self.bias_hh)
        if unbatched:
            h, c = F.squeeze(h, 0), (None if c is None else F.squeeze(c, 0))
        return h, c

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(_CellBase):
    """One step of :class:`RNN`: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu).

    Shape: input (N, H_in) or (H_in,); hx (N, H) or None (zeros); output (N, H).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 dtype: DTypeLike | None = None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx)[0]


class LSTMCell(_CellBase):
    """One step of :class:`LSTM`: returns (h', c').

    Shape: input (N, H_in) or (H_in,); hx (h, c) each (N, H), or None (zeros); outputs (N, H) each.
    """

    mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        h, c = self._run(input, hx)
        assert c is not None   # the LSTM's step returns its cell state
        return h, c


class GRUCell(_CellBase):
    """One step of :class:`GRU`.

    Shape: input (N, H_in) or (H_in,); hx (N, H) or None (zeros); output (N, H).
    """

    mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx)[0]
