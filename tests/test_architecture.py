"""The arrows go one way: flows and storage never reach for a platform or an adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PLATFORM_MODULES = ("nio", "slack_bolt", "slack_sdk", "aiohttp", "adapters")
FORBIDDEN = {
    "flows": (*PLATFORM_MODULES, "storage", "aiosqlite", "bot.app", "bot.cli"),
    "storage": (*PLATFORM_MODULES, "flows", "bot.app", "bot.cli"),
    "bot": ("nio", "slack_bolt", "slack_sdk"),
}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_what_it_must_not(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        for name in imports(path):
            for banned in FORBIDDEN[package]:
                assert not (name == banned or name.startswith(banned + ".")), (
                    f"{path.relative_to(ROOT)} imports {name}")


def test_flows_never_build_a_machine_per_conversation() -> None:
    engine = (ROOT / "flows" / "engine.py").read_text()
    assert engine.count("Machine(") == 1 and "class CompiledFlow" in engine
