"""The shape of the package: dependencies point down, no import cycle, no module too large to
read, the store a library."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "crmcli"
MAX_LINES = 520  # "about 500": a module a reader can hold in mind


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports under `if TYPE_CHECKING:` (never run)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    lines.add(inner.lineno)
    return lines


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every crmcli module `name` imports at run time, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    skipped = _type_checking_only(tree)
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = (
                package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            )
            module = ".".join([*base, *([node.module] if node.module else [])])
            # `from . import model` names a module; `from .store import Store` a name in one
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                for alias in node.names
            ]
        found.update(t for t in targets if t in known and t != name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_anywhere_in_the_package():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_is_too_long_to_read():
    long = {
        name: lines
        for name, path in modules().items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_store_is_a_library():
    """The store never reaches up: no command, exchange format, Typer or rich."""
    edges = graph()
    for name, path in modules().items():
        if not name.startswith("crmcli.store"):
            continue
        above = {m for m in edges[name] if not m.startswith("crmcli.store")}
        allowed = {"crmcli", "crmcli.model", "crmcli.rules", "crmcli.when", "crmcli.errors",
                   "crmcli.values", "crmcli.migrations", "crmcli.undo_triggers", "crmcli.legacy",
                   "crmcli.dbfile", "crmcli.wording", "crmcli.leftovers"}  # fmt: skip
        assert above <= allowed, (name, above - allowed)
        text = path.read_text()
        assert "import typer" not in text and "import rich" not in text and "print(" not in text


def test_rules_and_the_model_are_pure():
    """The rules about records and the field checks read no file and run no SQL."""
    edges = graph()
    pure = ("crmcli.rules", "crmcli.model", "crmcli.values", "crmcli.card_values", "crmcli.wording")
    for name in pure:
        assert edges[name] <= {"crmcli", "crmcli.model", "crmcli.values", "crmcli.when",
                               "crmcli.errors", "crmcli.wording", "crmcli.card_values"}, name  # fmt: skip
        text = modules()[name].read_text()
        assert "sqlite3" not in text and "open(" not in text, name
