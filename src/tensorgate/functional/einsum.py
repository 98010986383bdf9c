"""Einstein summation as one gate: ``einsum('bij,bjk->bik', a, b)``.

The standard has no einsum: ``backend/ops.py`` has one per device.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..backend import devices as D, ops
from ..autograd.gate import Gate

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import NDArray

    from ..autograd.gate import Grads


def parse_equation(equation: str, count: int) -> tuple[list[str], str]:
    """The operands' subscripts and the output's, e.g. 'ij,jk' → (['ij', 'jk'], 'ik') (implicit output: the
    letters used once, sorted, as NumPy and PyTorch)."""
    equation = equation.replace(" ", "")
    if "." in equation:
        raise ValueError("einsum: '...' (ellipsis) is not supported; name every axis")
    inputs, arrow, output = equation.partition("->")
    subs = inputs.split(",")
    if len(subs) != count:
        raise ValueError(f"einsum: the equation {equation!r} has {len(subs)} operands, got {count} tensors")
    if not arrow:
        letters = "".join(subs)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for s in subs:
        if len(set(s)) != len(s):
            raise ValueError(f"einsum: a subscript repeated within one operand ({s!r}, a diagonal) is not supported")
    return subs, output


class EinsumGate(Gate):
    """z = einsum(equation, a_1, ..., a_k).   ∂L/∂a_i = einsum of ∂L/∂z with the other operands, onto a_i's
    subscripts (axes that appear nowhere else, summed out in forward, get the gradient broadcast back).

    Saves the operands. Shape: as the equation says.
    """

    name = "einsum"

    def forward(self, *arrays: NDArray[Any], subs: Sequence[str] | None = None,
                output: str | None = None) -> NDArray[Any]:
        self.arrays, self.subs, self.output = arrays, subs, output
        return ops.einsum(D.namespace(*arrays), f"{','.join(subs)}->{output}", *arrays)  # type: ignore[arg-type]

    def backward(self, g: NDArray[Any]) -> Grads:
        grads = []
        xp = D.namespace(g)
        for i, (a, s) in enumerate(zip(self.arrays, self.subs)):  # type: ignore[arg-type]
            if not self.needs[i]:
                grads.append(None)
                continue
            others = [(x, t) for j, (x, t) in enumerate(zip(self.arrays, self.subs)) if j != i]  # type: ignore[arg-type]
            known = set(self.output).union(*[set(t) for _, t in others])  # type: ignore[arg-type]
            kept = "".join(c for c in s if c in known)
            terms = ",".join([self.output] + [t for _, t in others])  # type: ignore[arg-type]
            d = ops.einsum(xp, f"{terms}->{kept}", g, *[x for x, _ in others])
            shape = tuple([n if c in known else 1 for c, n in zip(s, a.shape)])
            grads.append(xp.astype(xp.broadcast_to(xp.reshape(d, shape), a.shape), a.dtype))
        return tuple(grads)
