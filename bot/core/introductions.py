"""Introductions: people who tried similar things, connected only when both agree.

A teller says, as they finish their story, whether they would be happy to be introduced to
someone who tried something similar (``Consent.introduce``). Moderators see the pairs of such
stories that share a theme and may propose an :class:`Introduction` of two of them. Each
teller is then asked privately, and writes a line to pass on if they say yes. Only when both
have said yes does each receive the other's line; a "no" from either reveals nothing. The
lines are erased once passed on, and "forget me" withdraws every introduction of the person.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from bot.core.types import Platform, UserId


class Answer(StrEnum):
    WAITING = "waiting"
    """Not yet asked (waits until the person is free, outside quiet hours)."""
    ASKED = "asked"
    YES = "yes"
    NO = "no"


class IntroductionState(StrEnum):
    PROPOSED = "proposed"
    """A moderator proposed it; not everyone has answered yes yet."""
    MADE = "made"
    """Both said yes: each was given the other's line."""
    DECLINED = "declined"
    """One side said no: nothing was passed on."""
    WITHDRAWN = "withdrawn"
    """One side was forgotten (or their story retired) before it was made."""


class Side(BaseModel):
    """One teller's part in an introduction: their story, their answer, their line."""

    model_config = ConfigDict(frozen=True)

    story_id: int
    platform: Platform
    participant: UserId
    answer: Answer = Answer.WAITING
    line: str | None = None
    """What they chose to pass on, exactly as written; erased once passed on or not needed."""
    asked_at: AwareDatetime | None = None


class Introduction(BaseModel):
    """Two tellers a moderator proposed to introduce (fewer sides once one is forgotten)."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    at: AwareDatetime
    by: str
    """The moderator who proposed it, as the audit log names them."""
    state: IntroductionState = IntroductionState.PROPOSED
    sides: tuple[Side, ...]

    def side_of(self, platform: Platform, participant: UserId) -> Side | None:
        return next((s for s in self.sides
                     if (s.platform, s.participant) == (platform, participant)), None)

    def other(self, side: Side) -> Side | None:
        return next((s for s in self.sides if s.story_id != side.story_id), None)

    def with_side(self, side: Side) -> Introduction:
        return self.model_copy(update={"sides": tuple(
            side if s.story_id == side.story_id else s for s in self.sides)})
