"""Safeguarding: does a message suggest that someone may be at risk right now?

VOICE.md principle 8, safety over flow: when someone may be at risk, storyloop stops the story
and helps first. This module only *decides*; the runner sends :func:`signposting`, alerts the
moderators and keeps the story out of digests.

Public API
----------
- ``assess(text, rules=DEFAULT) -> Risk | None``: the first concern found, or None.
- ``signposting(rules=DEFAULT) -> str``: the reply to send at once (999, NHS 111, Samaritans
  116 123, Shout 85258), worded per deployment.
- ``load_rules(path=None) -> Rules``: read and compile a rules file; None is the packaged
  ``flows/safeguarding.toml``. ``DEFAULT`` is that file, read once at import.
- ``Concern``: suicide, self-harm, abuse (domestic, child, elder, sexual), medical emergency,
  harm to others. ``Risk.matched`` is the normalised phrase that matched: for logs and tests,
  never for channels that staff at large can see.

Approach
--------
Phrase lists and regular expressions only, kept as data in ``safeguarding.toml`` so that a
deployment's safeguarding lead can read, review and change every rule. The file's header
explains the pattern language; in short:

1. *Normalise*: NFKC, case-fold, straighten apostrophes, spell contractions out ("I'm" ->
   "i am", "can't"/"cant"/"cannot" -> "can not", "won't" -> "will not", "she's" -> "she is"),
   drop other apostrophes ("dad's" -> "dads"), "anymore" -> "any more", "no one" -> "nobody",
   "gonna" -> "going to". People in distress type fast; "im scared to go home" and
   "I\u2019m scared to go home" (curly apostrophe) read the same.
2. *Guard*: blank out service talk and idioms ("self-harm clinic", "suicide prevention
   training", "at risk of falls", "I'd kill for a coffee"). Guards blank only their own words,
   never veto a message, so a person who mentions a clinic *and* a risk is still heard.
3. *Match*: concerns are tried in file order, most urgent first (medical emergency, suicide,
   self-harm, harm to others, abuse); the first match wins.
4. *Unless*: a medical-emergency match is dropped when its clause is plainly past or training
   ("collapsed last year", "in the simulation"), since an emergency is about now.

Decisions
---------
- Safety bias. A false alarm costs one kind message and an offer to carry on; a miss can cost
  a life. When a first-person risk phrase is present, it triggers.
- Denials trigger: "I'm not suicidal, just tired of waiting" is answered with signposting.
  Someone who raises the word unprompted may be testing whether it is safe to say more, and
  the reply does not argue, it offers help and lets them carry on.
- Past abuse, self-harm and suicidal feelings trigger ("I was raped last year"); only
  emergencies need to be happening now.
- Others at risk count: "my daughter is self-harming", "her uncle touches her", "my patient
  told me he plans to kill his wife".
- Talk *about* these topics by staff or services does not: training, clinics, leaflets,
  pathways, "patients who self-harm", "a suicidal patient" in a role-play.

Limits
------
- Words, not meaning. Unusual wording, metaphor, sarcasm, misspelling beyond the common
  contractions, and languages other than English are missed; so is risk spread over several
  messages. Each message is read on its own.
- Hyperbole that looks exactly like a threat ("I could kill him", "this rota makes me want to
  die") triggers; that is the safety bias at work, not a bug.
- Guards can hide a real phrase that sits inside service wording; they are kept narrow for
  that reason and a deployment should review them first.
- Measured honestly, and it is the weak point: phrase lists catch the wording they were
  written for and miss much else. Two blind rounds (written by someone who had not seen the
  rules) scored 47% and 29% recall before any change. Fixing the rules for the first round
  (without loosening them into single words) raised the untouched second round only to 41%,
  with 4% of its look-alikes triggering. That round is kept unfixed in
  ``tests/data/safeguarding_heldout.jsonl`` and ``bench/safeguarding.py`` reports it as
  ``held_out``; the labelled set passes in full only because the rules were fixed for it.
  Review real missed messages (moderators see them) and add them to the set and the rules;
  measure on a new blind round, never on the one you tuned for.
- This is a first line, not an assessment: moderators and the people signposted to decide.

Reading the rules file is the only I/O; after that every function is pure.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from bot.core.errors import ConfigError


class Concern(StrEnum):
    """What kind of risk a message suggests."""

    SUICIDE = "suicide"
    SELF_HARM = "self-harm"
    ABUSE = "abuse"
    EMERGENCY = "medical emergency"
    HARM_TO_OTHERS = "harm to others"


@dataclass(frozen=True)
class Risk:
    """A concern found in a message. ``matched`` is normalised text: logs and tests only."""

    concern: Concern
    matched: str


@dataclass(frozen=True)
class ConcernRules:
    """One concern's compiled patterns; ``guards`` and ``unless`` may be None (none given)."""

    concern: Concern
    patterns: re.Pattern[str]
    guards: re.Pattern[str] | None
    unless: re.Pattern[str] | None


@dataclass(frozen=True)
class Rules:
    """A compiled rules file: global guards, concerns in priority order, the reply text."""

    guards: re.Pattern[str] | None
    concerns: tuple[ConcernRules, ...]
    signposting: str


_FILE = "safeguarding.toml"
_TOP_KEYS = frozenset({"signposting", "words", "guards", "concern"})
_CONCERN_KEYS = frozenset({"name", "patterns", "guards", "unless"})
_WORD = re.compile(r"(?<!\?P)<([a-z_]+)>")
_CAPITAL = re.compile(r"(?<!\\)[A-Z]")
_MAX_DEPTH = 5

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc\u0060\u00b4\u2032", "'"))
_DASHES = str.maketrans(dict.fromkeys("\u2013\u2014", " - "))
_PRONOUN_S = (
    r"he|she|it|that|there|what|who|where|here|everything|everyone|everybody|nobody|someone"
    r"|somebody|something|nothing|life"
)
_SPELLED_OUT: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bcan'?t\b|\bcannot\b", "can not"),
        (r"\bwon'?t\b", "will not"),
        (r"\bain'?t\b", "is not"),
        (r"\bshan'?t\b", "shall not"),
        (
            r"\b(do|does|did|is|was|are|were|has|have|had|could|would|should|must|need|might)"
            r"n'?t\b",
            r"\1 not",
        ),
        (r"\bi'?m\b", "i am"),
        (r"\b(i|you|we|they|who|could|would|should|might|must)'?ve\b", r"\1 have"),
        (r"\b(you|they|we)'re\b|\b(you|they)re\b", r"\1\2 are"),
        (r"'ll\b", " will"),
        (r"'d\b", " would"),
        (rf"\b({_PRONOUN_S})'s\b|\b(he|she|that|there|what)s\b", r"\1\2 is"),
        (r"'", ""),
        (r"\banymore\b", "any more"),
        (r"\bno[- ]?one\b", "nobody"),
        (r"\bgonna\b", "going to"),
        (r"\bwanna\b", "want to"),
        (r"\b(?:till|til)\b", "until"),
    )
)
_CLAUSE_BREAK = re.compile(r"[.!?;,:]|\b(?:but|now)\b")


def normalise(text: str) -> str:
    """The form every pattern is written against (see the rules file's header)."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    folded = folded.translate(_DASHES)
    for pattern, replacement in _SPELLED_OUT:
        folded = pattern.sub(replacement, folded)
    return " ".join(folded.split())


def load_rules(path: Path | None = None) -> Rules:
    """Read and compile a rules file; raises ConfigError naming the key that is wrong."""
    if path is None:
        raw = resources.files("flows").joinpath(_FILE).read_text(encoding="utf-8")
    else:
        raw = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path or _FILE), f"not valid TOML: {error}") from error
    return _compile(data)


def _find(concern: ConcernRules, text: str) -> str | None:
    for match in concern.patterns.finditer(text):
        if concern.unless is None or not concern.unless.search(_clause(text, match)):
            return match.group().strip()
    return None


def _blank(guards: re.Pattern[str] | None, text: str) -> str:
    return text if guards is None else guards.sub(lambda m: "#" * len(m.group()), text)


def _clause(text: str, match: re.Match[str]) -> str:
    """The words around a match up to the nearest . ! ? ; , : "but" or "now" each side."""
    breaks = [found.end() for found in _CLAUSE_BREAK.finditer(text, 0, match.start())]
    after = _CLAUSE_BREAK.search(text, match.end())
    return text[breaks[-1] if breaks else 0 : after.start() if after else len(text)]


def _compile(data: dict[str, Any]) -> Rules:
    _no_unknown_keys("", data, _TOP_KEYS)
    words = _table(data, "words")
    if not all(isinstance(value, str) for value in words.values()):
        raise ConfigError("words", "every entry must be a string")
    guards = _table(data, "guards")
    guard_patterns = [
        (f"guards.{name}[{index}]", pattern)
        for name in guards
        for index, pattern in enumerate(_strings(guards, name, f"guards.{name}"))
    ]
    return Rules(
        guards=_combine(guard_patterns, words),
        concerns=_concerns(data.get("concern"), words),
        signposting=_signposting(data),
    )


def _concerns(raw: Any, words: Mapping[str, str]) -> tuple[ConcernRules, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError("concern", "give one [[concern]] table for each concern")
    compiled = tuple(_concern(f"concern[{index}]", table, words) for index, table in
                     enumerate(raw))
    named = [rules.concern for rules in compiled]
    missing = [str(concern) for concern in Concern if concern not in named]
    if missing or len(set(named)) != len(named):
        raise ConfigError("concern", f"each concern exactly once; missing {missing or 'none'}, "
                          f"given {[str(concern) for concern in named]}")
    return compiled


def _concern(key: str, table: Any, words: Mapping[str, str]) -> ConcernRules:
    if not isinstance(table, dict):
        raise ConfigError(key, "must be a table")
    _no_unknown_keys(key, table, _CONCERN_KEYS)
    try:
        concern = Concern(str(table.get("name")))
    except ValueError as error:
        choices = ", ".join(repr(str(concern)) for concern in Concern)
        raise ConfigError(f"{key}.name", f"must be one of {choices}") from error
    patterns = _combine(_listed(table, key, "patterns"), words)
    if patterns is None:
        raise ConfigError(f"{key}.patterns", "give at least one pattern")
    return ConcernRules(
        concern=concern,
        patterns=patterns,
        guards=_combine(_listed(table, key, "guards"), words),
        unless=_combine(_listed(table, key, "unless"), words),
    )


def _signposting(data: Mapping[str, Any]) -> str:
    table = _table(data, "signposting")
    _no_unknown_keys("signposting", table, frozenset({"text"}))
    text = table.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ConfigError("signposting.text", "give the reply to send, as a string")
    return text.strip()


def _listed(table: Mapping[str, Any], key: str, name: str) -> list[tuple[str, str]]:
    return [(f"{key}.{name}[{index}]", pattern)
            for index, pattern in enumerate(_strings(table, name, f"{key}.{name}"))]


def _strings(table: Mapping[str, Any], name: str, key: str) -> list[str]:
    value = table.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(key, "must be a list of strings")
    return value


def _table(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(name, "must be a table")
    return value


def _no_unknown_keys(key: str, table: Mapping[str, Any], known: frozenset[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        where = f"{key}.{unknown[0]}" if key else unknown[0]
        raise ConfigError(where, f"unknown key; expected one of {sorted(known)}")


def _combine(
    patterns: Iterable[tuple[str, str]], words: Mapping[str, str]
) -> re.Pattern[str] | None:
    """One alternation of every pattern, each checked and compiled on its own first."""
    expanded = [_checked(key, pattern, words) for key, pattern in patterns]
    return re.compile("|".join(f"(?:{pattern})" for pattern in expanded)) if expanded else None


def _checked(key: str, pattern: str, words: Mapping[str, str]) -> str:
    if "'" in pattern:
        raise ConfigError(key, "patterns never contain an apostrophe (text is normalised)")
    if _CAPITAL.search(pattern):
        raise ConfigError(key, "patterns are lower case (text is case-folded)")
    expanded = _expand(key, pattern, words)
    try:
        re.compile(expanded)
    except re.error as error:
        raise ConfigError(key, f"not a valid regular expression: {error}") from error
    return expanded


def _expand(key: str, pattern: str, words: Mapping[str, str]) -> str:
    for _ in range(_MAX_DEPTH):
        unknown = [name for name in _WORD.findall(pattern) if name not in words]
        if unknown:
            raise ConfigError(key, f"<{unknown[0]}> is not in [words]")
        expanded = _WORD.sub(lambda m: f"(?:{words[m.group(1)]})", pattern)
        if expanded == pattern:
            return pattern
        pattern = expanded
    raise ConfigError(key, f"[words] nest more than {_MAX_DEPTH} deep")


DEFAULT = load_rules()


def assess(text: str, rules: Rules = DEFAULT) -> Risk | None:
    """The first concern (in the rules' priority order) the text suggests; None if none."""
    norm = _blank(rules.guards, normalise(text))
    for concern in rules.concerns:
        found = _find(concern, _blank(concern.guards, norm))
        if found is not None:
            return Risk(concern.concern, found)
    return None


def signposting(rules: Rules = DEFAULT) -> str:
    """The reply sent at once when a concern is found."""
    return rules.signposting


SHORT_ANSWER = 24
SHORT_ANSWERS_KEPT = 10_000


class Screen:
    """The safeguarding check for every message, remembered for short answers ("yes", "skip",
    "2"), which many people give; anything longer is always checked afresh."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._short: dict[str, Risk | None] = {}

    def __call__(self, text: str) -> Risk | None:
        if len(text) > SHORT_ANSWER:
            return assess(text, self.rules)
        if text not in self._short:
            if len(self._short) >= SHORT_ANSWERS_KEPT:
                self._short.clear()
            self._short[text] = assess(text, self.rules)
        return self._short[text]
