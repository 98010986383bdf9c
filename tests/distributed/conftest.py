"""One small local Ray for every test here (starting Ray takes seconds): 2 CPUs, no dashboard.

Tests that need Ray take the ``local_ray`` fixture and are skipped, with the reason, where Ray is not
installed; the ring's arithmetic and the messages for a missing Ray are tested without it.
"""
import pytest


@pytest.fixture(scope="session")
def local_ray():
    ray = pytest.importorskip("ray", reason="tensorgate.distributed needs Ray: pip install 'tensorgate[ray]'")
    pytest.importorskip("ray.tune", reason="tensorgate sweep needs Ray Tune: pip install 'tensorgate[ray]'")
    from tensorgate.distributed import connect

    started = not ray.is_initialized()
    connect(num_cpus=2)
    yield ray
    if started:
        ray.shutdown()
