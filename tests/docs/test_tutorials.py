"""Every tutorial page's python code runs, in order, in one namespace per page, in a fresh directory.

The pages check their own numbers with asserts (the course's corrected examples, gradients against finite
differences, metrics against scikit-learn), so a page whose code runs is a page whose numbers hold.
"""
import re

import pytest

from docs_helpers import EXECUTED_PAGES, TUTORIALS, load_hook

_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)")


def test_the_six_tutorials_are_there_and_each_has_code():
    hook = load_hook()
    assert {"01", "02", "03", "04", "05", "06"} <= {p.stem[:2] for p in TUTORIALS}
    for page in TUTORIALS:
        assert len(hook.python_blocks(page.read_text("utf-8"))) >= 3, page.name


def test_a_failing_block_names_the_page_and_its_line(tmp_path):
    hook = load_hook()
    page = tmp_path / "broken.md"
    page.write_text("# t\n\n```python\nx = 1\n```\n\ntext\n\n```python\nassert x == 2, 'x is not 2'\n```\n")
    with pytest.raises(hook.TutorialError, match=r"broken.md: the code block at line 10 raised AssertionError"):
        hook.run_tutorial(page, tmp_path)


def test_blocks_share_one_namespace_and_run_in_the_given_directory(tmp_path):
    hook = load_hook()
    page = tmp_path / "page.md"
    page.write_text("```python\nimport os\nhere = os.getcwd()\n```\n\n```bash\nexit 1\n```\n\n"
                    "```python\nopen('made.png', 'wb').close()\n```\n")
    work = tmp_path / "work"
    work.mkdir()
    assert len(hook.run_tutorial(page, work)) == 2   # the bash block is not Python: not run
    assert (work / "made.png").exists()


@pytest.mark.parametrize("page", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_and_draws_the_pictures_it_shows(page, hook, figure_cache):
    drawn = {p.name for p in hook.figures(page, figure_cache)}
    shown = set(_IMAGE.findall(page.read_text("utf-8")))
    assert shown, f"{page.name} shows no picture of its own"
    assert shown <= drawn, f"{page.name} shows pictures its code does not draw: {sorted(shown - drawn)}"


@pytest.mark.parametrize("page", EXECUTED_PAGES, ids=[p.stem for p in EXECUTED_PAGES])
def test_the_code_of_the_other_pages_runs(page, tmp_path):
    assert load_hook().run_tutorial(page, tmp_path), f"{page.name} has no python block"
