"""How a flow is declared: steps (one question each) and the transitions between them.

A flow is data. Each :class:`Step` names the state, the prompt to show, how to read the answer
and where to keep it. Transitions are ``transitions``' own config dicts on a single trigger,
``answer``; their guards are plain functions of the answers so far. The engine compiles each
spec into one ``transitions.Machine`` at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.types import Choice

Answers = dict[str, Any]
SOURCES = "_from"
"""Answers key: which event gave each answer, so a deleted message takes its answer along."""
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


@dataclass(frozen=True)
class FlowSpec:
    name: str
    steps: tuple[Step, ...]
    transitions: tuple[Mapping[str, Any], ...]
    initial: str
    finished: str = "done"
    declined: str = "declined"
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
