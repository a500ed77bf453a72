"""The package's layout rules, read from the source with ``ast`` (nothing imported).

- a package per stage, the folders showing the pipeline;
- no import cycles between modules, imports inside functions included (``if TYPE_CHECKING:``
  blocks excepted);
- no module imports another module's private names;
- a package's private modules (``hotspot.<package>._x``) are imported only from inside it;
  the top-level ``hotspot._x`` modules are the shared layer;
- numba kernels live in one ``_kernels`` module per package and are imported the same way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hotspot"
STAGES = (
    "incidents",
    "temporal",
    "grid",
    "stats",
    "density",
    "clustering",
    "spacetime",
    "maps",
    "report",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, in functions too, except those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for each hotspot import of ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out: list[tuple[str, str | None]] = []
    for node in import_nodes(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names if a.name.split(".")[0] == "hotspot"]
            continue
        source = resolve(module, node)
        if source.split(".")[0] != "hotspot":
            continue
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in MODULES:
                out.append((submodule, None))
            else:
                out.append((source, alias.name))
    return out


EDGES = {m: sorted({target for target, _ in imports_of(m) if target in MODULES}) for m in MODULES}


def test_every_stage_is_a_package():
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    # The top level holds the entry points and the shared layer, nothing of one stage.
    assert set(top) <= {
        "__init__",
        "_areas",
        "_messages",
        "_period",
        "_progress",
        "_projection",
        "_random",
        "_result",
        "_validate",
        "_version",
        "analyze",
        "cli",
        "datasets",
        "disclosure",
        "errors",
        "places",
        "simulate",
    }, top


def test_no_import_cycles():
    """Depth-first search for a back edge; the cycle is printed when one is found."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for target in EDGES[m]:
            if target == m or m.startswith(target + "."):
                continue  # a module importing its own package's __init__ is Python's own order
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in MODULES:
        if m not in state:
            cycle = visit(m)
            assert cycle is None, " -> ".join(cycle)


def test_no_module_imports_another_modules_private_names():
    offences = [
        f"{m} imports {name} from {source}"
        for m in MODULES
        for source, name in imports_of(m)
        if name is not None and name.startswith("_") and name != "__version__"
    ]
    assert not offences, "\n".join(offences)


def owning_package(module: str) -> str:
    """``hotspot.maps`` for ``hotspot.maps._context``; ``hotspot`` for ``hotspot._validate``."""
    return module.rsplit(".", 1)[0]


def test_private_modules_are_imported_only_inside_their_package():
    offences = []
    for m in MODULES:
        for target, _ in imports_of(m):
            leaf = target.rsplit(".", 1)[-1]
            if not leaf.startswith("_") or leaf == "__init__":
                continue
            home = owning_package(target)
            if home != "hotspot" and not (m == home or m.startswith(home + ".")):
                offences.append(f"{m} imports {target}")
    assert not offences, "\n".join(offences)


def test_kernels_live_in_one_module_per_package_imported_by_name():
    """Every ``@njit``/``@numba.jit`` function sits in a ``_kernels`` module, which is imported
    as ``from hotspot.<package>._kernels import name`` (never as a module alias)."""
    for m, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        if "import numba" in source or "from numba" in source:
            assert m.endswith("._kernels"), f"{m} uses numba outside a _kernels module"
    for m in MODULES:
        tree = ast.parse(MODULES[m].read_text(encoding="utf-8"))
        for node in import_nodes(tree):
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
                assert "_kernels" not in names, f"{m} imports _kernels as a module"
            else:
                assert not any(a.name.endswith("._kernels") for a in node.names), m


@pytest.mark.parametrize("stage", STAGES)
def test_each_package_re_exports_its_public_names(stage):
    """``hotspot.<stage>`` lists what it offers; ``hotspot`` re-exports the public API."""
    import importlib

    package = importlib.import_module(f"hotspot.{stage}")
    assert package.__doc__, stage
    exported = getattr(package, "__all__", None)
    assert exported, f"hotspot.{stage} has no __all__"
    for name in exported:
        assert hasattr(package, name), f"hotspot.{stage}.{name}"
