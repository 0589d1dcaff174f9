"""The app manifest asks for what the code needs, derived, not listed by hand: the Web API
methods the adapter calls (found in its source, resolved to API methods through slack_sdk's
own client) and the scopes Slack's reference says they need; the events and slash commands
the adapter listens for, and theirs. The stand-in refuses calls the manifest does not allow
(tests/slack/scopes.py), so the whole tests/slack run checks the same thing at run time."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.scopes import (
    APP_TOKEN_METHODS,
    COMMANDS_SCOPE,
    EVENT_SCOPES,
    MANIFEST_PATH,
    SCOPES,
    manifest_bot_scopes,
    manifest_list,
    refusal,
)

ADAPTERS = sorted((Path(__file__).parents[2] / "adapters").glob("slack*.py"))
MANIFEST = MANIFEST_PATH.read_text()
BOLT_CALLS_ITSELF = {"auth.test"}
"""bolt's authorization middleware calls auth.test before the first listener."""
EVENT_SUBSCRIPTION = {"app_mention": "app_mention", "message": "message.im"}
"""What each event listener needs subscribed: the bot reads messages only in its DMs."""


_FIND_CALLS = """
import ast, json, sys
names = set()
for path in sys.argv[1:]:
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "client" and \\
                    isinstance(owner.value, ast.Name) and owner.value.id == "self":
                names.add(node.func.attr)
print(json.dumps(sorted(names)))
"""


@cache
def client_calls() -> frozenset[str]:
    """Every ``self.client.<method>(...)`` call in the Slack adapter's modules (the Web API
    client with the bot token; Socket Mode's own client uses the app-level token). Parsed in
    a fresh interpreter, as tests/word_scan.py explains: CPython 3.11's ast module can raise
    SystemError in a process that has run much async code."""
    found = subprocess.run([sys.executable, "-c", _FIND_CALLS, *map(str, ADAPTERS)],
                           capture_output=True, text=True, check=True)
    return frozenset(json.loads(found.stdout))


@cache
def api_methods(name: str) -> frozenset[str]:
    """The Web API methods a slack_sdk client method calls (files_upload_v2 calls two)."""
    source = inspect.getsource(getattr(AsyncWebClient, name))
    found = set(re.findall(r'api_call\(\s*"([\w.]+)"', source))
    for other in set(re.findall(r"self\.(\w+)\(", source)) - {name, "api_call"}:
        if other[0] != "_" and callable(getattr(AsyncWebClient, other, None)):
            found |= api_methods(other)
    return frozenset(found)


def listeners(kind: str) -> set[str]:
    """The names the adapter registers with ``bolt.<kind>("...")``."""
    source = "\n".join(path.read_text() for path in ADAPTERS)
    return set(re.findall(rf'bolt\.{kind}\("([^"]+)"\)', source))


def bot_methods() -> set[str]:
    calls = set().union(*(api_methods(name) for name in client_calls()))
    return (calls | BOLT_CALLS_ITSELF) - APP_TOKEN_METHODS


def test_the_adapter_calls_are_found_and_resolved_through_slack_sdk() -> None:
    assert {"chat_postMessage", "chat_update", "files_upload_v2"} <= client_calls()
    assert api_methods("files_upload_v2") == {"files.getUploadURLExternal",
                                              "files.completeUploadExternal"}
    assert {"chat.postMessage", "files.completeUploadExternal", "conversations.open"} <= \
        bot_methods()


def test_every_method_the_adapter_calls_is_allowed_by_the_manifest() -> None:
    scopes = manifest_bot_scopes()
    for method in sorted(bot_methods()):
        assert method in SCOPES, f"{method}: add its scopes (and page) to tests/slack/scopes.py"
        assert refusal(method, scopes) is None, f"{method} needs one of " \
            f"{SCOPES[method].any_of}; the manifest asks for {sorted(scopes)}"


def test_events_and_commands_are_subscribed_with_their_scopes() -> None:
    events = {EVENT_SUBSCRIPTION[name] for name in listeners("event")}
    assert set(manifest_list("bot_events")) == events
    assert {EVENT_SCOPES[event] for event in events} <= manifest_bot_scopes()
    assert set(re.findall(r"- command: (\S+)", MANIFEST)) == listeners("command")
    assert COMMANDS_SCOPE in manifest_bot_scopes()


def test_the_manifest_asks_for_no_scope_nothing_needs() -> None:
    scopes = manifest_bot_scopes()
    needed = {COMMANDS_SCOPE, *(EVENT_SCOPES[EVENT_SUBSCRIPTION[e]] for e in listeners("event"))}
    for method in bot_methods():
        allowing = scopes & set(SCOPES[method].any_of)
        needed |= set(sorted(allowing)[:1])
    assert scopes == needed


def test_socket_mode_interactivity_and_the_messages_tab_are_on() -> None:
    for setting in ("socket_mode_enabled: true", "messages_tab_enabled: true",
                    "messages_tab_read_only_enabled: false"):
        assert re.search(rf"^\s+{setting}$", MANIFEST, re.MULTILINE), setting
    assert re.search(r"interactivity:\n\s+is_enabled: true", MANIFEST)
