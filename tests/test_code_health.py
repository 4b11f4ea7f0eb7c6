"""Checks on the source itself: short functions in the package, pinned error messages in the tests."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 60


def _parsed(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_function_in_the_package_is_longer_than_60_lines():
    offenders = []
    for path, tree in _parsed(ROOT / "ganlab"):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not offenders, f"functions longer than {MAX_FUNCTION_LINES} lines:\n" + "\n".join(offenders)


def _is_pytest_raises(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "raises"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "pytest"
    )


def test_every_pytest_raises_pins_its_message():
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _parsed(ROOT / "tests")
        for node in ast.walk(tree)
        if _is_pytest_raises(node) and not any(keyword.arg == "match" for keyword in node.keywords)
    ]
    assert not offenders, "pytest.raises without match= (pin the error message):\n" + "\n".join(offenders)


def _imported_ganlab_modules(tree: ast.AST) -> set[str]:
    """Every ``ganlab.X`` a module imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ganlab"):
            found.update(f"{node.module}.{alias.name}" if node.module == "ganlab" else node.module for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("ganlab"))
    return found


def test_the_runtime_core_imports_neither_the_book_nor_the_command_line():
    # the house is layered: cli and book sit on top, and nothing below may reach up to them
    offenders = []
    for path, tree in _parsed(ROOT / "ganlab"):
        if path.parent.name == "book" or path.name in ("cli.py", "__main__.py"):
            continue
        reached = {module for module in _imported_ganlab_modules(tree) if module.startswith(("ganlab.book", "ganlab.cli"))}
        offenders += [f"{path.relative_to(ROOT)} imports {module}" for module in sorted(reached)]
    assert not offenders, "\n".join(offenders)


MAX_MODULE_LINES = 400


def test_no_module_in_the_package_is_longer_than_400_lines():
    # a module is something a reader can hold in their head; a longer one is several
    offenders = [
        f"{path.relative_to(ROOT)} ({length} lines)"
        for path in sorted((ROOT / "ganlab").rglob("*.py"))
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not offenders, f"modules longer than {MAX_MODULE_LINES} lines:\n" + "\n".join(offenders)
