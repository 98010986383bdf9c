"""Type hints: the public API is annotated, ships its ``py.typed`` marker, and ``mypy src`` is clean.

mypy runs through its API (``mypy.api.run``) with the project's configuration (``[tool.mypy]`` in
pyproject.toml); its incremental cache lives in the temporary directory, so a second run takes seconds.
"""
import ast
import importlib
import inspect
import pkgutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

# the subpackages whose public functions and methods must all be annotated
ANNOTATED = ("backend", "autograd", "nn", "optim", "data", "metrics", "models", "io", "training", "functional")


def test_the_package_ships_its_py_typed_marker():
    assert (SRC / "tensorgate" / "py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"tensorgate" = ["py.typed"]' in pyproject, "py.typed must be package data, or wheels leave it out"


def test_mypy_reports_no_errors_on_src():
    api = pytest.importorskip("mypy.api")
    cache = Path(tempfile.gettempdir()) / "tensorgate-mypy-cache"
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache),
                                      "--no-error-summary", str(SRC / "tensorgate")])
    assert status == 0, f"mypy src:\n{stdout}{stderr}"


# A user's script, as an editor or mypy sees it through the annotations: every line must type-check
# (operators and methods that functional attaches to Tensor, chained Module calls, optimisers, fit, metrics).
USER_SCRIPT = """
import numpy as np
import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.data import DataLoader, TensorDataset
from tensorgate.metrics import accuracy_score, roc_auc_score

X = np.random.randn(64, 4).astype(np.float32)
y = (X[:, 0] > 0).astype(np.int64)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).float().train()
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = optim.lr_scheduler.StepLR(opt, step_size=10)
loss_fn = nn.CrossEntropyLoss()
for xb, yb in DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True):
    opt.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    opt.step()
scheduler.step()
lr: list[float] = scheduler.get_last_lr()
t = tg.tensor([1.0, 2.0], requires_grad=True)
z = (2 * t * t + 1).sum() / 4
z.backward()
grad: tg.Tensor | None = t.grad
n: int = t.size(0) + t.shape[0] + t.numel()
value: float = z.item()
weight = model[0].weight
h: tg.Tensor = (tg.zeros(3, 4) @ tg.ones(4, 2)).relu().mean(dim=0)
history = tg.fit(model, "cross_entropy", "adam", (X, y), epochs=1, verbose=False)
last: float = history.last("loss")
p = model(tg.tensor(X)).softmax(dim=1).numpy()[:, 1]
scores = (accuracy_score(y, y), roc_auc_score(y, p))
"""


def test_a_users_script_type_checks(tmp_path, monkeypatch):
    api = pytest.importorskip("mypy.api")
    script = tmp_path / "train.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    monkeypatch.setenv("MYPYPATH", str(SRC))   # this checkout's tensorgate, not an installed one
    cache = Path(tempfile.gettempdir()) / "tensorgate-mypy-cache"
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache),
                                      "--no-error-summary", str(script)])
    assert status == 0, f"mypy on a user's script:\n{stdout}{stderr}"


def test_a_wrong_call_in_a_users_script_is_reported(tmp_path, monkeypatch):
    api = pytest.importorskip("mypy.api")
    script = tmp_path / "wrong.py"
    script.write_text("import tensorgate as tg\nlayer = tg.nn.Linear('4', 2)\nn: str = tg.zeros(2).numel()\n",
                      encoding="utf-8")
    monkeypatch.setenv("MYPYPATH", str(SRC))
    cache = Path(tempfile.gettempdir()) / "tensorgate-mypy-cache"
    stdout, _, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache),
                                 "--no-error-summary", str(script)])
    assert status == 1
    assert 'Argument 1 to "Linear" has incompatible type "str"; expected "int"' in stdout
    assert 'Incompatible types in assignment (expression has type "int", variable has type "str")' in stdout


def _public_modules(package):
    """Every module of ``tensorgate.<package>`` whose dotted name has no part starting with an underscore."""
    root = importlib.import_module(f"tensorgate.{package}")
    yield root
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{root.__name__}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield importlib.import_module(info.name)


def _is_public(name):
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _functions_of(cls):
    """The functions written in ``cls``'s own body (methods, static and class methods, property accessors);
    functions attached from elsewhere (functional's operators on Tensor) are counted where they are written."""
    for name, member in vars(cls).items():
        if not _is_public(name):
            continue
        if isinstance(member, (staticmethod, classmethod)):   # __new__ is a static method taking cls
            candidates = [(member.__func__, isinstance(member, classmethod) or name == "__new__")]
        elif isinstance(member, property):
            candidates = [(f, True) for f in (member.fget, member.fset) if f is not None]
        else:
            candidates = [(member, True)] if inspect.isfunction(member) else []
        for function, bound in candidates:   # written here, not generated (a dataclass's __eq__)
            if (function.__qualname__.startswith(f"{cls.__qualname__}.")
                    and function.__code__.co_filename == inspect.getfile(cls)):
                yield function, bound


def public_api(package):
    """{qualified name: (function, whether its first parameter is self or cls)} for ``tensorgate.<package>``:
    the public functions and the methods of public classes that its public modules define, including those
    that live in private modules and are exported by public ones (the estimators' base class)."""
    found = {}
    for module in _public_modules(package):
        for name, obj in vars(module).items():
            defined_in = getattr(obj, "__module__", None) or ""
            if name.startswith("_") or not defined_in.startswith(f"tensorgate.{package}"):
                continue
            if defined_in != module.__name__ and not hasattr(module, "__path__"):
                continue   # a helper imported from a private module; a package's __init__ exports its names
            if inspect.isclass(obj):
                for function, bound in _functions_of(obj):
                    found[f"{defined_in}.{function.__qualname__}"] = (function, bound)
            elif inspect.isfunction(obj) and obj.__name__ != "<lambda>":
                found[f"{defined_in}.{obj.__qualname__}"] = (obj, False)
    return found


def is_annotated(function, bound):
    """Every parameter (but self or cls) has an annotation, and so does the return (``__init__`` excepted)."""
    parameters = list(inspect.signature(function).parameters.values())[1 if bound else 0:]
    return (all(p.annotation is not inspect.Parameter.empty for p in parameters)
            and ("return" in function.__annotations__ or function.__name__ == "__init__"))


@pytest.mark.parametrize("package", ANNOTATED)
def test_every_public_function_is_annotated(package):
    api = public_api(package)
    missing = sorted(name for name, (function, bound) in api.items() if not is_annotated(function, bound))
    assert len(api) > 10, f"tensorgate.{package}: found only {len(api)} public functions; is the walk broken?"
    assert not missing, (f"tensorgate.{package}: {len(api) - len(missing)}/{len(api)} public functions annotated; "
                         "missing:\n" + "\n".join(missing))


def test_an_unannotated_function_is_caught():
    def documented(x, y: int = 1) -> int:
        return y

    def complete(x: int, *args: int, **kwargs: str) -> None:
        pass

    class Layer:
        def __init__(self, size: int):
            self.size = size

        def forward(self, x):
            return x

        @property
        def width(self) -> int:
            return self.size

    assert not is_annotated(documented, False)
    assert is_annotated(complete, False)
    functions = dict((f.__name__, (f, bound)) for f, bound in _functions_of(Layer))
    assert set(functions) == {"__init__", "forward", "width"}
    assert is_annotated(*functions["__init__"]) and is_annotated(*functions["width"])
    assert not is_annotated(*functions["forward"])


def _declared_for_type_checkers(path, class_name):
    """The names a class declares in its ``if TYPE_CHECKING:`` blocks (functions and annotated attributes)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    names = set()
    for block in cls.body:
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING":
            for node in block.body:
                if isinstance(node, ast.FunctionDef):
                    names.add(node.name)
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
    return names


def test_every_method_attached_to_tensor_is_declared_for_type_checkers():
    from tensorgate.autograd.tensor import Tensor

    written_here = inspect.getfile(Tensor)
    attached = {name for name, member in vars(Tensor).items()   # by functional, the engine, the constructors
                if (inspect.isfunction(member) or isinstance(member, property))
                and getattr(member, "fget", member).__code__.co_filename != written_here}
    declared = _declared_for_type_checkers(SRC / "tensorgate" / "autograd" / "tensor.py", "Tensor")
    assert len(attached) > 100, attached
    missing = sorted(attached - declared)
    assert not missing, f"attached to Tensor at run time but not declared in its TYPE_CHECKING block: {missing}"
