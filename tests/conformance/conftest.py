"""Count the conformance idioms: the terminal summary says how many ran the same in PyTorch and tensorgate
and how many are listed as not supported (and raise a clear error). See conformance_helpers.py."""

import pathlib

_HERE = pathlib.Path(__file__).resolve().parent


def _is_conformance(report, root):
    return report.when == "call" and (root / report.location[0]).resolve().parent == _HERE


def pytest_terminal_summary(terminalreporter):
    root = terminalreporter.config.rootpath
    passed = [r for r in terminalreporter.stats.get("passed", []) if _is_conformance(r, root)]
    failed = [r for r in terminalreporter.stats.get("failed", []) if _is_conformance(r, root)]
    if not passed and not failed:
        return
    unsupported = sum("not_supported" in r.nodeid for r in passed)
    terminalreporter.write_sep("-", "PyTorch conformance")
    terminalreporter.write_line(
        f"{len(passed) - unsupported} idioms give PyTorch's result, {unsupported} are not supported and raise a "
        f"clear error, {len(failed)} differ")
