"""The catalogue's words as people type them: phrase sets, whole-word matching, and
``said=meant`` pairs. Shared by the readers (:mod:`flows.understanding` and the
``flows/read_*.py`` modules it tries in turn) and :mod:`flows.typed`. Pure: no I/O."""

from __future__ import annotations

import re
from functools import cache

from bot.core.words import words
from flows.answers import normalise


def plain(text: str) -> str:
    return normalise(text.replace("\n", " ")) or text.strip()


def opens_with(said: str, phrases: frozenset[str], longest: int) -> bool:
    """Does ``said`` open with one of ``phrases`` and stay short (at most ``longest`` words)?"""
    words_said = said.split()
    if len(words_said) > longest:
        return False
    return any(" ".join(words_said[:n]) in phrases for n in range(len(words_said), 0, -1))


def contains(said: str, phrases: frozenset[str]) -> bool:
    return bool(phrases) and pattern(phrases).search(said) is not None


@cache
def pattern(phrases: frozenset[str]) -> re.Pattern[str]:
    """One expression for a set of phrases, each matched as whole words (built once)."""
    longest_first = sorted((p for p in phrases if p), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, longest_first))})(?!\w)")


def contains_phrase(said: str, phrase: str) -> bool:
    return bool(phrase) and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", said) is not None


@cache
def longer(key: str, words_at_least: int) -> frozenset[str]:
    """The phrases of ``key`` of at least this many words (the specific ones)."""
    return frozenset(p for p in phrases(key) if len(p.split()) >= words_at_least)


@cache
def single(key: str) -> frozenset[str]:
    """The one-word phrases of ``key``."""
    return frozenset(p for p in phrases(key) if " " not in p)


@cache
def phrases(key: str) -> frozenset[str]:
    return frozenset(normalise(w) or w for w in words(key))


@cache
def pairs(key: str) -> tuple[tuple[str, str], ...]:
    """The ``said=meant`` pairs of ``key``, longest first."""
    pairs = (w.split("=", 1) for w in words(key) if "=" in w)
    return tuple(sorted(((a.strip(), b.strip()) for a, b in pairs), key=lambda p: -len(p[0])))


def mashed(said: str) -> bool:
    """Keys pressed at random or a stray letter ("fhfhfh", "kjkjkj", "z"), not a word: one
    token, a single letter or five letters or more without a vowel."""
    return re.fullmatch(r"[^\W\d_]", said) is not None or (
        re.fullmatch(r"[^\W\d_]{5,}", said) is not None and not re.search(r"[aeiouy]", said))
