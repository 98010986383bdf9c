"""The documentation's tutorials run once per session, shared by test_tutorials and test_build.

The code that runs a page is the site's own hook (docs/hooks/tutorial_figures.py), so the tests execute
exactly what ``mkdocs build`` executes to draw the pictures.
"""
import pytest

from docs_helpers import load_hook


@pytest.fixture(scope="session")
def hook():
    return load_hook()


@pytest.fixture(scope="session")
def figure_cache(tmp_path_factory):
    """Where the tutorials run (a fresh folder each) and keep their pictures; the build reads them there."""
    return tmp_path_factory.mktemp("docs-figures")
