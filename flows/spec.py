"""How a flow is declared: steps (one question each), the transitions between them, how a
conversation enters it, what it records at the end and whether it has a review.

A flow is data. Each :class:`Step` names the state, the prompt to show, how to read the answer
and where to keep it. Transitions are ``transitions``' own config dicts on a single trigger,
``answer``; their guards are plain functions of the answers so far. The engine compiles each
spec into one ``transitions.Machine`` at start-up (``flows/machine.py``) and knows none of a
flow's step names: what it needs to know, the spec says here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.types import Choice, Conversation, Story

Answers = dict[str, Any]
SOURCES = "_from"
"""Answers key: which event gave each answer, so a deleted message takes its answer along."""
RETURNING = "_returning"
"""Answers key: the person has told a story before (they are welcomed back, not as new)."""
ABOUT = "_about"
"""Answers key of a flow the bot started: the id of what it is about (a follow-up, an
introduction), kept when the person says no, so the answer is put to the right one."""
PARKED = "_parked"
"""Answers key of a flow the bot started for someone who had left a conversation idle: that
conversation, as it was, to be taken up again (paused) once this one ends."""
MISSES = "_misses"
"""Answers key: how many replies in a row were not understood at the question asked."""
SAID_NO = "_said_no"
"""Answers key: the fields the person answered with a plain no (shown so, not as skipped)."""
NOTHING = "_nothing"
"""Answers key: the fields the person answered with "nothing yet" (shown so, not as skipped)."""
NOT_KNOWN = "_not_known"
"""Answers key: the fields the person said they weren't sure about."""
CONCERN = "safeguarding"
"""Answers key: the safeguarding concern a conversation raised, whatever its flow."""
HELD_AT_ALERT = "_held_at_alert"
"""Answers key: what the person wrote when a safeguarding reply was sent, kept (after consent
only) so that, if the bot misread them and they carry on, it becomes their answer."""
OPENING_WORDS = 5
"""A first message at least this long is the start of a story, kept rather than ignored."""
Recorder = Callable[[Conversation, datetime], Story]
"""What a finished conversation of a flow is kept as."""
Guard = Callable[[Answers], bool]
Extractor = Callable[[Answers, Any], None]
"""Runs after an answer is recorded, to derive more fields from it (pure, no I/O)."""


class AnswerKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    THEMES = "themes"
    PICKS = "picks"
    """Several of the given choices at once (numbers or words), or none."""


@dataclass(frozen=True)
class Step:
    name: str
    kind: AnswerKind
    field: str | None = None
    """Where the answer is kept in the conversation's answers (None: not kept)."""
    optional: bool = False
    choices: tuple[Choice, ...] = ()
    review_label: str | None = None
    """Shown in the review, and offered under 'change an answer'. None: not reviewable."""
    extract: Extractor | None = None
    stamp: str | None = None
    """Answers key that records when this question was answered (consent's time, say)."""
    yes: str | None = None
    """The choice a plain "yes" (or "yeah", "👍") picks here."""
    no: str | None = None
    """The choice a plain "no" (or "nah", "👎") picks here."""
    later: str | None = None
    """The choice "later" or "not now" picks here."""
    pauses: str | None = None
    """The choice that pauses the conversation rather than answering (a follow-up's "Not
    now": the question waits, and is asked again once)."""
    variant: Callable[[Answers], str | None] | None = None
    """Words that fit what was said: a name ``v`` asks this step with ``<step>.v`` instead
    (a compliment is thanked, not pitied; a pilot that failed is asked what was learned)."""
    hints: tuple[str, ...] = ()
    """How else replies are read here: "nothing_tried" ("not yet" is an answer),
    "who_tried" (people and organisations are choices), "roles" ("staff nurse" is staff)."""


@dataclass(frozen=True)
class FlowOptions:
    """What a deployment chooses about its flows (from ``[flows]`` in the config)."""

    themes: tuple[str, ...] = ()
    reflection: bool = True


@dataclass(frozen=True)
class Entry:
    """How a conversation comes to be in this flow."""

    opens: Callable[[str], bool] | None = None
    """Whether a person's first message starts this flow. None: outbound only, started by the
    bot for a known person (``App.start_flow``)."""
    default: bool = False
    """Started by a first message no other flow claims (one flow is the default)."""
    keeps_opening: str | None = None
    """Answers key that holds a first message long enough to be the start of a story; while
    it is held, a state ``s`` is asked with the words ``s.<key>`` where there are some."""


OUTBOUND_ONLY = Entry()


@dataclass(frozen=True)
class Review:
    """The flow ends with the whole story shown back, and a way to change one answer."""

    state: str = "review"
    change: str = "change"
    shows_as: str = "story"
    """The placeholder in the review's words that the story, as others will see it, fills."""


@dataclass(frozen=True)
class FlowSpec:
    name: str
    steps: tuple[Step, ...]
    transitions: tuple[Mapping[str, Any], ...]
    initial: str
    entry: Entry = OUTBOUND_ONLY
    record: Recorder | None = None
    """Builds what is kept when the flow reaches ``finished`` (None: nothing is kept)."""
    review: Review | None = None
    finished: str = "done"
    declined: str = "declined"
    shows: tuple[str, ...] = ()
    """Answers its words show (``{themes}``), given by whoever starts it (``App.start_flow``)."""
    step_index: Mapping[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "step_index", {s.name: s for s in self.steps})

    def step(self, name: str) -> Step:
        return self.step_index[name]

    @property
    def state_names(self) -> list[str]:
        return [s.name for s in self.steps] + [self.finished, self.declined]

    @property
    def reviewable(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.review_label)


def go(source: str, dest: str, *conditions: Guard) -> dict[str, Any]:
    """One ``answer`` transition, taken when every guard holds (no guard: always)."""
    return {"trigger": "answer", "source": source, "dest": dest, "conditions": list(conditions)}


def hold_opening(answers: dict[str, Any], kept: str, text: str, event_id: str | None) -> None:
    """Hold what someone told before agreeing to it being kept, with the event it came in
    (held, not kept: the app keeps it out of the database until they agree)."""
    answers[kept] = text
    answers[SOURCES] = {**answers.get(SOURCES, {}), kept: event_id}
