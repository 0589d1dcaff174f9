"""Replies as Matrix message content.

Every reply is an ``m.notice`` (so other bots do not answer it) with a plain ``body`` and a
``formatted_body`` in HTML. Everything a person wrote is escaped, and mentions are defused:
``@room`` gets an invisible word joiner, and ``m.mentions`` is empty, so no reply pings anyone.

A reply too long for one Matrix event (a long review, ``export my data``, ``!audit 500``) is
sent as several notices, cut between paragraphs or lines (``limits``): ``contents_for`` gives
the list, in order, and the choices come only with the last one. Senders send every item.
"""

from __future__ import annotations

import html
import re
from typing import Any

from adapters.matrix.limits import CONTENT_BYTES, json_bytes, split
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
    body = _html(reply.text)
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



def contents_for(reply: OutgoingMessage) -> list[dict[str, Any]]:
    """The reply as one or more message contents, each small enough for one Matrix event
    (``limits.CONTENT_BYTES``), to be sent in order. Choices are on the last one only."""
    empty = reply.model_copy(update={"text": ""})
    budget = CONTENT_BYTES - json_bytes(content_for(empty))
    texts = split(reply.text, budget, _cost)
    last = len(texts) - 1
    return [content_for(reply.model_copy(update={"text": text} if n == last else
                                         {"text": text, "choices": ()}))
            for n, text in enumerate(texts)]


def _html(text: str) -> str:
    return html.escape(defuse(text)).replace("\n", "<br>")


def _cost(text: str) -> int:
    """What ``text`` adds to a content's JSON: once plain, once as HTML."""
    return json_bytes(defuse(text)) + json_bytes(_html(text)) - 4
