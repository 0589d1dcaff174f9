"""Which option a reply picks, loosely: by its number or its position ("the 2nd one", "first
and last"), by who or which role it names ("the porters, my lot", "ward sister"), by a typo
of its words, by the words of exactly one option, and, where several may be picked, by
patterns ("all except 3") and themes in the person's own words. Pure: no I/O."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.core.types import Choice, TriedBy
from bot.core.words import ENGLISH, catalogue
from flows.answers import normalise
from flows.asked import Asked
from flows.spec import AnswerKind
from flows.wording import contains, contains_phrase, pairs, pattern, phrases

FUZZY_SCORE = 85
"""How alike (0-100) a typo must be to the word it stands for."""
FUZZY_SHORTEST = 4
"""Words shorter than this are never guessed at: "no" and "on" are too alike."""
INTERROGATIVE = frozenset({"what", "whats", "what's", "why", "who", "whos", "who's", "where",
                            "when", "how", "is", "are", "will", "can", "could", "do", "does",
                            "am", "would", "should", "wdym", "which", "r"})
NEGATION = frozenset({"not", "no", "dont", "don't", "never", "nah", "nope"})


def ordinal_index(said: str, count: int) -> int | None:
    numbered = re.fullmatch(r"(?:option|number|no|choice) (\d{1,2})", said)  # "option 2"
    if numbered and 1 <= int(numbered.group(1)) <= count:
        return int(numbered.group(1)) - 1
    trimmed = said.removesuffix(" please").removeprefix("only ").removeprefix("just ")
    trimmed = trimmed.removeprefix("the ")
    bare = trimmed.removesuffix(" one").removesuffix(" option")  # "the 2nd one"
    if trimmed in phrases("words.last") or said in phrases("words.last"):
        return count - 1
    for index, names in enumerate(ordinals()[:count]):
        if said in names or trimmed in names or bare in names:
            return index
    return None


@cache
def ordinals() -> tuple[frozenset[str], ...]:
    """The words for "first", "second", ... as far as the catalogue has them (a question
    may have more options than that: the rest are picked by number or by name)."""
    known = catalogue(ENGLISH).entries
    count = next(n for n in itertools.count(1) if f"words.ordinal.{n}" not in known) - 1
    return tuple(phrases(f"words.ordinal.{n}") for n in range(1, count + 1))


def who_tried(said: str, asked: Asked) -> str | None:
    if not asked.who_tried:
        return None
    if re.search(r"\b(?:only|mostly|mainly|just) me\b", said) and not re.search(
            r"\b(?:we|us|team|colleagues)\b", said):
        return TriedBy.ME.value  # "me and only me", "me and... well mostly me"
    if re.search(r"\b(?:and me|and myself|me and my)\b|\b(?:me|myself) and\b(?! (?:i|im|i'm"
                 r"|it|its|it's|that|thats|that's)\b)", said):  # not "myself and i'm proud"
        return TriedBy.MY_TEAM.value
    if re.search(r"\b(?:not|wasnt|wasn't|never) (?:me|us|my team|our team|myself)\b", said):
        return TriedBy.SOMEONE_ELSE.value  # "a social worker sorted it, not me"
    for key, value in (("words.me", TriedBy.ME), ("words.my_team", TriedBy.MY_TEAM),
                       ("words.someone_else", TriedBy.SOMEONE_ELSE)):
        if said in phrases(key):
            return value.value
    for key, value in (("words.my_team", TriedBy.MY_TEAM),
                       ("words.someone_else", TriedBy.SOMEONE_ELSE), ("words.me", TriedBy.ME)):
        if contains(said, phrases(key)):
            return value.value
    return None


def role_of(said: str, asked: Asked) -> str | None:
    if not asked.roles:
        return None
    concluded = re.search(r"\bso (?:i'm |im |i am |i guess |technically )?(\w+)$", said)
    if concluded and concluded.start() > 0 and (  # "band 6 sister, so staff"
            found := role_of(concluded.group(1), asked)) is not None:
        return found
    kept = _FORMER.sub(" ", before_negation(said))  # "I used to be a nurse myself": not staff
    kept = _SEES.sub(" patient ", kept)  # "i am the one who goes to the doctor"
    both = phrases("words.choice.both") | {normalise(c.label) for c in asked.choices
                                            if c.value == "both"}
    if contains(said, both):  # "bit of both really"
        return value_for(asked, "both")
    staff = contains(kept, phrases("words.role.staff"))
    rest = pattern(phrases("words.role.staff")).sub(" ", kept)  # "ward sister" is staff only
    citizen = contains(rest, phrases("words.role.citizen"))
    if staff and citizen:
        return value_for(asked, "both")
    if staff or citizen:
        return value_for(asked, "staff" if staff else "citizen")
    return None


_FORMER = re.compile(r"\b(?:used to be|used to work as|was once|retired|former|formerly|ex)"
                     r"(?: an?)?(?: \w+){1,2}(?: myself)?(?: (?:many|years|a long time|long) "
                     r"ago| years ago)*")
"""Work someone did once ("although I used to be a nurse myself many years ago")."""


_CLINICIAN = r"(?:doctor|doctors|gp|nurse|dentist|dr|consultant|physio|midwife)"
_SEES = re.compile(rf"\b(?:go|goes|went|going|been|get taken|gets taken) to (?:see )?"
                   rf"(?:the |my |a )?{_CLINICIAN}\b"
                   rf"|\b(?:see|sees|seeing|saw|seen|visit|visits|visiting) "
                   rf"(?:the |my |a )?{_CLINICIAN}\b|\bmy {_CLINICIAN}\b")
"""Seeing a clinician, as a patient does ("the one who goes to the doctor", "my GP"): not
being one."""


def value_for(asked: Asked, value: str) -> str | None:
    return value if any(c.value == value for c in asked.choices) else None


def fuzzy_choice(said: str, asked: Asked) -> str | None:
    if len(said) < FUZZY_SHORTEST:
        return None
    names = {name: c.value for c in asked.choices for name in choice_names(c)
             if len(name) >= FUZZY_SHORTEST}
    found = process.extractOne(said, list(names), scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE)
    if found is not None:
        return names[found[0]]
    return next((names[name] for name in names if swapped(said, name)), None)  # "chnage"


def swapped(typed: str, word: str) -> bool:
    """Is ``typed`` ``word`` with two letters next to each other swapped ("pasue", "sikp")?
    Only that: one letter changed would make "shop" say stop."""
    return (len(typed) == len(word) >= FUZZY_SHORTEST and typed != word
            and OSA.distance(typed, word) == 1 and sorted(typed) == sorted(word))


def unswapped(said: str, asked: Asked) -> str:
    """``said`` with each word that is a word of a choice with two letters swapped put right
    ("need to chnage a bit": "need to change a bit")."""
    known = {w for c in asked.choices for name in choice_names(c) for w in name.split()}
    return " ".join(next((k for k in known if swapped(w, k)), w) if w not in known else w
                    for w in said.split())


def contained_choice(said: str, asked: Asked) -> str | None:
    """A longer reply that holds the words of exactly one choice ("1 is fine", "yes
    that's fine", "definitely staff")."""
    if re.fullmatch(r"\d+\b.*", said) and not re.search(r"\d+\D+\d+", said):
        number = int(said.split()[0])
        if 1 <= number <= len(asked.choices):
            return asked.choices[number - 1].value
    naming = re.sub(r"\b(?:i|we)?\s*needs? to\b", " ", said)  # "need to change a bit": no answer
    covered = {c.value: {w for name in choice_names(c) if name and name not in INTERROGATIVE
                         and contains_phrase(naming, name) for w in name.split()}
               for c in asked.choices}
    holding = {value: len(words) for value, words in covered.items() if words}
    most = max(holding.values(), default=0)
    best = [value for value, count in holding.items() if count == most]
    if len(holding) > 1 and len(best) == 1 and len(asked.choices) >= 5:
        holding = {best[0]: most}  # "what would help it spread": spread, not need
    return next(iter(holding)) if len(holding) == 1 and not negated(said) else None


def phrased_choice(said: str, asked: Asked) -> str | None:
    """At a choice question, the one choice whose several words a reply holds ("hmm not
    sure, tell me more", "id rather not say")."""
    if asked.kind is not AnswerKind.CHOICE:
        return None
    holding = {c.value for c in asked.choices for name in choice_names(c)
               if len(name.split()) >= 2 and contains_phrase(said, name)
               and not said_not(said, name)}
    if len(holding) == 1:
        return holding.pop()
    refused = {c.value for c in asked.choices for name in choice_names(c)
               if len(name.split()) >= 2 and said_not(said, name)}
    if not holding and asked.yes in refused and asked.no and len(refused) == 1:
        return asked.no  # "i dont want to delete it" at "erase everything?"
    return None


_REFUSING = (r"\b(?:dont|don't|do not|not|never|wont|won't|didnt|didn't|no need to|rather not|"
             r"shouldnt|shouldn't) (?:(?:want|wanna|to|really|please|need|you|u|ever|go|and|"
             r"it|that) )*")


def said_not(said: str, phrase: str) -> bool:
    """Is ``phrase`` refused with a "don't" or "not" just before it ("i dont want to delete
    it", "please do not erase it"), rather than merely near one ("not sure, tell me more")?"""
    return re.search(rf"{_REFUSING}{re.escape(phrase)}(?!\w)", said) is not None


def opens_with_choice(said: str, asked: Asked) -> bool:
    """Does a reply open with the several words of a choice ("where we were is fine, go")?"""
    return any(len(name.split()) >= 2 and said.startswith(f"{name} ")
               for c in asked.choices for name in choice_names(c))


def listed(said: str, asked: Asked) -> list[str] | None:
    """Several picked by a pattern: "all except 3", "the first three are fine"."""
    every = [c.value for c in asked.choices if c.value != "none"]
    if re.match(r"(?:all|anything|everything|any)\b.*\b(?:except|but|apart from)\b(.*)", said):
        rest = re.split(r"\b(?:except|but|apart from)\b", said, maxsplit=1)[1]
        left_out = named_choices(rest, asked)
        return [v for v in every if v not in left_out]
    first = re.search(r"\bfirst (\d|two|three|four|five)\b", said)
    if first:
        count = {"two": 2, "three": 3, "four": 4, "five": 5}.get(first.group(1))
        return every[:count or int(first.group(1))]
    return None


def named_choices(said: str, asked: Asked) -> list[str]:
    """The choices a phrase names, by their words or their words' stems ("naming me")."""
    stems = {stem(word) for word in said.split()} - _NOT_NAMES
    return [c.value for c in asked.choices if any(
        contains_phrase(said, n) or stem(n.split()[0]) in stems
        for n in choice_names(c) if n)]


_NOT_NAMES = frozenset({"the", "a", "an", "one", "ones", "my", "me", "it", "and", "of", "to",
                        "that", "this", "bit", "thing", "option"})
"""Words that name no choice on their own ("the name one" names only the name)."""


def stem(word: str) -> str:
    for ending in ("ing", "ed", "es", "s", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def before_negation(said: str) -> str:
    """The part of a reply before a "not" ("quotes but dont contact me": "quotes"), or before
    a "without" that is not part of a choice's own words ("quote my words, without my name")."""
    kept = re.split(r"\b(?:but )?(?:not|dont|don't|no)\b", said, maxsplit=1)[0]
    return re.sub(r"\bwithout (?:my|me|the|their)\b.*$", "", kept) or kept


def tidy_themes(text: str) -> str:
    """Themes as people list them ("1&2", "1-5", "number 2 and number 3", "carers. always
    carers", "waiting times obviously"), as a plain comma-separated list."""
    text = re.sub(r"(?<=\S)\s+x+\s*$", "", text, flags=re.IGNORECASE)  # "3 and 8 x": a kiss
    text = re.sub(r"(\d+)\s*-\s*(\d+)", lambda m: ",".join(
        str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1)), text)
    text = re.sub(r"\s+(?:because|cos|coz|since)\b[^,;]*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"[&+./]|\s-\s|\s+n\s+", ",", text)
    text = re.sub(r"\b(?:numbers?|no)\s+(?=\d)", "", text, flags=re.IGNORECASE)
    numbers = dict(pairs("words.numbers"))
    text = re.sub(r"\bnumber\s+(\w+)", lambda m: numbers.get(m.group(1).casefold(), m.group()),
                  text, flags=re.IGNORECASE)  # "Number eight."
    text = re.sub(r"\b(?:the\s+)?(\w+)\s+one\b", lambda m: numbers.get(
        m.group(1).casefold(), m.group()) if m.group(1).casefold() != "one" else m.group(),
        text, flags=re.IGNORECASE)  # "first one and carers"
    fillers = "|".join(map(re.escape, sorted(phrases("words.theme_filler"), key=len,
                                             reverse=True)))
    return re.sub(rf"\b(?:{fillers})\b", ",", text, flags=re.IGNORECASE) if fillers else text


def without_noise(said: str) -> str:
    """What is left of a theme once the words that add nothing are taken out ("" if all)."""
    return " ".join(pattern(phrases("words.theme_noise")).sub(" ", said).split())


def whole_theme(theme: str, labels: Sequence[str]) -> str:
    """A theme's own name for a start of it ("waiting" is "waiting times"), or for it with
    words around it that add nothing ("the mental health one")."""
    said = without_noise(normalise(theme))
    said = dict(pairs("words.theme_alias")).get(said, said)  # "comms"
    named = [label for label in labels if normalise(label) == said]
    if named:
        return named[0]
    close = process.extractOne(said, [normalise(label) for label in labels], scorer=fuzz.ratio,
                               score_cutoff=FUZZY_SCORE) if len(said) >= FUZZY_SHORTEST else None
    if close is not None:  # "mentle helth"
        return labels[close[2]]
    starting = [label for label in labels if len(said) >= 4 and label.startswith(said)]
    return starting[0] if len(starting) == 1 else theme


def choice_names(choice: Choice) -> Sequence[str]:
    return [normalise(choice.label), normalise(choice.value), *map(normalise, choice.aliases)]


def negated(said: str) -> bool:
    said = re.sub(r"\b(?:dont|don't|do not) mind\b", "", said)  # "i dont mind" says yes
    return any(word in NEGATION for word in said.split())
