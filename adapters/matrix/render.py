"""Replies as Matrix message content.

Every reply is an ``m.notice`` (so other bots do not answer it) with a plain ``body`` and a
``formatted_body`` in HTML. Everything a person wrote is escaped, and mentions are defused:
``@room`` gets an invisible word joiner, and ``m.mentions`` is empty, so no reply pings anyone.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.core.types import OutgoingMessage
from bot.core.words import say

WORD_JOINER = "\u2060"
_ROOM_MENTION = re.compile(r"@(room)\b", re.IGNORECASE)


def defuse(text: str) -> str:
    """``@room`` that cannot notify a room."""
    return _ROOM_MENTION.sub(f"@{WORD_JOINER}\\1", text)


def plain(reply: OutgoingMessage) -> str:
    lines = [reply.text]
    if reply.choices and not reply.commands:
        lines += ["", *(f"{n}. {c.label}" for n, c in enumerate(reply.choices, start=1))]
        lines.append(_hint(reply))
    return defuse("\n".join(lines))


def formatted(reply: OutgoingMessage) -> str:
    body = html.escape(defuse(reply.text)).replace("\n", "<br>")
    if not reply.choices or reply.commands:
        return body
    items = "".join(f"<li>{html.escape(defuse(c.label))}</li>" for c in reply.choices)
    return f"{body}<ol>{items}</ol><em>{html.escape(_hint(reply))}</em>"


def _hint(reply: OutgoingMessage) -> str:
    return say("matrix.hint.several" if reply.multiple else "matrix.hint.one")


def content_for(reply: OutgoingMessage) -> dict[str, Any]:
    return {
        "msgtype": "m.notice",
        "body": plain(reply),
        "format": "org.matrix.custom.html",
        "formatted_body": formatted(reply),
        "m.mentions": {},
    }

