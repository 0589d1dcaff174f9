"""What applying one message produced: the conversation as it now is, the replies, and
anything for the App to do (keep a story, answer a data request, alert the moderators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.types import Conversation, OutgoingMessage, Story
from flows.answers import DataRequest


@dataclass
class Turn:
    conversation: Conversation
    replies: list[OutgoingMessage]
    story: Story | None = None
    event_id: str | None = None
    """The message being applied, remembered against each answer it gave."""
    request: DataRequest | None = None
    """Something about the person's data for the App to do (it has the store)."""
    concern: str | None = None
    """A safeguarding concern this message raised: the App alerts the moderators."""


def working_copy(conv: Conversation, now: datetime) -> Conversation:
    """A copy to change freely: answers are replaced, never mutated in place, so one level
    of copying is enough."""
    return conv.model_copy(update={"answers": dict(conv.answers), "history": list(conv.history),
                                   "updated_at": now})
