"""The app manifest asks for exactly what the adapter uses: its events, commands and scopes."""

from __future__ import annotations

import re
from pathlib import Path

MANIFEST = (Path(__file__).parents[2] / "slack-app-manifest.yml").read_text()


def listed(key: str) -> set[str]:
    """The ``- item`` lines under ``key:`` (comments skipped), as in a simple YAML list."""
    block = re.search(rf"^(\s*){key}:\n((?:\1\s+(?:- .*|#.*)\n)+)", MANIFEST, re.MULTILINE)
    assert block, f"no list under {key}"
    items = re.findall(r"^\s+- (?:command: )?(\S+)", block.group(2), re.MULTILINE)
    return set(items)


def test_events_commands_and_scopes_are_exactly_the_ones_used() -> None:
    assert listed("bot_events") == {"message.im", "app_mention"}
    assert set(re.findall(r"- command: (\S+)", MANIFEST)) == {"/story", "/storyloop"}
    assert listed("bot") == {"app_mentions:read", "chat:write", "commands", "im:history",
                             "im:write", "usergroups:read"}


def test_socket_mode_interactivity_and_the_messages_tab_are_on() -> None:
    for setting in ("socket_mode_enabled: true", "messages_tab_enabled: true",
                    "messages_tab_read_only_enabled: false"):
        assert re.search(rf"^\s+{setting}$", MANIFEST, re.MULTILINE), setting
    assert re.search(r"interactivity:\n\s+is_enabled: true", MANIFEST)
