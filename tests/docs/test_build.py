"""The documentation site builds with ``mkdocs build --strict``: no warning, no broken reference."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from docs_helpers import ROOT, TUTORIALS

NEEDED = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")


def _missing():
    missing = []
    for name in NEEDED:
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except ModuleNotFoundError:
            missing.append(name)
    return missing


@pytest.mark.skipif(bool(_missing()), reason=f"the docs extra is not installed (pip install -e '.[docs]'): "
                                             f"missing {', '.join(_missing())}")
def test_the_site_builds_strictly(tmp_path, hook, figure_cache):
    for page in TUTORIALS:        # run by test_tutorials already, or now: the build then finds the pictures
        hook.figures(page, figure_cache)
    site = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **{hook.CACHE_VARIABLE: str(figure_cache)})
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                             str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "WARNING" not in log, log[-4000:]
    # the pages the issue asks for, the API reference rendered from the docstrings, the search index
    for page in ("index.html", "installation/index.html", "quickstart/index.html", "coming-from/index.html",
                 *(f"tutorials/{p.stem}/index.html" for p in TUTORIALS)):
        assert (site / page).is_file(), page
    nn = (site / "api" / "nn" / "index.html").read_text("utf-8")
    assert 'id="tensorgate.nn.linear.Linear"' in nn and "Shape" in nn
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    assert any("BatchNorm1d" in doc["title"] for doc in index["docs"])
    assert sorted(p.name for p in (site / "tutorials").glob("*.png")), "the tutorials' pictures are missing"
