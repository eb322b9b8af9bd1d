"""The layers hold: the contracts in pyproject.toml, no aiohttp.web in the core, and SQL only in bot/storage/."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# What only the database layer may do: run statements, or reach the sqlite-utils database behind the store.
SQL_CALLS = frozenset({"execute", "executemany", "executescript"})


def modules(*folders: str) -> Iterator[tuple[str, ast.Module]]:
    """Yield the path and syntax tree of every Python module under these folders of the project."""
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"), str(path))


def _server_part(name: str) -> bool:
    """Say whether a name inside aiohttp is its server: web, or one of the web_* modules web is made of."""
    return name == "web" or name.startswith(("web.", "web_"))


def web_imports(tree: ast.Module) -> list[int]:
    """Return the lines that import aiohttp's server (aiohttp.web) in any spelling."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found = any(alias.name.startswith("aiohttp.") and _server_part(alias.name.removeprefix("aiohttp."))
                        for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found = ((module.startswith("aiohttp.") and _server_part(module.removeprefix("aiohttp.")))
                     or (module == "aiohttp" and any(_server_part(alias.name) for alias in node.names)))
        elif isinstance(node, ast.Attribute):
            found = isinstance(node.value, ast.Name) and node.value.id == "aiohttp" and _server_part(node.attr)
        else:
            found = False
        if found:
            lines.append(node.lineno)
    return lines


def sql_uses(tree: ast.Module) -> list[int]:
    """Return the lines that run SQL (.execute and its kin) or reach the store's database (.db)."""
    calls = (node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute))
    databases = (node for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "db")
    return sorted({call.lineno for call in calls if call.func.attr in SQL_CALLS} | {db.lineno for db in databases})


def test_the_import_contracts_hold() -> None:
    script = str(LINT_IMPORTS) if LINT_IMPORTS.exists() else shutil.which("lint-imports")
    assert script, "import-linter is not installed (pip install -e '.[dev]')"
    # This checkout's packages, not an installed copy, are the ones analysed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    result = subprocess.run([script, "--no-cache", "--no-logo"], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_core_does_not_import_aiohttps_web_server() -> None:
    # import-linter cannot forbid part of an outside package, and the core may use aiohttp's client.
    found = {path: lines for path, tree in modules("bot") if (lines := web_imports(tree))}
    assert not found, f"aiohttp.web imported in the core at {found}"


def test_only_storage_runs_sql() -> None:
    found = {path: lines for path, tree in modules("bot", "handlers")
             if not path.startswith("bot/storage/") and (lines := sql_uses(tree))}
    assert not found, f"SQL outside bot/storage/ at {found}"


@pytest.mark.parametrize("source", [
    "import aiohttp.web",
    "import aiohttp.web as w",
    "from aiohttp import web",
    "from aiohttp import ClientSession, web",
    "from aiohttp.web import Application",
    "from aiohttp.web_request import Request",
    "from aiohttp import web_exceptions",
    "import aiohttp\napp = aiohttp.web.Application()",
])
def test_every_spelling_of_importing_aiohttp_web_is_caught(source: str) -> None:
    assert web_imports(ast.parse(source)), source


@pytest.mark.parametrize("source", ["import aiohttp", "from aiohttp import ClientSession, ClientTimeout",
                                    "import aiohttp\nsession = aiohttp.ClientSession()"])
def test_aiohttps_client_is_allowed(source: str) -> None:
    assert not web_imports(ast.parse(source)), source


@pytest.mark.parametrize("source", [
    "store.db.execute('SELECT 1')",
    "svc.store.db.table('users').insert({})",
    "conn.executemany('INSERT INTO t VALUES (?)', rows)",
    "def f(store):\n    return store.db",
])
def test_sql_outside_storage_is_caught(source: str) -> None:
    assert sql_uses(ast.parse(source)), source
