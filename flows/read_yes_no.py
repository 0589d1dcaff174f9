"""Yes and no, where a question has them: "yeah", "nah", "yess please", "oops no", "id
rather not", a yes at the end ("Thank you, that is reassuring. Yes."). Pure: no I/O."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from flows.asked import Asked
from flows.choosing import FUZZY_SCORE, negated
from flows.understood import FIRM_NO, PHRASED, SHORT, Reading, Understood, first_clause
from flows.wording import longer, opens_with, phrases, plain, single

_VAGUE = frozenset({"please", "course", "fine", "great", "cool", "lovely", "ready", "k"})
"""Yes-words that do not make a longer reply a yes when they open it."""


def rather_not(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.yes and asked.no and re.search(r"\b(?:rather|prefer) not\b", said):
        return Understood(Reading.CHOICE, asked.no)  # "id rather not if thats ok"
    return None


def yes_no(said: str, text: str, asked: Asked) -> Understood | None:
    if said.split()[-1] in {"bye", "goodbye", "byee", "cya", "ttyl"} and len(said.split()) <= 4:
        return None  # "k thx bye": leaving, not agreeing
    if asked.yes and (yes_word(said) or first_clause(text) in phrases("words.yes")):
        return Understood(Reading.CHOICE, asked.yes)
    if asked.no and _no_word(said):
        return Understood(Reading.CHOICE, asked.no)
    opening = plain(re.split(r"[.!]", text.strip(), maxsplit=1)[0])
    if asked.no and opening in phrases("words.no") and "?" not in text:
        return Understood(Reading.CHOICE, asked.no)  # "I'm afraid not. Thank you all the same."
    if asked.no and _no_then_reason(text):
        return Understood(Reading.CHOICE, asked.no)  # "cant at the moment, mum needs me"
    last = plain(re.split(r"[,.;!]", text.strip().rstrip(".!"))[-1])
    if asked.no and last in FIRM_NO:
        return Understood(Reading.CHOICE, asked.no)
    if asked.yes and last in phrases("words.yes") and not negated(said) and len(
            said.split()) <= SHORT:  # "Thank you, that is reassuring. Yes."
        return Understood(Reading.CHOICE, asked.yes)
    sentence = plain(re.split(r"[.!]", text.strip().rstrip(".!"))[-1])
    if asked.yes and "?" not in text and 0 < len(sentence.split()) <= 4 and yes_word(
            sentence):  # a letter: "... I shall do my best. Please go ahead."
        return Understood(Reading.CHOICE, asked.yes)
    if asked.yes and hedged_yes(said, text):
        return Understood(Reading.CHOICE, asked.yes)
    return _one_side(said, asked)


_ASKS = re.compile(r"^(?:what|why|who|how|where|when|which|is|are|can|could|do|does|will|would)\b")


def _no_then_reason(text: str) -> bool:
    """A no, then a reason or thanks after a comma or "but", with no yes and no question in
    it ("I don't think so, but thank you for asking", "not today, need to get back")."""
    if "?" in text:
        return False
    first, *rest = re.split(r"[,;]| but ", text.strip(), maxsplit=1)
    after = plain(" ".join(rest))
    return bool(after) and plain(first) in phrases("words.no") and not (
        set(after.split()) & single("words.yes")) and not _ASKS.match(after)


_HEDGE = re.compile(r"^(?:(?:well|erm|um|hmm|kinda|kind of|sort of|i guess|guess|i suppose|"
                    r"suppose|i think|probably|i mean) )+")
_CONDITION = re.compile(r" (?:if|as long as|so long as|provided|but|only if|though|tho) .*$")


def hedged_yes(said: str, text: str) -> bool:
    """A yes hedged or with a condition after it ("suppose so if it only takes 5 mins",
    "kinda yeah but i might have to stop half way"); not one that asks ("yes if you tell me
    who reads it?")."""
    if "?" in text or negated(said):
        return False
    core = _CONDITION.sub("", said).strip()
    yes = phrases("words.yes")
    return (core != said and core in yes) or _HEDGE.sub("", core).strip() in yes


def _one_side(said: str, asked: Asked) -> Understood | None:
    """A short reply holding a yes-word or a no-word, but not both ("oops no", "wait no i
    didnt mean that", "yess please")."""
    if not (asked.yes and asked.no) or len(said.split()) > PHRASED:
        return None
    tokens = set(said.split())
    yes, no = single("words.yes") - _VAGUE, single("words.no")
    said_yes = not negated(said) and (bool(tokens & yes) or bool(process.extractOne(
        said.split()[0], yes, scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE)))
    said_no = bool(tokens & no)
    if said_yes != said_no:
        return Understood(Reading.CHOICE, asked.yes if said_yes else asked.no)
    return None


def yes_word(said: str) -> bool:
    yes = phrases("words.yes")
    first = said.split()[0]
    opens = any(said.startswith(f"{p} ") for p in longer("words.yes", 3))
    return said in yes or (opens_with(said, yes, 5) and not negated(said)) or (
        opens and len(said.split()) <= SHORT and not negated(said)) or (
        first in yes and first not in phrases("words.no") and first not in _VAGUE) or (
        len(said.split()) <= SHORT and plain(re.split(r"[,.;!]", said, maxsplit=1)[0]) in yes)


def _no_word(said: str) -> bool:
    no = phrases("words.no")
    said = _HEDGE.sub("", said).strip() or said  # "i think i'll leave those, thank you"
    return said in no or opens_with(said, no, 6) or said.split()[0] in FIRM_NO
