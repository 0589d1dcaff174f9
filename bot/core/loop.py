"""Closing the loop: what a service answers to a story, and what changed because of it.

A :class:`Response` is a service's answer to one story, written by a moderator or by a
responder named in the config for the story's service or theme; it is redacted before it is
kept. A :class:`StoryChange` records what changed because of a story: planned, made, or not
taken forward. Changes are append-only: a later change is a new entry, never an edit.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class Response(BaseModel):
    """A service's answer to a story, redacted (``flows.redaction``)."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    story_id: int
    at: AwareDatetime
    by: str
    """Who wrote it, as the audit log names them (``matrix:@pals:example.org``)."""
    signed: str
    """Who it is from, as the teller and staff read it (a responder's name in the config)."""
    text: str
    relayed: bool = False
    """Whether it was sent to the teller (they had agreed to be contacted)."""


class ChangeStatus(StrEnum):
    PLANNED = "planned"
    MADE = "made"
    NOT_TAKEN_FORWARD = "not taken forward"

    @classmethod
    def parse(cls, word: str) -> ChangeStatus | None:
        """``made``, ``planned``, ``not-taken-forward`` (or with spaces); None otherwise."""
        wanted = " ".join(word.casefold().replace("-", " ").replace("_", " ").split())
        return next((status for status in cls if status.value == wanted), None)


class StoryChange(BaseModel):
    """One entry of what changed because of a story, redacted; never edited once kept."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    story_id: int
    at: AwareDatetime
    by: str
    status: ChangeStatus
    what: str
