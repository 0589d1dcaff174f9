"""What a reply is read against: the question's kind, its choices, and what "yes", "no",
"later" and "start again" mean there. Built once per step, shared by every reader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.types import Choice
from flows.answers import normalise
from flows.spec import AnswerKind
from flows.wording import contains, phrases


@dataclass(frozen=True)
class Asked:
    """What a reply is read against: the question's kind and choices, and what "yes", "no"
    and "nothing tried" mean there."""

    kind: AnswerKind
    choices: tuple[Choice, ...] = ()
    yes: str | None = None
    no: str | None = None
    nothing_tried: bool = False
    """"Nobody" and "not yet" are answers here (has anyone tried? who tried it?)."""
    who_tried: bool = False
    """The choices are who tried it: people and organisations map onto them."""
    roles: bool = False
    """The choices are roles: "staff nurse" or "carer" map onto them."""
    later: str | None = None
    """The choice that "later", "not now" and "I need to stop" pick here."""
    again: str | None = None
    """The choice that "start again" picks here."""
    yes_is_answer: bool = False
    """A plain "yes" answers this open question (keeping what the person opened with)."""
    optional: bool = False
    """The question may be left: a plain "nah" to it is a no, not an answer to keep."""
    ok_is_yes: bool = True
    """A bare "ok" (``words.acknowledged``) says yes here; where it does not, it is unclear."""
    names: bool = False
    """The answer is the name to show for the person ("Sam, ward 7")."""

    @property
    def skip_is_no(self) -> bool:
        """The "no" choice is to skip something ("No, skip them"): "skip" picks it."""
        label = next((c.label for c in self.choices if c.value == self.no), "")
        return contains(normalise(label), phrases("words.control.skip"))


def asked_at(kind: AnswerKind, choices: tuple[Choice, ...], yes: str | None = None,
             no: str | None = None, hints: Sequence[str] = (), later: str | None = None,
             again: str | None = None, yes_is_answer: bool = False,
             optional: bool = False, ok_is_yes: bool = True) -> Asked:
    """What a step (or one of the bot's own questions) asks, for :func:`understand`."""
    return Asked(kind, choices, yes, no, "nothing_tried" in hints, "who_tried" in hints,
                 "roles" in hints, later, again, yes_is_answer, optional, ok_is_yes,
                 "names" in hints)
