"""Which option a reply picks: at a choice question by its number, its name or its words
(``flows/choosing.py`` does the loose matching); where several may be picked, the picks ("1
and 3", "all of them", "all except 2") or the themes in the person's own words. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.core.types import Choice
from flows import read_controls, read_questions, read_remarks, read_unsure, read_yes_no
from flows.answers import NONE_WORDS, Control, as_control, match_choice, normalise, read_themes
from flows.asked import Asked
from flows.choosing import (
    INTERROGATIVE,
    before_negation,
    choice_names,
    contained_choice,
    fuzzy_choice,
    listed,
    ordinal_index,
    phrased_choice,
    role_of,
    tidy_themes,
    unswapped,
    who_tried,
    whole_theme,
    without_noise,
)
from flows.spec import AnswerKind
from flows.typed import ASIDES, POLITE, numbered, picked_number
from flows.understood import FIRM_NO, FIRM_YES, PRONOUNS, Reading, Understood, first_clause
from flows.wording import contains, contains_phrase, mashed, opens_with, phrases, plain

_REMARK = PRONOUNS | {"is", "are", "was", "were", "thats", "that's", "should", "think", "dear",
                      "so", "its", "it's", "we're"}
"""Words that make a part of a themes reply a remark about them, not a theme of its own."""
_EDITS = re.compile(r"\bbut\b.*\b(?:change|take out|take off|remove|edit|fix|delete|correct"
                    r"|add)\b")
"""After a "send it", words that ask for a change first ("send it but take out the name")."""


def exact_choice(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.no == "change" and asked.yes and _EDITS.search(said) and not said.startswith(
            ("no", "change")):
        return Understood(Reading.CHOICE, asked.no)  # "send it but take out the nurse's name"
    if asked.kind is AnswerKind.CHOICE and asked.no and said.split()[0] in FIRM_YES:
        rest = " ".join(first_clause(text).split()[1:])
        named = match_choice(rest, asked.choices) if rest and rest not in (
            phrases("words.no") | phrases("words.yes")) else None
        if named is not None and named.value == asked.no:
            return Understood(Reading.CHOICE, named.value)  # "yes stop": stop, not carry on
    if asked.kind is AnswerKind.CHOICE and asked.yes and said.split()[0] in FIRM_NO:
        rest = " ".join(first_clause(text).split()[1:]) or " ".join(
            plain(text).split()[1:])
        named = match_choice(rest, asked.choices) if rest and rest not in (
            phrases("words.no") | phrases("words.acknowledged") | phrases("words.no_problem")
        ) else None
        if named is not None and named.value == asked.yes:
            return Understood(Reading.CHOICE, named.value)  # "no, carry on": carry on
    if asked.kind is AnswerKind.CHOICE:
        number = picked_number(first_clause(text), len(asked.choices))
        calm = " ".join(w for w in first_clause(text).split() if w not in ASIDES)
        aside = match_choice(calm, asked.choices) if calm != first_clause(text) else None
        if number is None and aside is not None:  # "both tbh, I work here and..."
            return Understood(Reading.CHOICE, aside.value)
        if number is not None:  # "number one please", "the second option pls, on my break"
            return Understood(Reading.CHOICE, asked.choices[number].value)
        picked = match_choice(text, asked.choices) or match_choice(
            first_clause(text), asked.choices)  # "both, i work there and i'm a patient"
        clauses = [c for c in re.split(r"[,.;!]", text) if plain(c)]
        if picked is None and len(clauses) >= 2:  # "still dont get it, more pls"
            last = " ".join(w for w in plain(clauses[-1]).split() if w not in POLITE)
            picked = match_choice(last, asked.choices) if last else None
        if picked is None and "," in text:  # "the second one, what it was meant to fix"
            index = ordinal_index(first_clause(text), len(asked.choices))
            picked = None if index is None else asked.choices[index]
        return None if picked is None else Understood(Reading.CHOICE, picked.value)
    if asked.kind is AnswerKind.PICKS and as_control(said.split()[0]) is Control.PAUSE:
        return None  # "brb 2 mins"
    if asked.kind is AnswerKind.PICKS:
        asking = (said.split()[0] in INTERROGATIVE or read_questions.conditional(said) or (
            text.rstrip().endswith("?") and bool(set(said.split()) & read_questions.WH))) and (
                not re.search(r"\d", said))
        if asking:
            return None
        first = first_clause(text)
        if first != said and first in phrases("words.all"):  # "all of them, go for it"
            return Understood(Reading.CHOICE, [c.value for c in asked.choices
                                               if c.value != "none"])
        if first != said and first in NONE_WORDS and not re.search(r"\d", said):
            return Understood(Reading.NONE)
        return _picks(numbered(said, len(asked.choices)), asked)
    if asked.kind is AnswerKind.THEMES:
        return _themes(said, text, asked)
    return None


def choice_phrase(said: str, text: str, asked: Asked) -> Understood | None:
    """At a choice question, a reply holding the several words of exactly one choice ("hmm
    not sure, tell me more", "id rather not say")."""
    value = phrased_choice(said, asked)
    fixed = unswapped(said, asked) if asked.kind is AnswerKind.CHOICE else said
    if value is None and fixed != said:
        value = phrased_choice(fixed, asked)  # "need to chnage a bit"
    if value is not None and value == asked.yes and contains(said, phrases("words.later")):
        return None  # "ask me next week" at "Yes, ask me": not now
    return None if value is None else Understood(Reading.CHOICE, value)


def loose_choice(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.kind is not AnswerKind.CHOICE:
        return None
    for guess in (_ordinal, who_tried, role_of, fuzzy_choice, contained_choice):
        value = guess(said, asked)
        if value is not None:
            return Understood(Reading.CHOICE, value)
    first = first_clause(text)
    value = contained_choice(first, asked) if first and first != said else None
    return None if value is None else Understood(Reading.CHOICE, value)  # "the permissions, i.."


def _none_picked(said: str) -> bool:
    short_none = contains(said, frozenset({"none"})) and len(said.split()) <= 4
    return said in NONE_WORDS or short_none or (
        opens_with(said, NONE_WORDS, 5) and not re.search(r"\d", said))


_PREFERRING = re.compile(r"^(?:i would|i'd|id|we would|we'd) (?:rather|prefer)(?: to have)? |"
                         r",? (?:thank you|thanks|ta)$")
"""Polite words around a choice ("I would rather none of these, thank you.")."""


def _ordinal(said: str, asked: Asked) -> str | None:
    index = ordinal_index(said, len(asked.choices))
    return None if index is None else asked.choices[index].value


def _picks(said: str, asked: Asked) -> Understood | None:
    if _none_picked(said) or _none_picked(_PREFERRING.sub("", said)):
        return Understood(Reading.NONE)
    index = ordinal_index(said, len(asked.choices))
    if index is None:
        index = picked_number(said, len(asked.choices))  # "just the first one, thank you"
    if index is not None and asked.choices[index].value == "none":
        return Understood(Reading.NONE)
    if index is not None:
        return Understood(Reading.CHOICE, [asked.choices[index].value])
    every = [c.value for c in asked.choices if c.value != "none"]
    several = listed(said, asked)
    if several is not None:
        return Understood(Reading.CHOICE, several)
    agreed = " ".join(w for w in said.split() if w not in FIRM_YES | POLITE) or said
    if said in phrases("words.all") or opens_with(agreed, phrases("words.all"), 3):
        return Understood(Reading.CHOICE, every)
    numbers = [int(n) for n in re.findall(r"\b\d+\b", said)]
    if numbers and all(1 <= n <= len(asked.choices) for n in numbers):
        not_after = re.search(r"\bnot\b(.*)", said)
        dropped = {int(n) for n in re.findall(r"\d+", not_after.group(1))} if not_after else set()
        values = [asked.choices[n - 1].value for n in dict.fromkeys(numbers) if n not in dropped]
        if values == ["none"]:
            return Understood(Reading.NONE)
        return Understood(Reading.CHOICE, [v for v in values if v != "none"])
    kept = before_negation(said)
    named = [c.value for c in asked.choices if c.value != "none"
             and any(contains_phrase(kept, n) for n in choice_names(c) if len(n) > 2)]
    return Understood(Reading.CHOICE, named) if named else None


def _themes(said: str, text: str, asked: Asked) -> Understood | None:
    labels = [c.label for c in asked.choices]
    named = any(contains_phrase(said, normalise(label)) for label in labels)
    if said in NONE_WORDS or opens_with(said, NONE_WORDS, 5) or (
            first_clause(text) in NONE_WORDS) or (
            opens_with(said, NONE_WORDS, 8) and not named):  # "None of those seem right to me"
        return Understood(Reading.NONE)
    if "?" in text and not named and re.match(
            r"(?:do|can|should|shall) i (?:type|write|put|press|use|click|say)\b", said):
        return Understood(Reading.HELP)  # "Do I type the number or the word?"
    if said in phrases("words.filler") or mashed(said):
        return Understood(Reading.UNCLEAR)  # "z" is not a theme of its own
    by_number = numbered(said, len(labels))
    if re.fullmatch(r"(?:(?:the|just|only|and|please|n|\d+)\s*)+", by_number) and re.search(
            r"\d", by_number):  # "one two and three", "the 1st and 3rd one"
        picked = [labels[int(n) - 1] for n in re.findall(r"\d+", by_number)
                  if 1 <= int(n) <= len(labels)]
        return Understood(Reading.CHOICE, list(dict.fromkeys(picked))) if picked else None
    themed = replace(asked, choices=tuple(Choice(value=label, label=label) for label in labels))
    several = listed(said, themed)
    if several is not None:
        return Understood(Reading.CHOICE, several)
    every = phrases("words.all")
    if said in every or any(said.startswith(f"{p} ") and not without_noise(said[len(p):])
                            for p in every):
        return Understood(Reading.CHOICE, labels)
    if read_yes_no.yes_word(said) and len(said.split()) <= 2:  # "ok": which, though?
        return Understood(Reading.UNCLEAR)
    index = ordinal_index(said, len(labels))
    if index is not None:
        return Understood(Reading.CHOICE, [labels[index]])
    if (not re.search(r"\d", said) or read_unsure.dont_know(said, text, asked)) and (
            _non_answer(said, text, asked) is not None):
        return None  # "not 100% sure"
    picked = [theme for t in read_themes(tidy_themes(text), labels)
              if t in labels or without_noise(normalise(t)) for theme in _named(t, labels)]
    if any(t in labels for t in picked):  # "staffing obviously, we are on our knees"
        picked = [t for t in picked if t in labels or not set(normalise(t).split()) & _REMARK]
    elif picked and all(normalise(t).split()[:1] in [[w] for w in PRONOUNS | {"ugh", "omg"}]
                        and set(normalise(t).split()) & _REMARK for t in picked):
        return Understood(Reading.UNCLEAR)  # "ugh this is taking ages"
    return Understood(Reading.CHOICE, list(dict.fromkeys(picked))) if picked else None


def _named(theme: str, labels: Sequence[str]) -> list[str]:
    """A theme as the person named it ("mentle helth": mental health), or, when it is only
    themes' names one after another ("carers communication kindness", "staffing an
    comunication"), each of them; else their own words, kept."""
    whole = whole_theme(theme, labels)
    if whole in labels:
        return [whole]
    said = [w for w in normalise(theme).split() if w not in _JOINING]
    for cut in range(len(said) - 1, 0, -1):  # the longest name first: "waiting times staffing"
        first = whole_theme(" ".join(said[:cut]), labels)
        if first in labels and (rest := _named(" ".join(said[cut:]), labels)) and all(
                r in labels for r in rest):
            return [first, *rest]
    return [whole]


_JOINING = frozenset({"an", "n", "and", "&", "+"})
"""Between themes' names, words that only join them ("staffing an comunication")."""


def _non_answer(said: str, text: str, asked: Asked) -> Understood | None:
    """Is a reply at a themes question something other than themes ("not 100% sure")?"""
    for read in (read_controls.exact_control, read_controls.control_phrase,
                 read_remarks.complains, read_unsure.dont_know, read_remarks.greeting,
                 read_questions.question, read_questions.asks_back, read_controls.fuzzy_control):
        found = read(said, text, asked)
        if found is not None:
            return found
    return None
