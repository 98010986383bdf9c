"""Fixtures of the training tests."""
import threading

import pytest


@pytest.fixture
def spy_ranges(monkeypatch):
    """``spy_ranges(owner)`` puts a logging parallel_ranges in place of ``owner.parallel_ranges`` (a module
    that calls it) and returns the log: per call, (stop, step, the thread each of its ranges ran on). The
    caller's thread runs the first range; a pool worker may take two, and the pool is remade when a larger
    team asks, so tests count ranges rather than distinct threads."""
    from tensorgate.backend import threads

    real = threads.parallel_ranges

    def install(owner):
        log = []

        def spy(work, stop, step, threads=None):
            ran = []
            log.append((stop, step, ran))

            def recorded(a, b):
                ran.append(threading.get_ident())
                return work(a, b)
            return real(recorded, stop, step, threads)

        monkeypatch.setattr(owner, "parallel_ranges", spy)
        return log
    return install
