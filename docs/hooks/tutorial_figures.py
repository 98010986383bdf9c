"""mkdocs hook: the tutorials draw their own pictures, and the tests run the same code.

A tutorial page's ```python blocks run in order, in one namespace, in a fresh working directory; the figures
its code saves there (``fig.savefig("metrics-roc.png")``) become files of the site beside the page, so the
page shows them with ``![...](metrics-roc.png)``. Nothing drawn is committed, so a picture cannot go stale,
and a fresh clone builds because the build draws them.

A page's pictures are cached under the hash of its code (``.cache/docs-figures/`` beside mkdocs.yml, or the
folder in ``$TENSORGATE_DOCS_CACHE``), so ``mkdocs serve`` reruns a tutorial only when its code changes.
``tests/docs`` imports this file: ``run_tutorial`` is what the tests execute.

The hook also shows the docstrings' Sphinx roles (``:class:`~tensorgate.nn.Module```), which numpydoc
docstrings use but mkdocstrings does not read, as plain code (``Module``).
"""
import contextlib
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

TUTORIALS = "tutorials/"
CACHE_VARIABLE = "TENSORGATE_DOCS_CACHE"
_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_SPHINX_ROLE = re.compile(r":(?:class|func|mod|meth|attr|data|exc|obj):<code>(~?)([^<]*)</code>")


class TutorialError(RuntimeError):
    """A tutorial's code block raised; the message names the page, the block and its first line."""


def python_blocks(markdown):
    """The page's ```python blocks, in order, as (line number of the block's first code line, code)."""
    return [(markdown.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in _BLOCK.finditer(markdown)]


def is_tutorial(src_uri):
    return src_uri.startswith(TUTORIALS) and src_uri.endswith(".md") and not src_uri.endswith("index.md")


def run_tutorial(page, workdir, quiet=False):
    """Run the page's python blocks in order in one namespace, inside ``workdir``; return each block's seconds.

    The blocks are compiled under the page's name and their line numbers, so a traceback points into the page.
    ``quiet`` drops what the code prints (the build's log is for the build).
    """
    page = Path(page).resolve()
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    import matplotlib

    matplotlib.use("Agg")  # figures are files; no display is needed
    namespace = {"__name__": "__tutorial__"}
    seconds = []
    old_cwd = os.getcwd()
    os.chdir(workdir)
    printed = contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext()
    try:
        with printed, _one_blas_thread():
            for line, code in blocks:
                start = time.perf_counter()
                try:
                    exec(compile("\n" * (line - 1) + code, str(page), "exec"), namespace)
                except Exception as error:
                    raise TutorialError(f"{page.name}: the code block at line {line} raised "
                                        f"{type(error).__name__}: {error}") from error
                seconds.append(time.perf_counter() - start)
    finally:
        os.chdir(old_cwd)
        import matplotlib.pyplot as plt

        plt.close("all")
    return seconds


def _one_blas_thread():
    """The tutorials' matrices are small: split across threads they cost more than they save, and on a
    machine shared with other work (a test suite, a build server) BLAS threads that wait for a core make a
    LeNet epoch 20 times slower. One thread each keeps a page's run time what its code costs."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def figures(page, cache_root):
    """The PNG files that ``page``'s code draws, from the cache, running the page first if they are not there."""
    page = Path(page)
    digest = hashlib.sha256("\0".join(code for _, code in python_blocks(page.read_text("utf-8"))).encode())
    folder = Path(cache_root) / f"{page.stem}-{digest.hexdigest()[:16]}"
    if not folder.is_dir():
        Path(cache_root).mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{page.stem}-", dir=cache_root))
        try:
            run_tutorial(page, scratch, quiet=True)
            for leftover in scratch.iterdir():  # keep the pictures only (a tutorial may write a model too)
                if leftover.suffix != ".png":
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            try:
                os.replace(scratch, folder)  # atomic: a folder in the cache is complete
            except OSError:  # another build made it first
                pass
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return sorted(folder.glob("*.png"))


def cache_root(config_dir):
    return Path(os.environ.get(CACHE_VARIABLE) or Path(config_dir) / ".cache" / "docs-figures")


def on_files(files, config):
    """Add every tutorial's pictures to the site, beside its page."""
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    config_dir = Path(config.config_file_path).parent
    source = str(config_dir / "src")
    if source not in sys.path:  # the tutorials use this checkout's tensorgate, as mkdocstrings does
        sys.path.insert(0, source)
    drawn = {}
    for page in [f for f in files if is_tutorial(f.src_uri)]:
        try:
            pictures = figures(page.abs_src_path, cache_root(config_dir))
        except TutorialError as error:
            raise PluginError(str(error)) from error
        for picture in pictures:
            src_uri = str(Path(page.src_uri).parent / picture.name)
            if src_uri in drawn or files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"{page.src_uri} draws {picture.name}, a name already taken "
                                  f"by {drawn.get(src_uri, 'a file in docs/')}; give it its own name")
            drawn[src_uri] = page.src_uri
            files.append(File.generated(config, src_uri, abs_src_path=str(picture)))
    return files


def on_page_content(html, page, config, files):
    """The docstrings' Sphinx roles (``:class:`~tensorgate.nn.Module```) as plain code: ``Module``."""
    return _SPHINX_ROLE.sub(lambda m: f"<code>{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}</code>",
                            html)
