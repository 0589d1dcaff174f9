"""The terminal adapter: one person typing, storyloop answering.

At a terminal the person types at a prompt (prompt_toolkit's): Enter sends, Alt-Enter starts
a new line, a pasted story keeps its lines and goes as one answer, and Ctrl-C or Ctrl-D leaves
at once. A script piped in is read line by line instead, each line echoed. Each answer becomes
an :class:`IncomingMessage`; the replies are printed with their choices numbered.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import textwrap
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from bot.core.types import (
    EventId,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
    Platform,
    RoomId,
    UserId,
)

PLATFORM = Platform("terminal")
PROMPT = "> "
Handler = Callable[[IncomingMessage], Awaitable[list[OutgoingMessage]]]
Reader = Callable[[], Awaitable[str | None]]
"""The next answer the person sent, or None once they have left."""
_MARKER = re.compile(r"\s*(?:(?:\u2022|-|\d+\.)\s+)?")
"""A line's indent and list marker, if it has them."""


def render(reply: OutgoingMessage) -> str:
    """A reply as plain text, its choices as a numbered list."""
    lines = [reply.text]
    if reply.choices:
        lines.append("")
        lines += [f"  {n}. {c.label}" for n, c in enumerate(reply.choices, start=1)]
    return "\n".join(lines)


def wrap(text: str, width: int | None) -> str:
    """``text`` with each line broken between words to fit ``width`` columns (None: as it
    is), so a terminal never splits a word."""
    if width is None:
        return text
    return "\n".join(textwrap.fill(line, width, subsequent_indent=_indent(line),
                                    break_long_words=False, break_on_hyphens=False) or line
                      for line in text.split("\n"))


def fit(text: str) -> str:
    """``text`` wrapped to the width of the terminal on standard output."""
    return wrap(text, shutil.get_terminal_size().columns - 1)


def _indent(line: str) -> str:
    """Spaces as wide as the line's indent and list marker (``  1. ``, ``• ``), so a wrapped
    choice or bullet hangs under its own text."""
    marker = _MARKER.match(line)
    return " " * (marker.end() if marker else 0)


class Keyboard:
    """A person at a terminal. Enter sends what is typed and Alt-Enter starts a new line; a
    bracketed paste is inserted with its newlines, so a story pasted in several lines is one
    answer. Ctrl-C and Ctrl-D leave, whatever is typed."""

    def __init__(self) -> None:
        self._session: PromptSession[str] = PromptSession(
            key_bindings=_keys(), prompt_continuation=" " * len(PROMPT))

    async def read(self) -> str | None:
        try:
            return await self._session.prompt_async(PROMPT)
        except (KeyboardInterrupt, EOFError):
            return None


def _keys() -> KeyBindings:
    """Alt-Enter (Esc, Enter) starts a new line; Ctrl-D leaves even after some typing
    (prompt_toolkit's own Ctrl-D only on an empty line)."""
    keys = KeyBindings()

    @keys.add("escape", "enter")
    def _new_line(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    @keys.add("c-d")
    def _leave(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError, style="class:exiting")

    return keys


class Script:
    """Lines from a stream that is not a terminal (a script piped in), each echoed as if typed;
    blank lines are skipped."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self._stdin, self._stdout = stdin, stdout

    async def read(self) -> str | None:
        while line := await asyncio.to_thread(self._stdin.readline):
            if line.strip():
                self._stdout.write(f"{PROMPT}{line.rstrip()}\n\n")
                return line
        return None


class Terminal:
    def __init__(self, handle: Handler, person: str, read: Reader, stdout: TextIO, *,
                 interactive: bool) -> None:
        self._handle, self._read, self._stdout = handle, read, stdout
        self._person = UserId(person)
        self._interactive = interactive

    async def run(self) -> None:
        """Talk until the person leaves. At a terminal, first tell the bot they are here, so it
        greets a newcomer or shows someone where they were before they type anything."""
        if self._interactive:
            await self._send("", MessageKind.JOINED)
        while (text := await self._read()) is not None:
            if text.strip():
                await self._send(text.strip())

    async def _send(self, text: str, kind: MessageKind = MessageKind.MESSAGE) -> None:
        replies = await self._handle(self._message(text, kind))
        if self._interactive and kind is MessageKind.MESSAGE:
            self._stdout.write("\n")
        for reply in map(render, replies):
            self._stdout.write(f"{fit(reply) if self._interactive else reply}\n\n")
        self._stdout.flush()

    def _message(self, text: str, kind: MessageKind) -> IncomingMessage:
        return IncomingMessage(
            platform=PLATFORM, room_id=RoomId("terminal"), sender_id=self._person,
            event_id=EventId(uuid.uuid4().hex), text=text, kind=kind, is_direct=True,
            timestamp=datetime.now(UTC))
