"""Reading what people type: choices by number or words, themes, and the always-on commands."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

from bot.core.types import Choice
from bot.core.words import words
from flows.prompts import CHOICE_LABELS

_PUNCTUATION = re.compile(r"[^\w\s'-]+")
_THEME_SPLIT = re.compile(r",|;|\band\b|\n")
MAX_THEME_LENGTH = 40


class DataRequest(StrEnum):
    """A person asking about what storyloop keeps of theirs."""

    MY_STORIES = "my_stories"
    EXPORT = "export"
    FORGET = "forget"
    STOP_FOLLOW_UPS = "stop_follow_ups"


class Control(StrEnum):
    """Words that work at any point of a conversation."""

    HELP = "help"
    BACK = "back"
    SKIP = "skip"
    PAUSE = "pause"
    RESTART = "restart"
    STATUS = "status"


_CONTROL_WORDS = {word: control for control in Control
                  for word in words(f"words.control.{control.value}")}


def choice(value: str) -> Choice:
    """A quick answer, labelled in the catalogue's words, with the other words people use
    for it (``choice.<value>`` and ``words.choice.<value>``)."""
    return Choice(value=value, label=CHOICE_LABELS[value], aliases=words(f"words.choice.{value}"))


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower case, single spaces, no surrounding punctuation: for matching, never for storing.
    (Pure, so remembered: the same few answers and choice labels come again and again.)"""
    if text.strip() == "?":
        return "?"
    cleaned = _PUNCTUATION.sub(" ", text.replace("\u2019", "'").casefold())
    return " ".join(cleaned.split())


def as_control(text: str) -> Control | None:
    """The command a message is, if it is only a command word (``!help`` and ``/help`` too)."""
    return _CONTROL_WORDS.get(normalise(text.lstrip("!/")))


def match_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice a person meant, by its number ("2", "2.") or its words."""
    said = normalise(text)
    if said.isdigit():
        index = int(said) - 1
        return choices[index] if 0 <= index < len(choices) else None
    for choice in choices:
        if said in _names(choice):
            return choice
    starting = [c for c in choices if any(n.startswith(said) for n in _names(c))]
    return starting[0] if len(said) >= 3 and len(starting) == 1 else None


@lru_cache(maxsize=1024)
def _names(choice: Choice) -> frozenset[str]:
    return frozenset({normalise(choice.label), normalise(choice.value),
                      *map(normalise, choice.aliases)})


def read_themes(text: str, themes: Sequence[str]) -> list[str]:
    """Themes picked by number or name; anything else is the person's own theme, kept."""
    picked: list[str] = []
    for part in _THEME_SPLIT.split(text):
        for token in _expand_numbers(part.strip()):
            theme = _one_theme(token, themes)
            if theme and theme not in picked:
                picked.append(theme)
    return picked


def _expand_numbers(part: str) -> list[str]:
    words = part.split()
    if words and all(w.rstrip(".").isdigit() for w in words):
        return words
    if len(words) >= 2 and words[0].isdigit() and not words[1].isdigit():
        return [words[0], " ".join(words[1:])]  # "2 waiting": the number, then its words
    return [part]


def _one_theme(token: str, themes: Sequence[str]) -> str | None:
    said = normalise(token)
    if not said:
        return None
    if said.isdigit():
        index = int(said) - 1
        return themes[index] if 0 <= index < len(themes) else None
    for theme in themes:
        if normalise(theme) == said:
            return theme
    return token.strip()[:MAX_THEME_LENGTH]


NONE_WORDS = frozenset(words("words.none"))


def read_picks(text: str, choices: Sequence[Choice]) -> list[str] | None:
    """Values of the choices picked ("1, 3", "quote and contact"); [] for none; None if any
    part was not understood."""
    if normalise(text) in NONE_WORDS:
        return []
    picked: list[str] = []
    for part in _THEME_SPLIT.split(text):
        for token in _expand_numbers(part.strip()):
            if not normalise(token):
                continue
            choice = match_choice(token, choices)
            if choice is None:
                return None
            if choice.value not in picked:
                picked.append(choice.value)
    return picked


def as_data_request(text: str) -> DataRequest | None:
    """The data request a message is, if it is only one ("forget me", "!my stories")."""
    said = normalise(text.lstrip("!/"))
    for request, said_so in _DATA_WORDS.items():
        if said in said_so:
            return request
    return None


_DATA_WORDS = {request: frozenset(words(f"words.data.{request.value}"))
               for request in DataRequest}
