"""The lecture-style PyTorch script (script_torch.py) ported by changing its imports only: it must give the
same losses, accuracies, predictions and weights in tensorgate as in PyTorch."""
import importlib.util
import pathlib
import re

from conformance_helpers import assert_same

SCRIPT = pathlib.Path(__file__).with_name("script_torch.py")


def ported_source():
    """The script with every import of torch turned into one of tensorgate, nothing else changed."""
    source = SCRIPT.read_text()
    utils = "tensorgate.utils.data" if importlib.util.find_spec("tensorgate.utils") else "tensorgate.data"
    source = source.replace("from torch.utils.data import", f"from {utils} import")
    source = re.sub(r"^import torch$", "import tensorgate as torch", source, flags=re.M)
    return re.sub(r"^import torch\.", "import tensorgate.", source, flags=re.M)


def run(source):
    namespace = {"__name__": "script"}
    exec(compile(source, str(SCRIPT), "exec"), namespace)
    return namespace["main"]()


def test_the_port_changes_only_the_imports():
    original, ported = SCRIPT.read_text().splitlines(), ported_source().splitlines()
    changed = [(a, b) for a, b in zip(original, ported) if a != b]
    assert len(original) == len(ported) and len(changed) == 4
    assert all(a.lstrip().startswith(("import torch", "from torch")) for a, _ in changed)


def test_the_script_gives_the_same_results_in_tensorgate():
    expected, actual = run(SCRIPT.read_text()), run(ported_source())
    assert expected["end"][1] > expected["start"][1] + 0.2   # it trains
    assert set(expected) == set(actual)
    for key in expected:
        assert_same(expected[key], actual[key], rtol=2e-4, atol=2e-5, path=key)
