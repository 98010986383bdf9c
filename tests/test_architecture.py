"""Imports only go downwards: every module of tensorgate, read with ``ast`` (imports inside functions
included), imports only from its own folder and from folders below it in the layer order of DEVELOPERS.md,
and no two folders import each other.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "tensorgate"


def layer_order():
    """The layers as DEVELOPERS.md writes them: ``backend → autograd → ... → cli``; folders that share a
    rank are separated by commas (``optim, io, data, metrics``)."""
    text = (ROOT / "DEVELOPERS.md").read_text(encoding="utf-8")
    line = re.search(r"^Layer order: (.+)$", text, re.M).group(1)
    return {name.strip(" `"): rank for rank, level in enumerate(line.split("→"))
            for name in level.split(",")}


def folder_of(module):
    """'tensorgate.nn.linear' → 'nn'; the package root ('tensorgate', or a file directly in it) → None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else None


def module_name(path, package=PACKAGE):
    relative = path.relative_to(package.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path, package=PACKAGE):
    """Every tensorgate module ``path`` imports (anywhere in the file), as (line, dotted name)."""
    name = module_name(path, package)
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:   # `from . import x` imports the module x if there is one
                candidate = f"{target}.{alias.name}"
                path_of = package.parent.joinpath(*candidate.split("."))
                found.append((node.lineno, candidate if path_of.is_dir() or path_of.with_suffix(".py").is_file()
                              else target))
    return [(line, target) for line, target in found if target.split(".")[0] == package.name]


def violations(package=PACKAGE, order=None):
    """Upward imports and imports of the package root, as readable lines, and the folder-to-folder edges."""
    order = layer_order() if order is None else order
    problems, edges = [], set()
    for path in sorted(package.rglob("*.py")):
        source = module_name(path, package)
        own = folder_of(source)
        if own is None:
            continue   # the package root ties everything together: it may import anything
        if own not in order:
            problems.append(f"{source}: folder {own!r} is not in the layer order of DEVELOPERS.md")
            continue
        for line, target in imported_modules(path, package):
            other = folder_of(target)
            where = f"{path.relative_to(package.parent)}:{line}"
            if other is None:
                problems.append(f"{where}: imports the package root ({target}); import the module it needs")
            elif other != own:
                edges.add((own, other))
                if other not in order:
                    problems.append(f"{where}: imports {target}, whose folder is not in the layer order")
                elif order[other] >= order[own]:
                    problems.append(f"{where}: {own} imports {target}, but {other} is not below {own} "
                                    "in the layer order")
    return problems, edges


def cycles(edges):
    """Folder cycles in the import graph (a pair of folders that reach each other), as sorted pairs."""
    reach = {}
    for a, b in edges:
        reach.setdefault(a, set()).add(b)
    changed = True
    while changed:
        changed = False
        for a, targets in reach.items():
            more = set().union(*(reach.get(b, set()) for b in targets)) - targets
            if more:
                targets |= more
                changed = True
    return sorted({tuple(sorted((a, b))) for a, targets in reach.items() for b in targets
                   if a != b and a in reach.get(b, set())})


def test_the_layer_order_names_every_folder():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert folders <= set(layer_order()), f"folders missing from DEVELOPERS.md's layer order: {folders - set(layer_order())}"


def test_imports_only_go_downwards():
    problems, _ = violations()
    assert not problems, "\n".join(problems)


def test_no_two_folders_import_each_other():
    _, edges = violations()
    assert not cycles(edges)


def test_an_upward_import_inside_a_function_is_caught(tmp_path):
    package = tmp_path / "tensorgate"
    for folder, body in (("autograd", "def f():\n    from ..training import fit\n    return fit\n"),
                         ("training", "from ..autograd import engine\n"), ("cli", "import tensorgate\n")):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
        (package / folder / "mod.py").write_text(body)
    (package / "autograd" / "engine.py").write_text("")
    (package / "__init__.py").write_text("from . import cli\n")
    problems, edges = violations(package, {"autograd": 1, "training": 5, "cli": 8})
    assert problems == [
        "tensorgate/autograd/mod.py:2: autograd imports tensorgate.training, but training is not below "
        "autograd in the layer order",
        "tensorgate/cli/mod.py:1: imports the package root (tensorgate); import the module it needs"]
    assert cycles(edges) == [("autograd", "training")]

