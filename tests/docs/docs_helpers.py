"""Paths and the site's hook, for tests/docs (a module of its own name: every test folder has a conftest)."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("[0-9]*.md"))
#: other pages whose python blocks the tests run too (they show no pictures)
EXECUTED_PAGES = [ROOT / "docs" / "quickstart.md", ROOT / "docs" / "coming-from.md"]


def load_hook():
    """docs/hooks/tutorial_figures.py, the code that mkdocs runs to draw the tutorials' pictures."""
    spec = importlib.util.spec_from_file_location("tutorial_figures", ROOT / "docs" / "hooks" / "tutorial_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
