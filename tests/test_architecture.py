"""The layers hold: each part of storyloop imports only the parts below it.

    composition   bot/compose.py, bot/runner.py, bot/cli.py   (may import anything)
    operations    bot/ops.py, bot/metrics.py                  (core, storage ports, metrics)
    adapters      adapters/                                   (the App seam, core, storage ports)
    the seam      bot/app.py                                  (features, flows, storage, core)
    features      bot/features/                               (commands, flows, storage, core)
    registry      bot/commands.py                             (storage, core)
    flows, storage                                            (core only, and themselves)
    core          bot/core/                                   (nothing of ours)
    training      safeguarding_train/                         (the safeguarding model, flows)

Nothing imports the training package: the bot runs without torch.

A new module must be placed in a layer here, or this test fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
OURS = ("bot", "flows", "storage", "adapters", "safeguarding_train")
PLATFORMS = ("nio", "slack_bolt", "slack_sdk", "aiohttp", "prompt_toolkit")
EVERYTHING = ("bot", "flows", "storage", "adapters")
LAYERS: dict[str, tuple[str, ...]] = {
    "bot/core": ("bot.core",),
    "flows": ("bot.core", "flows"),
    "storage": ("bot.core", "storage"),
    "bot/commands.py": ("bot.core", "storage"),
    "bot/leading.py": ("bot.core",),
    "bot/scheduler.py": ("bot.core", "bot.leading", "storage"),
    "bot/metrics.py": ("bot.core", "storage"),
    "bot/ops.py": ("bot.core", "bot.metrics", "storage"),
    "bot/features": ("bot.core", "bot.commands", "bot.features", "flows", "storage"),
    "bot/app.py": ("bot.core", "bot.commands", "bot.features", "flows", "storage"),
    "adapters": ("bot.core", "bot.app", "bot.commands", "storage", "adapters"),
    "bot/compose.py": EVERYTHING,
    "bot/runner.py": EVERYTHING,
    "bot/cli.py": EVERYTHING,
    "bot/__init__.py": (),
    "safeguarding_train": ("bot.features.safeguarding_model", "flows", "safeguarding_train"),
}
"""What each part may import of ours (a module name, or a package and everything in it)."""
MAY_USE_PLATFORMS = ("adapters",)

# Run in a fresh interpreter: CPython 3.11.7 can leave the ast module's recursion counter
# wrong after deep async code, and then every ast.parse in that process raises SystemError
# ("AST constructor recursion depth mismatch"; fixed in 3.11.8).
WALK = """
import ast, json, sys, pathlib
root = pathlib.Path(sys.argv[1])
found = {}
for package in sys.argv[2:]:
    for path in (root / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[path.relative_to(root).as_posix()] = sorted(names)
print(json.dumps(found))
"""


def imports() -> dict[str, list[str]]:
    """Every module each of our files imports, by the file's path from the checkout."""
    result = subprocess.run([sys.executable, "-c", WALK, str(ROOT), *OURS],
                            capture_output=True, text=True, check=True, timeout=60)
    found: dict[str, list[str]] = json.loads(result.stdout)
    return found


def layer_of(path: str) -> str | None:
    """The most specific layer a file belongs to."""
    matches = [layer for layer in LAYERS if path == layer or path.startswith(layer + "/")]
    return max(matches, key=len) if matches else None


def within(name: str, allowed: tuple[str, ...]) -> bool:
    return any(name == a or name.startswith(a + ".") for a in allowed)


def breaches(found: dict[str, list[str]]) -> list[str]:
    """Each import that crosses a layer the wrong way, as ``file imports name``."""
    wrong = []
    for path, names in sorted(found.items()):
        layer = layer_of(path)
        if layer is None:
            wrong.append(f"{path} is in no layer: add it to LAYERS")
            continue
        for name in names:
            ours = name.split(".")[0] in OURS
            if (ours and not within(name, LAYERS[layer])) or (
                    within(name, PLATFORMS) and not within(layer, MAY_USE_PLATFORMS)):
                wrong.append(f"{path} imports {name}")
    return wrong


def test_every_import_goes_down_the_layers() -> None:
    assert breaches(imports()) == []


@pytest.mark.parametrize(("path", "name"), [
    ("flows/engine.py", "storage.base"),
    ("flows/engine.py", "adapters.terminal"),
    ("bot/core/types.py", "flows.spec"),
    ("storage/sqlite.py", "bot.app"),
    ("bot/features/moderation.py", "bot.app"),
    ("bot/app.py", "nio"),
    ("bot/features/new_feature.py", "slack_sdk.web"),
    ("bot/stray.py", "bot.core.types"),
    ("bot/features/safeguarding_model/screen.py", "safeguarding_train.fit"),
])
def test_a_wrong_way_import_is_caught(path: str, name: str) -> None:
    assert breaches({path: [name]}) != []


def test_flows_never_build_a_machine_per_conversation() -> None:
    """``transitions`` lives in one small module that builds one machine per flow."""
    users = [path for path, names in imports().items()
             if any(within(name, ("transitions",)) for name in names)]
    assert users == ["flows/machine.py"]
    machine = (ROOT / "flows" / "machine.py").read_text()
    assert machine.count("Machine(") == 1 and "class CompiledFlow" in machine
