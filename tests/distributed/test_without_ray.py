"""Without Ray: the library and the commands say how to install it (one line, exit status 2)."""
import sys

import pytest

from tensorgate.cli.main import main
from tensorgate.distributed import INSTALL_HINT, RayNotInstalled, require_ray


@pytest.fixture
def no_ray(monkeypatch):
    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)   # `import ray` raises ImportError


def test_require_ray_names_the_extra(no_ray):
    with pytest.raises(RayNotInstalled, match=r"pip install 'tensorgate\[ray\]'"):
        require_ray("this test")
    assert INSTALL_HINT == "pip install 'tensorgate[ray]'"


def test_distributed_fit_says_how_to_install(no_ray):
    import numpy as np

    from tensorgate import distributed, nn, optim

    model = nn.Linear(2, 2)
    with pytest.raises(RayNotInstalled, match="tensorgate\\[ray\\]"):
        distributed.fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                        (np.zeros((4, 2), np.float32), np.zeros(4, np.int64)), workers=2)


@pytest.mark.parametrize("argv", [["train", "--workers", "2"], ["sweep", "SWEEP"]])
def test_commands_end_with_one_line_and_status_2(no_ray, argv, tmp_path, capsys):
    if argv[0] == "sweep":
        (tmp_path / "s.toml").write_text("[search]\nlr = [0.01, 0.1]\n")
        argv = ["sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "sweep")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tensorgate: error:") and INSTALL_HINT in err[0]
