"""The flow's words, read from the word catalogue (``bot/core/words.py``), for code written
before the catalogue: new code calls ``bot.core.words.say`` and ``words`` directly.

``PROMPTS`` is every message of the English catalogue by key (``story.welcome``, ``consent``,
``review.nothing``, ...; plural entries, which need a count, are left out). ``CHOICE_LABELS``
is every ``choice.*`` entry by the value it labels (``start``, ``my team``). Both are
read-only. ``say`` fills placeholders as it always has: a missing value is left empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.core.words import ENGLISH, catalogue

CONSENT_WORDING_VERSION = "2026-11-v2"
"""Bump it when the consent wording (``consent``, ``consent_more``) changes its meaning."""


class CatalogueView(Mapping[str, str]):
    """The messages whose keys start with ``prefix``, by the rest of their key, unfilled."""

    def __init__(self, prefix: str, locale: str = ENGLISH) -> None:
        self.prefix, self.locale = prefix, locale

    def __getitem__(self, name: str) -> str:
        entry = catalogue(self.locale).entries.get(self.prefix + name)
        if entry is None or entry.plural:
            raise KeyError(name)
        return catalogue(self.locale).text(entry.key)

    def __iter__(self) -> Iterator[str]:
        entries = catalogue(self.locale).entries
        return (key.removeprefix(self.prefix) for key, entry in entries.items()
                if key.startswith(self.prefix) and not entry.plural)

    def __len__(self) -> int:
        return sum(1 for _ in self)


PROMPTS: Mapping[str, str] = CatalogueView("")
CHOICE_LABELS: Mapping[str, str] = CatalogueView("choice.")


def say(key: str, locale: str = ENGLISH, **values: object) -> str:
    """The words for ``key`` in ``locale``, with its placeholders filled."""
    words = CatalogueView("", locale)[key]
    return words.format_map(_Blank(values)) if values else words


class _Blank(dict[str, object]):
    """Placeholders with no value are left empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
