"""How many threads NumPy's BLAS (and OpenMP) may use: PyTorch's ``set_num_threads`` / ``get_num_threads``,
through threadpoolctl, which knows every BLAS loaded in the process (NumPy's and SciPy's OpenBLAS)."""
from __future__ import annotations

import threadpoolctl

_limits = None   # the threadpool_limits object of the last set_num_threads, kept so that it stays in force


def set_num_threads(n: int) -> None:
    """Let BLAS use at most ``n`` threads from now on (all the BLAS libraries loaded, as PyTorch's setting).

    Shape: not applicable.
    """
    global _limits
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive integer, got {n!r}")
    _limits = threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The number of threads BLAS uses (the largest among the BLAS libraries loaded). Shape: not applicable."""
    pools = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
    return max(pools) if pools else 1
