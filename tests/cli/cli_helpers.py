"""Helpers for the CLI tests: run the real ``tensorgate`` command, or ``main`` in this process.

A module with its own name rather than a conftest: ``from conftest import ...`` is ambiguous when
several test folders have a conftest.py.
"""
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def run_cli(*args, cwd=None, timeout=300, env=None):
    """The finished process of ``python -m tensorgate *args`` (text stdout/stderr, returncode)."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(SRC) + os.pathsep + environment.get("PYTHONPATH", "")
    environment.setdefault("OMP_NUM_THREADS", "2")
    environment["MPLBACKEND"] = "Agg"
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "tensorgate", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=environment)


def assert_user_error(result, *fragments):
    """Exit status 2 and exactly one line ``tensorgate: error: ...`` on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tensorgate: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def run_main(capsys, *args):
    """``main(args)`` in this process (fast); returns (status, stdout, stderr)."""
    from tensorgate.cli.main import main

    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_main_error(capsys, args, *fragments):
    """In-process counterpart of :func:`assert_user_error`."""
    status, _, err = run_main(capsys, *args)
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tensorgate: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
