"""One BLAS thread for the estimator tests.

On the 2-core CI machine NumPy's and SciPy's OpenBLAS pools (and scikit-learn's reference fits) fight for
the cores when several are active (see ``tensorgate.models.logistic._blas_threads_for_lbfgs``); one
thread each makes these tests' run time steady. Speed is measured in ``benchmarks/``, not here.
"""
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield
