"""Follow-ups: weeks after someone told of something tried, the bot asks how it went.

A :class:`FollowUp` is planned for each story that told of something tried (``Story.tried``)
whose teller agreed to be contacted. It is a deadline in the store, never a timer: the one
scheduler sweeps what is due. Its answers are kept as a :class:`StoryUpdate` linked to the
story, pending until a moderator approves it, like a story.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from bot.core.types import Platform, StoryStatus, UserId


class FollowUpState(StrEnum):
    WAITING = "waiting"
    """Not yet asked: due at ``due_at``."""
    ASKED = "asked"
    REMINDED = "reminded"
    """Asked, then reminded once: never reminded again."""
    ANSWERED = "answered"
    STOPPED = "stopped"
    """The teller said "stop follow-ups", or declined it."""


OPEN_STATES = (FollowUpState.WAITING, FollowUpState.ASKED, FollowUpState.REMINDED)


class FollowUp(BaseModel):
    """One follow-up of one story, for its teller (their pseudonym)."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    story_id: int
    platform: Platform
    participant: UserId
    due_at: AwareDatetime
    state: FollowUpState = FollowUpState.WAITING
    asked_at: AwareDatetime | None = None
    reminded_at: AwareDatetime | None = None


class Outcome(StrEnum):
    STILL_GOING = "still going"
    STOPPED = "stopped"
    CHANGED = "changed"


class StoryUpdate(BaseModel):
    """How an experiment went, in the teller's words, linked to their story; moderated."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    story_id: int
    follow_up_id: int
    at: AwareDatetime
    outcome: Outcome
    since: str | None = None
    """What happened since."""
    learned: str | None = None
    status: StoryStatus = StoryStatus.PENDING


_SPAN = re.compile(r"^\s*(\d+)\s*([wdh])\s*$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours"}


def parse_span(text: str) -> timedelta:
    """``"4w"``, ``"10d"``, ``"12h"`` as a time span; ValueError for anything else."""
    found = _SPAN.match(text.casefold())
    if found is None or int(found[1]) == 0:
        raise ValueError(f"{text!r} is not a time like \"4w\", \"10d\" or \"12h\"")
    return timedelta(**{_UNITS[found[2]]: int(found[1])})
