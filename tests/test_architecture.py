"""The architecture as tests: layers import downwards only, Whoosh's internals stay in
search.storage, and commands import only what they use (ARCHITECTURE.md's map)."""

import ast
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = [PROJECT / "search", PROJECT / "analyzers"]
WHOOSH_INTERNALS = ("whoosh.codec", "whoosh.filedb", "whoosh.matching", "whoosh.multiproc",
                    "whoosh.system", "whoosh.support")


def test_each_layer_imports_only_the_layers_below_it():
    # The contract is in pyproject.toml ([tool.importlinter]).
    done = subprocess.run([sys.executable, "-c",
                           "from importlinter.cli import lint_imports_command as lint; lint()"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_only_the_storage_layer_touches_whoosh_internals():
    storage = PROJECT / "search" / "storage"
    offenders = sorted(
        f"{path.relative_to(PROJECT)}: {module}"
        for package in PACKAGES for path in package.rglob("*.py")
        if storage not in path.parents
        for module in _imported_modules(path)
        if module.startswith(WHOOSH_INTERNALS))
    assert offenders == []


def test_the_top_of_search_is_a_short_list_of_entry_points():
    modules = sorted(p.name for p in (PROJECT / "search").glob("*.py"))
    assert len(modules) <= 8, modules


def _modules_loaded_by(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_command_line_and_the_errors_load_neither_whoosh_nor_morphology():
    loaded = _modules_loaded_by("import search.cli\nfrom search import IzdeError")
    assert not {m for m in loaded if m.split(".")[0] in ("whoosh", "pymorphy3", "numpy")}


def test_a_search_loads_no_writing_code():
    loaded = _modules_loaded_by("from search import Index")
    assert "whoosh.index" in loaded
    assert not {"multiprocessing", "search.storage.parallel", "search.storage.posting_pool",
                "search.ingest.indexer", "html.parser"} & loaded
