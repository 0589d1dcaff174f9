"""What adapters offer the rest of the bot besides answering: sending to a room unprompted,
and posting a digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core.types import OutgoingMessage

Sender = Callable[[OutgoingMessage], Awaitable[object]]
"""Send one message to the room it names (a storyteller's chat, a moderators' room)."""


@dataclass(frozen=True)
class Post:
    """A digest ready for one room: words for people and for clients, and its attachments."""

    digest_id: int
    text: str
    html: str
    chart: bytes
    """A PNG."""
    full_list: str
    """Markdown: every story in the digest, redacted."""


class Publisher(Protocol):
    async def __call__(self, room_id: str, post: Post) -> str:
        """Post the digest; return the platform's id for it once it has confirmed."""


class Tally(Protocol):
    """What the bot counts for its operators, as it happens (``bot/metrics.py`` shows it to
    Prometheus). Labels stay few: a platform's name, a concern's name."""

    def handled(self, platform: str) -> None:
        """A message was given to the bot."""

    def failed(self, platform: str) -> None:
        """Handling a message raised an error (the person got an apology)."""

    def alerted(self, concern: str) -> None:
        """A safeguarding alert was raised."""

    def posted_digest(self, platform: str) -> None:
        """An approved digest was posted in one staff room, and the platform confirmed it."""


class NoTally:
    """Counts nothing: the App and its desks without metrics (tests, the terminal)."""

    def handled(self, platform: str) -> None:
        return None

    def failed(self, platform: str) -> None:
        return None

    def alerted(self, concern: str) -> None:
        return None

    def posted_digest(self, platform: str) -> None:
        return None
