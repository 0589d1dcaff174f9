"""The arrows go one way: flows and storage never reach for a platform or an adapter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PLATFORM_MODULES = ("nio", "slack_bolt", "slack_sdk", "aiohttp", "adapters")
FORBIDDEN = {
    "flows": (*PLATFORM_MODULES, "storage", "aiosqlite", "bot.app", "bot.cli"),
    "storage": (*PLATFORM_MODULES, "flows", "bot.app", "bot.cli"),
    "bot": ("nio", "slack_bolt", "slack_sdk"),
}
# Run in a fresh interpreter: CPython 3.11.7 can leave the ast module's recursion counter
# wrong after deep async code, and then every ast.parse in that process raises SystemError
# ("AST constructor recursion depth mismatch"; fixed in 3.11.8).
WALK = """
import ast, json, sys, pathlib
found = {}
for path in pathlib.Path(sys.argv[1]).rglob("*.py"):
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    found[str(path.relative_to(sys.argv[1]))] = sorted(names)
print(json.dumps(found))
"""


def imports(package: str) -> dict[str, list[str]]:
    """Every module each file of ``package`` imports."""
    result = subprocess.run([sys.executable, "-c", WALK, str(ROOT / package)],
                            capture_output=True, text=True, check=True, timeout=60)
    found: dict[str, list[str]] = json.loads(result.stdout)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_what_it_must_not(package: str) -> None:
    for path, names in imports(package).items():
        for name in names:
            for banned in FORBIDDEN[package]:
                assert not (name == banned or name.startswith(banned + ".")), (
                    f"{package}/{path} imports {name}")


def test_flows_never_build_a_machine_per_conversation() -> None:
    engine = (ROOT / "flows" / "engine.py").read_text()
    assert engine.count("Machine(") == 1 and "class CompiledFlow" in engine
