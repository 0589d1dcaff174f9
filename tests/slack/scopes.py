"""Which bot scopes each Slack Web API method needs, from Slack's own method reference, and
the scopes our app asks for, read from ``slack-app-manifest.yml``.

The stand-in refuses a call whose scopes the token lacks, exactly as Slack does
(``{"ok": false, "error": "missing_scope", "needed": ..., "provided": ...}``), with the
token's scopes taken from the manifest: a manifest that forgets a scope the code needs fails
the tests instead of failing in a real workspace.

``SCOPES`` maps a method to the scopes that allow it; any one of them is enough (Slack lists
several for ``conversations.open``: one per kind of conversation). An empty tuple means the
method needs no scope. Each entry cites its page in Slack's method reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MANIFEST_PATH: Final = Path(__file__).parents[2] / "slack-app-manifest.yml"
DOCS: Final = "https://docs.slack.dev/reference/methods/"


@dataclass(frozen=True)
class Method:
    any_of: tuple[str, ...]
    """Bot scopes, any one of which allows the method (empty: none needed)."""
    reference: str


SCOPES: Final[dict[str, Method]] = {
    # "Scopes: none required" on its page; bolt calls it before the first listener.
    "auth.test": Method((), DOCS + "auth.test"),
    # App-level token (xapp-) with connections:write; never a bot token (see below).
    "apps.connections.open": Method((), DOCS + "apps.connections.open"),
    "chat.postMessage": Method(("chat:write",), DOCS + "chat.postMessage"),
    "chat.update": Method(("chat:write",), DOCS + "chat.update"),
    "chat.postEphemeral": Method(("chat:write",), DOCS + "chat.postEphemeral"),
    # "required scopes depend on the type of channel-like object": a 1:1 DM needs im:write.
    "conversations.open": Method(("im:write", "mpim:write", "channels:manage", "groups:write"),
                                 DOCS + "conversations.open"),
    "usergroups.users.list": Method(("usergroups:read",), DOCS + "usergroups.users.list"),
    # files_upload_v2 = files.getUploadURLExternal, a POST of the bytes, then
    # files.completeUploadExternal; both methods need files:write.
    "files.getUploadURLExternal": Method(("files:write",), DOCS + "files.getUploadURLExternal"),
    "files.completeUploadExternal": Method(("files:write",),
                                           DOCS + "files.completeUploadExternal"),
    "users.info": Method(("users:read",), DOCS + "users.info"),
    "views.open": Method((), DOCS + "views.open"),
    "views.publish": Method((), DOCS + "views.publish"),
}
"""Every method the stand-in answers. A method missing here is refused by the stand-in."""

APP_TOKEN_METHODS: Final = frozenset({"apps.connections.open"})
"""Called with the app-level token (scope ``connections:write``, made by hand, not by the
manifest), so the bot scopes do not apply."""

EVENT_SCOPES: Final = {
    # https://docs.slack.dev/reference/events/app_mention
    "app_mention": "app_mentions:read",
    # https://docs.slack.dev/reference/events/message.im
    "message.im": "im:history",
}
"""The scope each event subscription needs."""

COMMANDS_SCOPE: Final = "commands"
"""Slash commands need the ``commands`` scope (https://docs.slack.dev/reference/scopes/commands)."""


def manifest_list(key: str, text: str | None = None) -> list[str]:
    """The ``- item`` lines under ``key:`` in the manifest (comments skipped)."""
    text = MANIFEST_PATH.read_text() if text is None else text
    block = re.search(rf"^(\s*){re.escape(key)}:\n((?:\1\s+(?:- .*|#.*)\n)+)", text,
                      re.MULTILINE)
    if block is None:
        return []
    return re.findall(r"^\s+- (?:command: )?([^\s#]+)", block.group(2), re.MULTILINE)


def manifest_bot_scopes() -> frozenset[str]:
    """The bot token's scopes, as the manifest asks for them."""
    return frozenset(manifest_list("bot"))


def refusal(method: str, scopes: frozenset[str]) -> dict[str, object] | None:
    """Slack's answer to ``method`` called by a token with ``scopes``; None if allowed."""
    entry = SCOPES.get(method)
    if entry is None:
        return {"ok": False, "error": "unknown_method"}
    if method in APP_TOKEN_METHODS or not entry.any_of or scopes & set(entry.any_of):
        return None
    return {"ok": False, "error": "missing_scope", "needed": ",".join(entry.any_of),
            "provided": ",".join(sorted(scopes))}
