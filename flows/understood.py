"""What reading a reply gives, and what the readers share.

A reply is read as one :class:`Reading` (with a value, for a choice): see
``flows/understanding.py`` for the order the readers are tried in. Here too are the lengths
the readers measure replies by, a reply's first clause, and the few words several of them
look for (a firm yes or no, a hesitation, a pronoun). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flows.answers import Control
from flows.asked import Asked
from flows.wording import plain

PHRASED = 8
"""A reply of at most this many words can be an always-on word said in other words."""
SHORT = 12
"""A reply of at most this many words can be a question about the bot rather than a story."""
PRONOUNS = frozenset({"you", "u", "i", "it", "this", "that", "my", "we", "they", "there",
                      "anyone", "someone", "he", "she"})
FIRM_NO = frozenset({"no", "nah", "nope", "na"})
"""A reply that opens with one of these is a no, however it goes on."""
FIRM_YES = frozenset({"yes", "yeah", "yep", "yup", "yea", "yeh", "ok", "okay", "sure", "yh",
                      "ye", "ya"})
"""A short reply that opens with one of these says yes, whatever else it mentions."""
HESITATION = frozenset({"hmm", "hmmm", "umm", "um", "erm", "er", "uh", "uhh", "mmm", "hm", "wow"})


class Reading(StrEnum):
    ANSWER = "answer"
    CHOICE = "choice"
    NONE = "none"
    NOTHING_TRIED = "nothing_tried"
    DONT_KNOW = "dont_know"
    SKIP = "skip"
    PAUSE = "pause"
    BACK = "back"
    HELP = "help"
    STATUS = "status"
    RESTART = "restart"
    QUESTION = "question"
    GREETING = "greeting"
    COMPLAINT = "complaint"
    UNCLEAR = "unclear"


CONTROLS = {Reading.SKIP: Control.SKIP, Reading.PAUSE: Control.PAUSE, Reading.BACK: Control.BACK,
            Reading.HELP: Control.HELP, Reading.STATUS: Control.STATUS,
            Reading.RESTART: Control.RESTART}
"""Readings that are the always-on words."""
CONTROL_READINGS = {control: reading for reading, control in CONTROLS.items()}
"""The reading of each always-on word."""
ANSWERS = frozenset({Reading.ANSWER, Reading.CHOICE, Reading.NONE, Reading.NOTHING_TRIED})
"""Readings that answer the question asked."""
NOT_ANSWERS = frozenset(Reading) - ANSWERS


@dataclass(frozen=True)
class Understood:
    reading: Reading
    value: Any = None
    """The choice's value (a list at a question where several may be picked)."""


Reader = Callable[[str, str, "Asked"], "Understood | None"]
"""One way of reading a reply: (said, as typed, the question) to a reading, or None."""


def first_clause(text: str) -> str:
    """What a reply says before its first full stop, comma or dash ("Not yet. Everyone...")."""
    return plain(re.split(r"[.,;!?\n]|\s-\s", text.strip(), maxsplit=1)[0])
