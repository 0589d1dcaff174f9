"""The always-on words (help, back, skip, pause, restart, status), however they are put:
said exactly or misspelt ("skipp"), in other words ("can we finish later", "how many more
questions"), as a last sentence ("Someone is at the door. I will come back to this later"),
or as a correction of the last answer ("*hospital not surgery"). Pure: no I/O."""

from __future__ import annotations

import re
from functools import cache

from rapidfuzz import fuzz, process

from bot.core.words import words
from flows.answers import Control, as_control
from flows.asked import Asked
from flows.choosing import FUZZY_SCORE, FUZZY_SHORTEST, INTERROGATIVE, negated, swapped
from flows.spec import AnswerKind
from flows.typed import ASIDES
from flows.understood import (
    CONTROL_READINGS,
    FIRM_NO,
    FIRM_YES,
    PHRASED,
    SHORT,
    Reading,
    Understood,
    first_clause,
)
from flows.wording import contains, longer, opens_with, pattern, phrases, plain

_REQUEST = re.compile(r"(?:^|^(?:sorry |wait |actually |ok |um |oh |ugh |hang on )+|\b(?:can|could"
                      r"|may) (?:i|we|u|you) |\bi (?:want|need|would like|d like) to |\blet me "
                      r"|\bplease |\bis it (?:possible|ok|okay|allowed) to )(?:just )?"
                      r"(?=(?P<rest>.+)$)")
"""Words that ask for something, then what is asked for ("can we carry on later")."""
_LEADING = frozenset({Control.PAUSE, Control.SKIP})
"""Always-on words that say what a reply wants even with more words around them ("pause it,
my bus stop is next", "no on second thoughts skip"); "back" and "stop" do not ("back pain")."""
_SUBJECTS = frozenset({"i", "im", "i'm", "we", "ive", "i've", "its", "it's"})
_USES = [[w] for w in ("with", "from", "for", "to", "getting", "at", "in", "on", "the", "a")]
"""Words after "help" or "skip" that make them part of an answer ("help with transport")."""
_FIRST_PERSON = frozenset({"i", "im", "i'm", "ill", "i'll", "wait", "sorry", "oops", "can",
                           "we", "ive", "i've", "we'll", "well"})
_PHRASED_ORDER = (Reading.STATUS, Reading.RESTART, Reading.BACK, Reading.HELP, Reading.PAUSE,
                  Reading.SKIP)


def how_far(said: str, text: str, asked: Asked) -> Understood | None:
    """ "last question?", "this is the end?": asks how far through, not to go back."""
    if text.rstrip().endswith("?") and len(said.split()) <= 5 and re.match(
            r"(?:(?:is this|this is|is that|that is)\b.*\b(?:last|end|final)|last|final)\b",
            said):
        return Understood(Reading.STATUS)
    return None


_INTERJECTED = re.compile(r"^(?:(?:wait|sorry|no|oh|oops|hang on|hold on|ok|actually)"
                          r"[\s,!.]+)+"
                          r"(?P<word>\w+(?: \w+)?)\s*(?:[,.!;]|$|\bi\b)")
"""Words before an always-on word that only interrupt ("no sorry go back, i said...")."""


def exact_control(said: str, text: str, asked: Asked) -> Understood | None:
    bare = " ".join(w for w in said.split() if w not in phrases("words.filler") | ASIDES)
    control = as_control(text) or (as_control(bare) if bare else None)  # "ugh restart"
    interjected = _INTERJECTED.match(text.strip().casefold())
    if control is None and interjected is not None and len(said.split()) <= SHORT:
        control = as_control(interjected.group("word"))  # "wait back, the place is wrong"
    words_said = re.sub(r"(\w)\1{2,}", r"\1\1", said).split()  # "skippp"
    if control is None and len(words_said) <= PHRASED:
        ends = as_control(words_said[-1]) if (len(words_said) <= 4 or (
            len(words_said) <= 6 and words_said[0] in FIRM_NO | {"actually", "wait"})) and (
            words_said[0] not in INTERROGATIVE) else None  # but "what's next" asks
        starts = as_control(words_said[0])
        if starts is Control.SKIP and asked.kind is AnswerKind.TEXT and re.search(
                r"(?:,|\bbut)\s+(?:it'?s|it is|it was)\s+\w", text.casefold()):
            starts = None  # "skip the name but its a GP" answers
        control = next((c for c in (starts, ends) if c in _LEADING), None)
        control = control or as_control(" ".join(words_said))
    return None if control is None else Understood(CONTROL_READINGS[control])


def _yes_with_a_wish(said: str, asked: Asked) -> bool:
    """ "OK for me, but please no name of my daughter": a yes with a wish about what is
    kept, not a skip (but "ok but can we skip this" asks to skip)."""
    return bool(asked.yes) and said.split()[0] in FIRM_YES and not any(
        as_control(w) is Control.SKIP for w in said.split())


def control_phrase(said: str, text: str, asked: Asked) -> Understood | None:
    """A short reply that says one of the always-on words in other words ("can we finish
    later", "how many more questions", "skip this one", "pause i need to get back")."""
    found = _phrased(said, text, asked)
    if found == Understood(Reading.RESTART) and _NARRATED.search(said):
        return None  # "we had to start from scratch": what happened
    return found


def _phrased(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.yes and said.split()[0] in FIRM_YES and opens_with(
            " ".join(first_clause(text).split()[1:]), phrases("words.phrase.pause"), SHORT):
        return Understood(Reading.PAUSE)  # "ok need to go, back later": not a yes
    if asked.yes and said.split()[0] in FIRM_YES and not re.search(
            r"\b(?:can|could) (?:we|i)\b|\bbut\b", said):
        return None  # "yes quickly pls on my break"
    short = len(said.split()) <= SHORT + 2  # "someone at the door, can we carry on later"
    opening = next((m for m in _REQUEST.finditer(said) if m.start("rest") > 0), None)
    if not short and opening is not None and opening.start() == 0 and _later_request(
            said, 0, opening.group("rest")):
        return Understood(Reading.PAUSE)  # "Can I do this later on tonight instead when..."
    if short or len(first_clause(text).split()) <= PHRASED:  # "can i just start again, i..."
        for asking in _REQUEST.finditer(said if short else first_clause(text)):
            rest = asking.group("rest")
            found = next((r for r in _PHRASED_ORDER
                          if opens_with(rest, phrases(f"words.phrase.{r.value}"), SHORT)), None)
            control = as_control(rest.split()[0])
            if asking.start("rest") == 0 and control is not None and (
                    control.value != rest.split()[0] or rest.split()[1:2] in _USES):
                control = None  # "next time i'd write it down", "help with transport"
            # "i want to restart, i told it wrong"; but "next time i'd write it down" answers
            if control is not None and rest.split()[1:2] and rest.split()[1].endswith("ing"):
                control = None  # "i want to stop waiting so long" answers
            if found is None and control is not None and control is not Control.BACK:
                found = CONTROL_READINGS[control]
            if found is None and asking.start("rest") > asking.start() and _later_request(
                    said, asking.start(), rest):
                found = Reading.PAUSE  # "can i answer this one later", "let me ... later"
            if found is Reading.SKIP and _yes_with_a_wish(said, asked):
                found = None  # "OK for me, but please no name of my daughter": a yes, a wish
            if found is not None:
                return Understood(found)
    if short and re.search(r"\b(?:ill|i'll|i will|will) come back to (?:this|it)\b", said):
        return Understood(Reading.PAUSE)  # "hang on someone at the door ill come back to this"
    clauses = [plain(c) for c in re.split(r"[,.;!?]", text) if plain(c)]
    for reading in _PHRASED_ORDER:  # "sorry, the bus came. where were we"
        if clauses and len(clauses) <= 3 and (
                clauses[-1] in phrases(f"words.phrase.{reading.value}")
                or clauses[0] in phrases(f"words.phrase.{reading.value}")):
            return Understood(reading)  # "how long is this going to take, got to get..."
    if len(said.split()) <= SHORT and "?" not in text.strip().rstrip("?") and contains(
            said, longer("words.phrase.help", 4)):
        return Understood(Reading.HELP)  # "what kind of thing do you want me to write here"
    if len(said.split()) > PHRASED:
        return None
    if len(clauses) == 1 and contains(said, phrases("words.own_language")):
        return Understood(Reading.HELP)  # "my english not good": any words will do
    first, *rest = said.split()
    for clause in (*clauses, first if rest and rest[0] in _SUBJECTS else ""):
        control = as_control(clause) if clause else None
        if control is not None and len(clauses) + bool(rest) > 1:
            return Understood(CONTROL_READINGS[control])
    for reading in _PHRASED_ORDER:
        if reading is Reading.SKIP and _yes_with_a_wish(said, asked):
            continue  # "OK for me, but please no name of my daughter": a yes with a wish
        if any((reading is not Reading.PAUSE or not _goes_on(said, found.end())) and not (
                reading in (Reading.HELP, Reading.PAUSE) and _someone_did(said[:found.start()]))
               for found in pattern(phrases(f"words.phrase.{reading.value}")).finditer(said)):
            return Understood(reading)
    return None


_OTHERS = re.compile(r"\b(?:nobody|noone|no one|nobody ever|they|he|she|daughter|son|mum"
                     r"|mom|dad|wife|husband|partner|friend|friends|neighbour|nurse|doctor|gp"
                     r"|staff|family|sister|brother|carer|team)$")


_WISHED = re.compile(r"\b(?:someone|somebody|people|a person|volunteers?|staff|carers?|nurses?)"
                     r" to$")


_REPORTED = re.compile(r"\b(?:said|says|told (?:me|us|her|him|them)|asked|went)(?: to)?$")
"""Someone's words reported ("the nurse said text me tomorrow"): not the person's own."""


def _someone_did(before: str) -> bool:
    """Is "help me" told of someone ("my daughter help me", "nobody help me"), wished for
    ("someone to help me start it") or reported ("she said ask me later"), not asked of the
    bot?"""
    return any(found.search(before.strip()) is not None for found in (
        _OTHERS, _WISHED, _REPORTED))


def _goes_on(said: str, end: int) -> bool:
    """Does a pause-like phrase go on into an answer ("i need to go to hospital every
    week"), rather than end the reply or give a reason ("sorry need to go, bus is here")?"""
    after = said[end:].split()
    return len(after) >= 3 and after[0] in {"to", "into", "in", "for", "with"} and (
        said.split()[0] not in {"sorry", "soz", "oops", "ok", "okay", "right", "gotta", "brb"})


_DOING = frozenset({"do", "finish", "answer", "continue", "carry", "come", "tell", "decide",
                    "write", "reply", "pick", "go", "get", "just", "read", "check", "look"})
"""What a request to do this later asks to do ("can i answer this one later"); not "can i
delete it later", which asks about later."""


def _later_request(said: str, start: int, rest: str) -> bool:
    """A request to do this later ("can i answer this one later", "im at work now can i
    finish tonight"): it opens the reply or follows the person's own words about
    themselves, and what it asks for is short and ends in "later" or the like."""
    before = said[:start].split()
    later = pattern(phrases("words.later"))
    return (not before or before[0] in _FIRST_PERSON) and rest.split()[0] in _DOING and (
        (len(rest.split()) <= 6 and later.search(" ".join(rest.split()[-3:])) is not None)
        or later.search(" ".join(rest.split()[:4])) is not None)  # "do this later tonight..."


_NARRATED = re.compile(r"\b(?:(?:had|has|have|having|got|forced \w+|told \w+) to|(?:made|makes)"
                       r" \w+(?: to)?) (?:\w+ )?(?:start|begin|do (?:it|the whole|everything))\b"
                       r"|\b(?:started|began|restarted|starting|beginning) "
                       r"(?:over|again|all over)\b")
"""Starting again told as what happened ("we had to start from scratch", "they made us
begin again"): not a wish to start this conversation again."""


def restart(said: str, text: str, asked: Asked) -> Understood | None:
    """The whole thing again, however it is put ("this is all wrong just start the whole
    thing over", "can we do it all again from the start")."""
    if _NARRATED.search(said):
        return None  # "we had to start again from scratch with a new gp": what happened
    if len(said.split()) <= SHORT + 2 and not negated(said) and contains(
            said, longer("words.phrase.restart", 3)):
        return Understood(Reading.RESTART)
    last = plain(re.split(r"[,.;!]", text.strip().rstrip(".!"))[-1])
    if last != said and len(last.split()) <= PHRASED and not negated(last) and contains(
            last, longer("words.phrase.restart", 3)):
        return Understood(Reading.RESTART)  # "i stopped in the middle, i want start new..."
    return None


def aside(said: str, text: str, asked: Asked) -> Understood | None:
    """A correction of the last answer ("*hospital not surgery, sorry"), or a last sentence
    in the first person that pauses or goes back ("Someone is at the door. I will come back
    to this later", "wait i put the wrong person in the last question")."""
    if re.match(r"\*\w", text.strip()) and len(said.split()) <= PHRASED:
        return Understood(Reading.BACK)
    sentences = [plain(c) for c in re.split(r"[.!?\n]", text) if plain(c)]
    last = sentences[-1] if sentences else ""
    if not last or len(last.split()) > SHORT or len(sentences) > 3 or last.split()[0] not in (
            _FIRST_PERSON):
        return None
    for reading in (Reading.PAUSE, Reading.BACK):
        if any(reading is not Reading.PAUSE or not _goes_on(last, found.end()) for found in
               pattern(longer(f"words.phrase.{reading.value}", 2)).finditer(last)):
            return Understood(reading)  # but "we need to go to the gp less" answers
    return None


def fuzzy_control(said: str, text: str, asked: Asked) -> Understood | None:
    if len(said) < FUZZY_SHORTEST or len(said.split()) > 2:
        return None
    found = process.extractOne(said, list(_control_words()), scorer=fuzz.ratio,
                               score_cutoff=FUZZY_SCORE)
    if found is not None:
        return Understood(CONTROL_READINGS[_control_words()[found[0]]])
    word = said.split()[0] if said.split()[1:] in ([], ["pls"], ["please"]) else ""
    control = next((c for w, c in _control_words().items() if swapped(word, w)), None)
    return None if control is None else Understood(CONTROL_READINGS[control])  # "sikp pls"


@cache
def _control_words() -> dict[str, Control]:
    return {word: control for control in Control
            for word in words(f"words.control.{control.value}") if len(word) >= FUZZY_SHORTEST}
