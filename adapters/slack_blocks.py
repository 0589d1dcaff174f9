"""Slack text both ways: incoming markup made plain, replies rendered as safe mrkdwn blocks.

Slack sends what people type with ``&``, ``<`` and ``>`` escaped, and mentions and links in
angle brackets (``<!channel>``, ``<@U123>``, ``<https://x|label>``); :func:`plain_text` turns
that into the words a person would read. Going out, :func:`escape` makes any text inert: a
story that contains ``<!channel>`` or ``<https://evil|click>`` cannot ping a channel or forge
a link, and ``@channel`` typed as words gets an invisible word joiner.

A reply becomes a ``text`` (for notifications: the words and a numbered list of choices) and
blocks: sections for the words, buttons for the choices, within Block Kit's limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.core.types import OutgoingMessage
from bot.core.words import say

Block = dict[str, Any]

MAX_BUTTONS = 25
"""Elements in one actions block."""
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_SECTION_TEXT = 3000
MAX_BLOCKS = 50
MAX_PAGE_TEXT = 36_000
"""Characters of text in one message: a longer reply goes in several (Slack refuses a
``text`` over 40,000 characters; this leaves room for the numbered choices)."""
CHOICE_ACTION = re.compile(r"^storyloop-choice-\d+$")
COMMAND_ACTION = re.compile(r"^storyloop-command-\d+$")
WORD_JOINER = "\u2060"
MULTIPLE_HINT = say("slack.multiple_hint")
SOMEONE = say("slack.someone")

_MARKUP = re.compile(r"<([^<>]*)>")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    text: str
    blocks: list[Block]


# Incoming
def plain_text(markup: str) -> str:
    """What a person typed, from Slack's markup: links, mentions and entities made plain."""
    text = _MARKUP.sub(lambda m: _plain_markup(m.group(1)), markup)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_markup(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    if target.startswith("@"):
        return SOMEONE  # a member's id (or name) never reaches a story
    if target.startswith("#"):
        return target[0] + label.lstrip("@#") if label else target
    if not label or target.endswith(label):
        return target.removeprefix("mailto:")
    return f"{label} ({target})"


def without_mention_of(user_id: str | None, markup: str) -> str:
    """``<@BOT> hello`` -> ``hello``: the mention that addressed the bot is not the message."""
    if not user_id:
        return markup
    return re.sub(rf"^\s*<@{re.escape(user_id)}(?:\|[^>]*)?>[\s:,]*", "", markup, count=1)


# Outgoing
def escape(text: str) -> str:
    """Text that Slack shows as it is: no mentions, no links, no broadcasts."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(f"@{WORD_JOINER}\\1", text)


def render(reply: OutgoingMessage) -> list[Rendered]:
    """A reply as one message, or as several when it is longer than one may be (50 blocks,
    ``MAX_PAGE_TEXT`` characters): its words in order, its buttons on the last."""
    tail = _buttons(reply) + ([_context(MULTIPLE_HINT)] if reply.choices and reply.multiple
                              else [])
    pages = _pages(split_text(escape(reply.text)), len(tail))
    if len(pages) == 1:
        return [Rendered(fallback_text(reply), [*map(_section, pages[0]), *tail])]
    rendered = [Rendered("\n".join(page), [*map(_section, page)]) for page in pages[:-1]]
    last = pages[-1]
    text = "\n".join([*last, *map(escape, _numbered(reply))])
    return [*rendered, Rendered(text, [*map(_section, last), *tail])]


def _pages(sections: list[str], tail: int) -> list[list[str]]:
    """Sections in messages of at most 50 blocks and MAX_PAGE_TEXT characters, the last
    leaving room for ``tail`` more blocks (the buttons)."""
    pages: list[list[str]] = [[]]
    size = 0
    for piece in sections:
        if pages[-1] and (len(pages[-1]) >= MAX_BLOCKS or size + len(piece) > MAX_PAGE_TEXT):
            pages.append([])
            size = 0
        pages[-1].append(piece)
        size += len(piece) + 1
    room = max(MAX_BLOCKS - tail, 1)
    if len(pages[-1]) > room:
        last = pages.pop()
        pages += [last[:-room], last[-room:]]
    return pages


def fallback_text(reply: OutgoingMessage) -> str:
    """The words and a numbered list of the choices, for notifications and old clients."""
    return escape("\n".join([reply.text, *_numbered(reply)]))


def _numbered(reply: OutgoingMessage) -> list[str]:
    if not reply.choices or reply.commands:
        return []
    return ["", *(f"{n}. {c.label}" for n, c in enumerate(reply.choices, start=1))]


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Pieces of at most ``limit`` characters, broken at a line end (or a space) if possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = _cut_point(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text or not pieces else pieces


def _cut_point(text: str, limit: int) -> int:
    for sep in ("\n", " "):
        at = text.rfind(sep, limit // 2, limit)
        if at > 0:
            return at
    amp = text.rfind("&", limit - len("&amp;"), limit)  # never split an entity
    return amp if amp > 0 and ";" not in text[amp:limit] else limit


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}


def _context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def _buttons(reply: OutgoingMessage) -> list[Block]:
    kind = "command" if reply.commands else "choice"
    buttons = [_button(n, c.label, c.value if reply.commands else c.label, kind)
               for n, c in enumerate(reply.choices)]
    rows = [{"type": "actions", "elements": buttons[i:i + MAX_BUTTONS]}
            for i in range(0, len(buttons), MAX_BUTTONS)]
    return rows[:MAX_BLOCKS - 1]


def _button(number: int, label: str, value: str, kind: str = "choice") -> Block:
    """A button showing ``label`` escaped and within 75 characters; a choice with no words
    shows (and answers with) its number, as typing the number would."""
    if not label.strip():
        label = value = str(number + 1)
    return {"type": "button", "action_id": f"storyloop-{kind}-{number}",
            "text": {"type": "plain_text", "text": _escaped_within(label, MAX_BUTTON_TEXT)},
            "value": (value or label)[:MAX_BUTTON_VALUE]}


def _escaped_within(text: str, limit: int) -> str:
    """``escape(text)``, shortened with an ellipsis (never inside an entity) to fit."""
    escaped = escape(text)
    while len(escaped) > limit and text:
        text = text[:min(len(text), limit) - 1].rstrip()
        escaped = escape(text) + "\u2026"
    return escaped


def answered(blocks: list[Block], label: str | None) -> list[Block]:
    """A question's blocks once answered: the buttons give way to the answer chosen (or just
    go, for a question that has moved on)."""
    kept = [b for b in blocks if b.get("type") not in ("actions", "context")]
    return [*kept, _context(f"\u2713 {_escaped_within(label, MAX_SECTION_TEXT)}")] if label \
        else kept


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def digest_messages(text: str) -> list[list[Block]]:
    """A digest as Block Kit: escaped, ``**headings**`` as Slack's ``*bold*``, sections of at
    most 3,000 characters, and as many messages of at most 50 blocks as it needs."""
    mrkdwn = _BOLD.sub(r"*\1*", escape(text))
    blocks = [_section(piece) for paragraph in mrkdwn.split("\n\n")
              for piece in split_text(paragraph)]
    return [blocks[i:i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)]
