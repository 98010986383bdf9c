"""Shared test configuration: hypothesis profiles sized for a 2-core CI machine."""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the tests marked slow (the README's accuracy recipes, minutes each)")


def pytest_collection_modifyitems(config, items):
    import pytest

    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="a long recipe run: pytest --run-slow runs it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
