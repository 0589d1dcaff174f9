"""The terminal adapter: one person typing, storyloop answering.

It reads lines from a text stream (the keyboard, or a script piped in), turns each into an
:class:`IncomingMessage`, and prints the replies with their choices numbered.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.core.types import EventId, IncomingMessage, OutgoingMessage, Platform, RoomId, UserId

PLATFORM = Platform("terminal")
Handler = Callable[[IncomingMessage], Awaitable[list[OutgoingMessage]]]


def render(reply: OutgoingMessage) -> str:
    """A reply as plain text, its choices as a numbered list."""
    lines = [reply.text]
    if reply.choices:
        lines.append("")
        lines += [f"  {n}. {c.label}" for n, c in enumerate(reply.choices, start=1)]
    return "\n".join(lines)


class Terminal:
    def __init__(self, handle: Handler, person: str, stdin: TextIO, stdout: TextIO,
                 echo: bool) -> None:
        self._handle = handle
        self._person = UserId(person)
        self._stdin, self._stdout, self._echo = stdin, stdout, echo

    async def run(self) -> None:
        """Talk until the input ends (Ctrl-D, or the end of a script)."""
        while (line := await self._read_line()) is not None:
            if not line.strip():
                continue
            if self._echo:
                self._write(f"> {line}")
            for reply in await self._handle(self._message(line)):
                self._write(render(reply))

    async def _read_line(self) -> str | None:
        if not self._echo:
            self._stdout.write("> ")
            self._stdout.flush()
        line = await asyncio.to_thread(self._stdin.readline)
        return line.rstrip("\n") if line else None

    def _message(self, line: str) -> IncomingMessage:
        return IncomingMessage(
            platform=PLATFORM, room_id=RoomId("terminal"),
            sender_id=self._person, event_id=EventId(uuid.uuid4().hex), text=line,
            is_direct=True, timestamp=datetime.now(UTC))

    def _write(self, text: str) -> None:
        self._stdout.write(f"{text}\n\n")
        self._stdout.flush()
