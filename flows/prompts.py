"""The flow's words, read from the word catalogue (``bot/core/words.py``), for code written
before the catalogue: new code calls ``bot.core.words.say`` and ``words`` directly.

``PROMPTS`` is every message of the English catalogue by key (``story.welcome``, ``consent``,
``review.nothing``, ...; plural entries, which need a count, are left out). ``CHOICE_LABELS``
is every ``choice.*`` entry by the value it labels (``start``, ``my team``). Both are
read-only. ``say`` fills placeholders as it always has: a missing value is left empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from bot.core.words import ENGLISH, catalogue

CONSENT_WORDING_VERSION = "2026-11-v2"
"""Bump it when the consent wording (``consent``, ``consent_more``) changes its meaning."""


@cache
def texts(locale: str = ENGLISH, prefix: str = "") -> Mapping[str, str]:
    """The messages of ``locale`` whose keys start with ``prefix``, by the rest of their key,
    unfilled: read once (a catalogue does not change while the bot runs), then a dict lookup."""
    book = catalogue(locale)
    return MappingProxyType({key.removeprefix(prefix): book.text(key)
                             for key, entry in book.entries.items()
                             if key.startswith(prefix) and not entry.plural})


PROMPTS: Mapping[str, str] = texts()
CHOICE_LABELS: Mapping[str, str] = texts(prefix="choice.")


def say(key: str, locale: str = ENGLISH, **values: object) -> str:
    """The words for ``key`` in ``locale``, with its placeholders filled."""
    words = texts(locale)[key]
    return words.format_map(_Blank(values)) if values else words


class _Blank(dict[str, object]):
    """Placeholders with no value are left empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
