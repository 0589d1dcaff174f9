"""What a person meant by a reply, at the question they were asked.

Every step of every flow reads replies here, so "yeah", "dunno", "what do you mean?", "the
first one" or "👍" mean the same wherever they are typed. A reply is read as one
:class:`Reading`: an answer or a choice (with its value), or one of the things people say
instead of answering (don't know, nothing tried, a question about the bot, a greeting, a wish
to complain, or one of the always-on words). The engine decides what each does at a step; a
reading that is not an answer is never stored as one.

The words are the catalogue's (``words.*`` entries), so another language reads its own. Typos
in single words are forgiven with rapidfuzz. Pure: no I/O.

Beside it: ``flows/typed.py`` puts a reply as it was meant to be typed (dictation, spellings,
numbers in words) before any reader sees it; ``flows/choosing.py`` finds which option a reply
picks; ``flows/asked.py`` is what a question accepts; ``flows/wording.py`` matches the
catalogue's phrases; ``flows/second_language.py`` tells a question put as a statement ("you
will share this?") from an answer. The readers here are tried in the order ``_readers`` lists them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.types import Choice
from bot.core.words import words
from flows.answers import NONE_WORDS, Control, as_control, match_choice, normalise, read_themes
from flows.asked import Asked
from flows.choosing import (
    FUZZY_SCORE,
    FUZZY_SHORTEST,
    INTERROGATIVE,
    before_negation,
    choice_names,
    contained_choice,
    fuzzy_choice,
    listed,
    negated,
    ordinal_index,
    role_of,
    tidy_themes,
    who_tried,
    whole_theme,
    without_noise,
)
from flows.second_language import stated_question
from flows.spec import AnswerKind
from flows.typed import ASIDES, POLITE, as_typed, numbered, picked_number, without_signature
from flows.wording import (
    contains,
    contains_phrase,
    longer,
    opens_with,
    pattern,
    phrases,
    plain,
    single,
)

PHRASED = 8
"""A reply of at most this many words can be an always-on word said in other words."""
SHORT = 12
"""A reply of at most this many words can be a question about the bot rather than a story."""
_WHO = ("words.me", "words.my_team")
_REQUEST = re.compile(r"(?:^|^(?:sorry |wait |actually |ok |um |oh |ugh |hang on )+|\b(?:can|could"
                      r"|may) (?:i|we|u|you) |\bi (?:want|need|would like|d like) to |\blet me "
                      r"|\bplease |\bis it (?:possible|ok|okay|allowed) to )(?:just )?"
                      r"(?=(?P<rest>.+)$)")
"""Words that ask for something, then what is asked for ("can we carry on later")."""
_INVERTED = frozenset({"will", "would", "do", "does", "did", "is", "are", "can", "could",
                       "should", "if", "much", "many", "exactly", "about"})
_PRONOUNS = frozenset({"you", "u", "i", "it", "this", "that", "my", "we", "they", "there",
                       "anyone", "someone", "he", "she"})
_LEADING = frozenset({Control.PAUSE, Control.SKIP})
"""Always-on words that say what a reply wants even with more words around them ("pause it,
my bus stop is next", "no on second thoughts skip"); "back" and "stop" do not ("back pain")."""
_QUESTION_OPENERS = frozenset({"what", "whats", "what's", "which", "why", "how", "does",
                               "where", "when", "who", "whos", "who's", "wdym", "did", "has",
                               "have", "can", "do"})
_REQUESTING = frozenset({"can", "could", "will", "would", "do"})
"""With "you" after them, these ask the bot to do something ("can you send it")."""
_WH = frozenset({"who", "what", "whats", "what's", "where", "when", "why", "how", "which"})
_YOU = frozenset({"you", "u", "ya", "we", "yall"})
"""After "can" or "do", these make a request ("can you send it"), not a question."""
_HEDGES = frozenset({"it", "its", "it's", "if", "that", "whether", "but", "though", "they",
                     "we", "he", "she", "there", "this", "the", "a", "about"})
"""After "not sure", these open the person's answer ("not sure it helped, but...")."""
_SUBJECTS = frozenset({"i", "im", "i'm", "we", "ive", "i've", "its", "it's"})
_AUXILIARY = frozenset({"will", "does", "do", "are", "is", "can", "could", "should", "would",
                        "am", "did"})
_NEGATIVE_AUXILIARY = frozenset({"didnt", "didn't", "dont", "don't", "doesnt", "doesn't", "isnt",
                                 "isn't", "cant", "can't", "wont", "won't"})
"""With a pronoun after them and a question mark, these ask ("didnt i just say that?")."""
_PEOPLE = frozenset({"people", "anybody", "somebody", "staff", "doctors", "nurses"})
"""After "do" or "will", these ask about who sees a story ("do people actually read these")."""
_FIRM_NO = frozenset({"no", "nah", "nope", "na"})
"""A reply that opens with one of these is a no, however it goes on."""
_FIRM_YES = frozenset({"yes", "yeah", "yep", "yup", "yea", "yeh", "ok", "okay", "sure", "yh",
                       "ye", "ya"})
"""A short reply that opens with one of these says yes, whatever else it mentions."""
_PART = re.compile(r"\b(?:just|only) (?:one|the|my|some|part)\b|\b(?:one|some|part) of\b"
                   r"|\bjust the last\b"
                   r"|\bmore th[ae]n one\b")
"""Words that ask about a part of what a choice does ("can i erase just one story")."""
_USES = [[w] for w in ("with", "from", "for", "to", "getting", "at", "in", "on", "the", "a")]
"""Words after "help" or "skip" that make them part of an answer ("help with transport")."""
_REMARK = _PRONOUNS | {"is", "are", "was", "were", "thats", "that's", "should", "think", "dear",
                       "so", "its", "it's", "we're"}
"""Words that make a part of a themes reply a remark about them, not a theme of its own."""
_CUT_OFF = frozenset({"the", "a", "an", "and", "is", "but", "so", "my", "then"})
"""A short reply ending in one of these was cut off ("so the thing is")."""
_FIRST_PERSON = frozenset({"i", "im", "i'm", "ill", "i'll", "wait", "sorry", "oops", "can",
                           "we", "ive", "i've", "we'll", "well"})
_HESITATION = frozenset({"hmm", "hmmm", "umm", "um", "erm", "er", "uh", "uhh", "mmm", "hm", "wow"})
_VAGUE = frozenset({"please", "course", "fine", "great", "cool", "lovely", "ready", "k"})
"""Yes-words that do not make a longer reply a yes when they open it."""


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


def understand(text: str, asked: Asked) -> Understood:
    """The one reading of ``text`` at ``asked``."""
    text = as_typed(without_signature(text.strip()))
    said = plain(text)
    if not said or (not asked.ok_is_yes and said in phrases("words.acknowledged")):
        return Understood(Reading.UNCLEAR)  # "ok" at "start again? what you wrote is cleared"
    if asked.kind is not AnswerKind.TEXT:
        changed = _changed_mind(text, asked)  # "yes... actually no"
        if changed is not None:
            return changed
    for read in _readers():
        found = read(said, text, asked)
        if found is not None:
            return _as_choice(found, said, asked)
    if asked.kind is AnswerKind.TEXT:
        return Understood(Reading.ANSWER)
    return _as_choice(Understood(Reading.UNCLEAR), said, asked)


def _changed_mind(text: str, asked: Asked) -> Understood | None:
    """At a question with options, only what follows the last change of mind counts."""
    marks = sorted([*pattern(phrases("words.changed_mind")).finditer(text.casefold()),
                    *re.finditer(r"\.{2,}|…", text)], key=lambda m: m.start())
    tail = text[marks[-1].end():].strip(" ,.;!-") if marks else ""
    if marks and marks[-1].group()[0] in ".…" and plain(tail).split()[:1] not in (
            [[w] for w in _FIRM_NO | _HESITATION]):
        return None  # "staff... well and patient sometimes": a pause, not a change of mind
    if not tail and len(marks) >= 2:  # "yes... hmm no actually"
        tail = text[marks[-2].end():marks[-1].start()].strip(" ,.;!-")
    if not tail or marks[-1].start() == 0:
        return None
    bare = re.sub(r"^(?:no|nah|nope)\b[\s,]*", "", tail, flags=re.IGNORECASE)
    if asked.kind is not AnswerKind.CHOICE and plain(bare).split()[:1] in (
            ["not"], ["except"], ["but"]):
        return None  # "1 2 and 3... actually no, not 2" corrects the list: read it whole
    for part in dict.fromkeys((bare, tail)):
        if part and plain(part):
            found = understand(part, asked)
            if found.reading is not Reading.UNCLEAR:
                return found
    if marks[-1].group() in {"actually", "i mean"}:
        return None  # "how long does it actually take"
    return Understood(Reading.UNCLEAR)  # "yes... no wait i want to change something": not a yes


def _readers() -> tuple[Reader, ...]:
    """The readers, in the order they are tried: the first that knows wins."""
    return (_not_for_us, _complaint, _aside, _asks_first, _how_far, _stated_question, _hesitating,
            _rather_not, _unsure_if, _restart, _exact_choice, _exact_control, _choice_phrase,
            _control_phrase, _dont_know, _nothing_tried, _greeting, _only_questions, _question,
            _yes_no, _asking, _fuzzy_control, _loose_choice, _filler)


def _as_choice(found: Understood, said: str, asked: Asked) -> Understood:
    """Where a choice means "later" or "start again", those words pick it."""
    if asked.later and (found.reading is Reading.PAUSE or (
            found.reading is Reading.UNCLEAR and contains(said, phrases("words.later")))):
        return Understood(Reading.CHOICE, asked.later)
    if asked.again and found.reading is Reading.RESTART:
        return Understood(Reading.CHOICE, asked.again)
    if found.reading is Reading.SKIP and asked.skip_is_no:  # "No, skip them"
        return Understood(Reading.CHOICE, asked.no)
    if found.reading is Reading.SKIP and asked.yes and asked.no and (re.search(
            r"\b(?:rather|prefer) not\b|\bleave it\b", said) or said.split()[0] in _FIRM_NO):
        return Understood(Reading.CHOICE, asked.no)  # "nah ill leave it"
    return found


def _first_clause(text: str) -> str:
    """What a reply says before its first full stop, comma or dash ("Not yet. Everyone...")."""
    return plain(re.split(r"[.,;!?\n]|\s-\s", text.strip(), maxsplit=1)[0])


# Readers, in order: each returns a reading, or None to let the next one try.
def _asks_first(said: str, text: str, asked: Asked) -> Understood | None:
    """At a question with options, a question back is a question even when it names one
    ("what happens if I say yes", "does volunteer count as staff"), unless it asks the bot
    to do something ("can you send it")."""
    words_said = said.split()
    if asked.kind not in (AnswerKind.CHOICE, AnswerKind.PICKS) or len(words_said) < 3:
        return None
    parts = re.split(r"[,.;]|\bbut\b|\bbefore i send\b", text.strip())
    last = plain(parts[-1]).split()
    if len(parts) > 1 and len(last) == 2 and last[0] in _WH and last[1] in {"one", "is", "then"}:
        return Understood(Reading.QUESTION)  # "i started it but the team ran it, which one"
    after_but = re.split(r"\bbut\b", text.strip())[1:]  # "yes 1 but who reads the summary"
    but_asks = bool(after_but) and plain(after_but[-1]).split()[:1] in [[w] for w in _WH]
    clause = plain(after_but[-1]).split() if after_but else []
    if len(clause) >= 3 and clause[0] in _AUXILIARY and (
            text.rstrip().endswith("?") or clause[1] in _PRONOUNS) and not _control_phrase(
                said, text, asked):
        return Understood(Reading.QUESTION)  # "ok but will someone get back to me before..."
    asks = text.rstrip().endswith("?") or but_asks
    if asks and len(last) >= 3 and (
            last[0] in _QUESTION_OPENERS | _AUXILIARY) and not _control_phrase(said, text, asked):
        return Understood(Reading.QUESTION)  # "yes ok, but is this going to my doctor?"
    opens = (words_said[0] in _QUESTION_OPENERS and not (
        words_said[0] in _REQUESTING and words_said[1] in _YOU)) or _conditional(said)
    if not opens or "?" in text.strip().rstrip("?") or match_choice(text, asked.choices) or (
            match_choice(_first_clause(text), asked.choices)) or (
            "?" not in text and _opens_with_choice(said, asked)):
        return None  # "does it matter? rather not" answers after asking
    if len(asked.choices) >= 5 and not text.rstrip().endswith("?") and contained_choice(
            said, asked) is not None:
        return None  # "how to spread it" at "which answer would you like to change?"
    if words_said[0] == "can" and asked.kind is AnswerKind.CHOICE and contained_choice(
            said, asked) is not None and not _PART.search(said):
        return None  # "can i change the place" asks for a choice; "...just one story" asks
    if _control_phrase(said, text, asked) is None or _PART.search(said):
        return Understood(Reading.QUESTION)  # "can I just delete the last one?" is not status
    return None


def _how_far(said: str, text: str, asked: Asked) -> Understood | None:
    """ "last question?", "this is the end?": asks how far through, not to go back."""
    if text.rstrip().endswith("?") and len(said.split()) <= 5 and re.match(
            r"(?:(?:is this|this is|is that|that is)\b.*\b(?:last|end|final)|last|final)\b",
            said):
        return Understood(Reading.STATUS)
    return None


def _stated_question(said: str, text: str, asked: Asked) -> Understood | None:
    """A question put as a statement, or one that echoes the question back
    (``flows/second_language.py``): a question, not an answer."""
    if len(said.split()) > SHORT + 4:
        return None
    found = stated_question(text, options=asked.kind is not AnswerKind.TEXT)
    return Understood(Reading.QUESTION) if found else None


_INTERJECTED = re.compile(r"^(?:(?:wait|sorry|no|oh|oops|hang on|hold on|ok|actually)"
                          r"[\s,!.]+)+"
                          r"(?P<word>\w+(?: \w+)?)\s*(?:[,.!;]|$|\bi\b)")
"""Words before an always-on word that only interrupt ("no sorry go back, i said...")."""


def _exact_control(said: str, text: str, asked: Asked) -> Understood | None:
    bare = " ".join(w for w in said.split() if w not in phrases("words.filler") | ASIDES)
    control = as_control(text) or (as_control(bare) if bare else None)  # "ugh restart"
    interjected = _INTERJECTED.match(text.strip().casefold())
    if control is None and interjected is not None and len(said.split()) <= SHORT:
        control = as_control(interjected.group("word"))  # "wait back, the place is wrong"
    words_said = re.sub(r"(\w)\1{2,}", r"\1\1", said).split()  # "skippp"
    if control is None and len(words_said) <= PHRASED:
        ends = as_control(words_said[-1]) if (len(words_said) <= 4 or (
            len(words_said) <= 6 and words_said[0] in _FIRM_NO | {"actually", "wait"})) and (
            words_said[0] not in INTERROGATIVE) else None  # but "what's next" asks
        starts = as_control(words_said[0])
        if starts is Control.SKIP and asked.kind is AnswerKind.TEXT and re.search(
                r"(?:,|\bbut)\s+(?:it'?s|it is|it was)\s+\w", text.casefold()):
            starts = None  # "skip the name but its a GP" answers
        control = next((c for c in (starts, ends) if c in _LEADING), None)
        control = control or as_control(" ".join(words_said))
    return None if control is None else Understood(_CONTROL_READINGS[control])


_EDITS = re.compile(r"\bbut\b.*\b(?:change|take out|take off|remove|edit|fix|delete|correct"
                    r"|add)\b")
"""After a "send it", words that ask for a change first ("send it but take out the name")."""


def _exact_choice(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.no == "change" and asked.yes and _EDITS.search(said) and not said.startswith(
            ("no", "change")):
        return Understood(Reading.CHOICE, asked.no)  # "send it but take out the nurse's name"
    if asked.kind is AnswerKind.CHOICE and asked.no and said.split()[0] in _FIRM_YES:
        rest = " ".join(_first_clause(text).split()[1:])
        named = match_choice(rest, asked.choices) if rest and rest not in (
            phrases("words.no") | phrases("words.yes")) else None
        if named is not None and named.value == asked.no:
            return Understood(Reading.CHOICE, named.value)  # "yes stop": stop, not carry on
    if asked.kind is AnswerKind.CHOICE:
        number = picked_number(_first_clause(text), len(asked.choices))
        calm = " ".join(w for w in _first_clause(text).split() if w not in ASIDES)
        aside = match_choice(calm, asked.choices) if calm != _first_clause(text) else None
        if number is None and aside is not None:  # "both tbh, I work here and..."
            return Understood(Reading.CHOICE, aside.value)
        if number is not None:  # "number one please", "the second option pls, on my break"
            return Understood(Reading.CHOICE, asked.choices[number].value)
        picked = match_choice(text, asked.choices) or match_choice(
            _first_clause(text), asked.choices)  # "both, i work there and i'm a patient"
        clauses = [c for c in re.split(r"[,.;!]", text) if plain(c)]
        if picked is None and len(clauses) >= 2:  # "still dont get it, more pls"
            last = " ".join(w for w in plain(clauses[-1]).split() if w not in POLITE)
            picked = match_choice(last, asked.choices) if last else None
        if picked is None and "," in text:  # "the second one, what it was meant to fix"
            index = ordinal_index(_first_clause(text), len(asked.choices))
            picked = None if index is None else asked.choices[index]
        return None if picked is None else Understood(Reading.CHOICE, picked.value)
    if asked.kind is AnswerKind.PICKS and as_control(said.split()[0]) is Control.PAUSE:
        return None  # "brb 2 mins"
    if asked.kind is AnswerKind.PICKS:
        asking = (said.split()[0] in INTERROGATIVE or _conditional(said) or (
            text.rstrip().endswith("?") and bool(set(said.split()) & _WH))) and not re.search(
                r"\d", said)
        if asking:
            return None
        first = _first_clause(text)
        if first != said and first in phrases("words.all"):  # "all of them, go for it"
            return Understood(Reading.CHOICE, [c.value for c in asked.choices
                                               if c.value != "none"])
        if first != said and first in NONE_WORDS and not re.search(r"\d", said):
            return Understood(Reading.NONE)
        return _picks(numbered(said, len(asked.choices)), asked)
    if asked.kind is AnswerKind.THEMES:
        return _themes(said, text, asked)
    return None


def _choice_phrase(said: str, text: str, asked: Asked) -> Understood | None:
    """At a choice question, a reply holding the several words of exactly one choice ("hmm
    not sure, tell me more", "id rather not say")."""
    if asked.kind is not AnswerKind.CHOICE:
        return None
    holding = {c.value for c in asked.choices for name in choice_names(c)
               if len(name.split()) >= 2 and contains_phrase(said, name)}
    return Understood(Reading.CHOICE, holding.pop()) if len(holding) == 1 else None


def _yes_with_a_wish(said: str, asked: Asked) -> bool:
    """ "OK for me, but please no name of my daughter": a yes with a wish about what is
    kept, not a skip (but "ok but can we skip this" asks to skip)."""
    return bool(asked.yes) and said.split()[0] in _FIRM_YES and not any(
        as_control(w) is Control.SKIP for w in said.split())


def _opens_with_choice(said: str, asked: Asked) -> bool:
    """Does a reply open with the several words of a choice ("where we were is fine, go")?"""
    return any(len(name.split()) >= 2 and said.startswith(f"{name} ")
               for c in asked.choices for name in choice_names(c))


def _control_phrase(said: str, text: str, asked: Asked) -> Understood | None:
    """A short reply that says one of the always-on words in other words ("can we finish
    later", "how many more questions", "skip this one", "pause i need to get back")."""
    if asked.yes and said.split()[0] in _FIRM_YES and opens_with(
            " ".join(_first_clause(text).split()[1:]), phrases("words.phrase.pause"), SHORT):
        return Understood(Reading.PAUSE)  # "ok need to go, back later": not a yes
    if asked.yes and said.split()[0] in _FIRM_YES and not re.search(
            r"\b(?:can|could) (?:we|i)\b|\bbut\b", said):
        return None  # "yes quickly pls on my break"
    short = len(said.split()) <= SHORT + 2  # "someone at the door, can we carry on later"
    if short or len(_first_clause(text).split()) <= PHRASED:  # "can i just start again, i..."
        for asking in _REQUEST.finditer(said if short else _first_clause(text)):
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
                found = _CONTROL_READINGS[control]
            if found is None and asking.start("rest") > asking.start() and _later_request(
                    said, asking.start(), rest):
                found = Reading.PAUSE  # "can i answer this one later", "let me ... later"
            if found is Reading.SKIP and _yes_with_a_wish(said, asked):
                found = None  # "OK for me, but please no name of my daughter": a yes, a wish
            if found is not None:
                return Understood(found)
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
            return Understood(_CONTROL_READINGS[control])
    for reading in _PHRASED_ORDER:
        if reading is Reading.SKIP and _yes_with_a_wish(said, asked):
            continue  # "OK for me, but please no name of my daughter": a yes with a wish
        if any(reading is not Reading.PAUSE or not _goes_on(said, found.end())
               for found in pattern(phrases(f"words.phrase.{reading.value}")).finditer(said)):
            return Understood(reading)
    return None


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


def _complaint(said: str, text: str, asked: Asked) -> Understood | None:
    complaint = phrases("words.complaint")
    if asked.nothing_tried:  # "I contacted PALS" is something tried, and PALS someone else
        complaint = complaint - phrases("words.contact_routes")
    if len(said.split()) > SHORT * 2 and (asked.kind is AnswerKind.TEXT or not contains(
            said, complaint)):
        return None  # a long story is kept as the answer; at options there is none to keep
    topic = phrases("words.complaint.topic")
    if asked.nothing_tried:
        topic = topic - phrases("words.contact_routes")
    wishes = len(said.split()) <= 4 or contains(said, phrases("words.complaint.intent"))
    if contains(said, complaint) or (wishes and contains(said, topic)):
        return Understood(Reading.COMPLAINT)
    return None


def _restart(said: str, text: str, asked: Asked) -> Understood | None:
    """The whole thing again, however it is put ("this is all wrong just start the whole
    thing over", "can we do it all again from the start")."""
    if len(said.split()) <= SHORT + 2 and not negated(said) and contains(
            said, longer("words.phrase.restart", 3)):
        return Understood(Reading.RESTART)
    last = plain(re.split(r"[,.;!]", text.strip().rstrip(".!"))[-1])
    if last != said and len(last.split()) <= PHRASED and not negated(last) and contains(
            last, longer("words.phrase.restart", 3)):
        return Understood(Reading.RESTART)  # "i stopped in the middle, i want start new..."
    return None


_LOST = re.compile(r"(?:i'?m |im |i am )?(?:not sure|(?:i )?(?:dont|don't|do not) know)"
                   r" what (?:to|i should|im meant to|i'm meant to|i am meant to) (?:do\b"
                   r"|.*\b(?:help|examples?)$)")
"""Not knowing what to do here ("not sure what to put here, any examples?"): help."""


_TURN = re.compile(r"^(?:\S+ ){1,7}?(?P<turn>but|so) (?P<who>i|we|my|our|the|she|he|they|a|an"
                   r"|it|its|it's) (?P<rest>(?:\S+ ){2,}\S+)$")
"""A hedge, then "but" or "so" and an answer of its own ("not sure, but the new manager...",
"nothing from the surgery, but I rang 111 myself")."""
_STILL_UNSURE = re.compile(r"\b(?:not|no|nobody|noone|nothing|never|dont|don't|didnt|didn't"
                           r"|cant|can't|idk|dunno|unsure|complain\w*)\b")
_NOT_DOING = frozenset({"came", "come", "was", "am", "think", "thought", "guess", "hope", "want",
                        "wanted", "need", "needed", "just", "only", "still", "would", "wish"})
"""After "nothing, but I", these words say no deed ("nothing yet, so i came here")."""


def _turns_to_answer(said: str, asked: Asked, deed: bool = False) -> bool:
    """At an open question, a reply that opens unsure and then turns, with "but", to an
    answer ("not sure, but the new manager seems to be changing things") answers. After
    "nothing", only a deed of the person's own turns it ("nothing from the surgery, but I
    rang 111 myself"). Not when what follows is unsure too ("...but nobody told me")."""
    turn = _TURN.match(said) if asked.kind is AnswerKind.TEXT else None
    if turn is None or _STILL_UNSURE.search(turn.group("rest")) or contains(
            turn.group("rest"), phrases("words.dont_know")):
        return False
    if deed:
        return turn.group("who") in {"i", "we"} and turn.group("rest").split()[0] not in _NOT_DOING
    return turn.group("turn") == "but"


def _dont_know(said: str, text: str, asked: Asked) -> Understood | None:
    unsure = phrases("words.dont_know")
    if _turns_to_answer(said, asked):
        return None
    if _LOST.match(said) and len(said.split()) <= SHORT:
        return Understood(Reading.HELP)
    if contains(said, phrases("words.meaning")) and said not in unsure and not re.match(
            r"(?:i )?(?:dont|don't|do not) know how to (?:explain|say|put|describe)", said):
        return None  # but "i dont know how to explain it" does not know
    bare = " ".join(w for w in said.split() if w not in phrases("words.filler"))
    if bare.rstrip("?") in phrases("words.dont_know.alone"):
        return Understood(Reading.DONT_KNOW)
    first = _first_clause(text)
    if said in unsure or bare in unsure or opens_with(said, unsure, SHORT) or first in unsure or (
            _without_fillers(first) in unsure) or (  # "hmm dunno"
            first.startswith(("i ", "im ", "i'm ")) and first.split(" ", 1)[1] in unsure):
        return Understood(Reading.DONT_KNOW)  # "I don't really know, it's all a blur"
    if len(said.split()) <= 4 and contains(said, longer("words.dont_know", 2)):  # "hmm not sure"
        return Understood(Reading.DONT_KNOW)
    if len(said.split()) <= PHRASED + 2 and not contains(said, frozenset({"but"})):
        found = pattern(longer("words.dont_know", 2)).search(said)
        if found is None:
            return None
        after = said[found.end():].split()
        opening = len(said[:found.start()].split()) <= 2 and (not after or after[0] not in _HEDGES)
        if opening or not after:  # "not sure what would help", "so we don't know yet"
            return Understood(Reading.DONT_KNOW)
    return None


def _nothing_tried(said: str, text: str, asked: Asked) -> Understood | None:
    if not asked.nothing_tried or _turns_to_answer(said, asked, deed=True):
        return None
    nothing = phrases("words.nothing_tried")
    hedged = " ".join(w for w in _first_clause(text).split() if w not in _HEDGING)
    if said in nothing or opens_with(said, nothing, SHORT) or _angry_nothing(said) or (
            _without_fillers(said) in nothing) or (
            _first_clause(text) in nothing and len(said.split()) <= SHORT * 2) or (
            hedged in nothing and len(said.split()) <= SHORT * 2):
        return Understood(Reading.NOTHING_TRIED)
    return None


_HEDGING = frozenset({"actually", "well", "oh", "honestly", "um", "erm", "really", "tbh", "so",
                     "sadly", "unfortunately", "no"})
"""Words around "nothing yet" that do not change it ("well nothing yet really, I was...")."""


def _greeting(said: str, text: str, asked: Asked) -> Understood | None:
    greetings = phrases("words.greeting")
    if text.rstrip().endswith("?") and len(said.split()) > 2:
        return None  # "Hello is this the hospital?" asks
    said = re.sub(r"(\w)\1{2,}\b", r"\1", said)  # "heyyy", "hiii"
    first = said.split()[0]
    if said in greetings or (len(said.split()) <= 6 and first in greetings
                             and first not in phrases("words.yes") and not _yes_word(said)):
        return Understood(Reading.GREETING)
    if len(said.split()) <= PHRASED and any(said.startswith(f"{g} ") for g in longer(
            "words.greeting", 2)):
        return Understood(Reading.GREETING)  # "im back sorry got called away"
    return None


def _question(said: str, text: str, asked: Asked) -> Understood | None:
    words_said = said.split()
    while len(words_said) > 2 and words_said[0] in {"wait", "sorry", "oh", "um", "hmm", "erm"}:
        words_said = words_said[1:]  # "wait is this about the gp thing or the hospital thing"
    said = " ".join(words_said)
    if asked.kind is AnswerKind.TEXT and len(words_said) <= SHORT + 4 and words_said[0] in (
            _AUXILIARY) and words_said[1] in {"it", "this", "i", "we"} and "or" in words_said[2:]:
        return Understood(Reading.QUESTION)  # "does it have to be about my doctor or can it..."
    if asked.kind is AnswerKind.TEXT and 2 <= len(words_said) <= SHORT + 4 and (
            words_said[0] in {"are", "will", "did", "do", "can", "could"}
            and words_said[1] in {"you", "u"}):
        return Understood(Reading.QUESTION)  # "are you going to pass this on to someone..."
    if len(words_said) > SHORT or (asked.yes and words_said[0] in _FIRM_YES and "?" not in text):
        return None  # "yes but i dont want my name on it" says yes
    if asked.kind is AnswerKind.TEXT and re.search(r"\bwhat\b.*\bmeans?\b", said) and (
            contains(said, phrases("words.meaning"))):
        return Understood(Reading.QUESTION)  # "sorry what does build on mean here"
    asking = text.rstrip().endswith("?") or words_said[0] in INTERROGATIVE
    about_us = contains(said, phrases("words.question"))
    strong = longer("words.question", 3)
    alone = said.rstrip("?") in phrases("words.question.alone")
    if (asking and about_us) or alone or said in phrases("words.question") or contains(
            said, strong):
        return Understood(Reading.QUESTION)
    if asked.kind is AnswerKind.TEXT and text.rstrip().endswith("?") and (
            len(words_said) <= 4 or contains(said, phrases("words.meaning"))
            or words_said[0] in INTERROGATIVE | {"as", "sorry", "so", "if", "but"}
            or (words_said[0] in _NEGATIVE_AUXILIARY and words_said[1] in _PRONOUNS)
            or (len(words_said) <= PHRASED and bool(set(words_said) & _WH))):
        return Understood(Reading.QUESTION)  # "used to work where, here or anywhere?"
    if asked.kind is AnswerKind.TEXT and len(words_said) >= 2 and (
            (words_said[0] in _NEGATIVE_AUXILIARY and words_said[1] in {"i", "you", "u"}
             and len(words_said) <= PHRASED)  # "didnt i just say that"
            or (words_said[0] in INTERROGATIVE - _AUXILIARY and words_said[1] in _INVERTED)
            or (words_said[0] in _AUXILIARY and words_said[1] in _PRONOUNS | _PEOPLE)):
        return Understood(Reading.QUESTION)  # "where will it be shown", "did you send it"
    if asked.kind is AnswerKind.TEXT and words_said[0] in _AUXILIARY and (
            contains(said, phrases("words.to_us")) and len(words_said) <= SHORT):
        return Understood(Reading.QUESTION)
    if len(words_said) <= 4 and contains(said, _WH) and (  # "spread to who"
            asked.kind is AnswerKind.TEXT and words_said[-1] in _WH | {"exactly"}):
        return Understood(Reading.QUESTION)
    return None


def _asking(said: str, text: str, asked: Asked) -> Understood | None:
    """At a choice question, a question back that picks no choice."""
    words_said = said.split()
    asking = text.rstrip().endswith("?") or words_said[0] in INTERROGATIVE or _conditional(said)
    if asked.kind is not AnswerKind.TEXT and (not asking or len(words_said) > SHORT):
        return _asks_about_us(said, text, asked)
    if asked.kind is AnswerKind.TEXT and "?" in text.strip().rstrip("?"):
        return _asks_about_us(said, text, asked)  # "is this going to get back to my GP? i..."
    if not asking or len(words_said) > SHORT or asked.kind is AnswerKind.TEXT:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", said)]
    if any(1 <= n <= max(len(asked.choices), 1) for n in numbers) or _choice_phrase(
            said, text, asked) is not None:  # but "5 mins really?" at a yes/no asks
        return None
    if asked.kind is AnswerKind.CHOICE and contained_choice(said, asked) is not None:
        return None
    return Understood(Reading.QUESTION)


def _asks_about_us(said: str, text: str, asked: Asked) -> Understood | None:
    """A reply that opens by asking about the bot ("Is this safe? My grandson told me...")."""
    first, _, rest = text.partition("?") if "?" in text else ("", "", "")
    if asked.kind is AnswerKind.TEXT and len(plain(rest).split()) > PHRASED and not contains(
            plain(rest), phrases("words.topic.privacy")):
        return None  # a story that opens with a question of its own
    if first and len(plain(first).split()) <= SHORT and (
            plain(first).split()[0] in INTERROGATIVE and contains(
                plain(first), phrases("words.question"))):
        return Understood(Reading.QUESTION)
    return None


def _filler(said: str, text: str, asked: Asked) -> Understood | None:
    """At an open question, a yes, an "ok", a "lol", a bare number, or "me" alone at "has
    anyone tried?" is not yet an answer; a plain "nah" to a question that may be left is a
    no, not an answer to keep."""
    if asked.kind is not AnswerKind.TEXT:
        return None
    if not asked.yes_is_answer and (
            said in phrases("words.filler") or (_yes_word(said) and len(said.split()) <= 2)):
        return Understood(Reading.UNCLEAR)
    if re.fullmatch(r"\d{1,2}", said) or ordinal_index(said, 8) is not None or _only_a_day(said):
        return Understood(Reading.UNCLEAR)
    if re.fullmatch(r"(?:\d{1,2}|and|please|\s)+", said) and len(said.split()) >= 2:
        return Understood(Reading.UNCLEAR)  # "1 and 4 please": an answer to another question
    thanked = [re.sub(r"(?:\s+x+)+$", "", plain(c)) for c in re.split(
        r"\s*[,.;!]\s*|\s+(?:and|for)\s+", text.casefold()) if plain(c)]
    if all(c in phrases("words.thanks") for c in re.split(r"\s*[,.;!]\s*|\s+(?:and|for)\s+",
                                                          said) if c) or said in phrases(
            "words.thanks") or (thanked and all(c in phrases("words.thanks") for c in thanked)) or (
            re.sub(r"(?:\s+x+)+$", "", said) in phrases("words.thanks")):
        return Understood(Reading.UNCLEAR)  # "Thank you very much, you've been very helpful"
    if len(said.split()) <= 5 and said.split()[-1] in _CUT_OFF:
        return Understood(Reading.UNCLEAR)  # "so the thing is", "and then the"
    clauses = [plain(c) for c in re.split(r"[,.;!]", text) if plain(c)]
    if not asked.yes_is_answer and clauses and all(c in phrases("words.yes") or (
            c.split()[0] in _FIRM_YES and " ".join(c.split()[1:]) in phrases("words.yes"))
            for c in clauses):
        return Understood(Reading.UNCLEAR)  # "Yes, that's OK with me"
    if not re.search(r"\w", said) or re.fullmatch(r"(\w)\1{3,}\w*|\w", said):
        return Understood(Reading.UNCLEAR)  # "🙃🙃🙃", "x", "jjjjjk"
    if re.fullmatch(r"(?:(?:[hj]a|h[ei]|ja|je)+h?|lo+l|lmf?ao+|rofl)(?:\s+\S+)?", said) and (
            len(said.split()) == 1):
        return Understood(Reading.UNCLEAR)  # "hahaha", "hehe", "jajaja": a laugh, not an answer
    if asked.nothing_tried and any(said in phrases(key) for key in _WHO):
        return Understood(Reading.UNCLEAR)  # who, but not yet what: "me"
    if asked.optional and not asked.nothing_tried and said in phrases("words.no"):
        return Understood(Reading.NONE)  # "nah" to "which service?" is not a service
    return None


def _only_a_day(said: str) -> bool:
    """ "thursday", "the 14th", "last monday": a day alone answers no open question here."""
    days = "|".join(re.escape(d) for d in sorted(phrases("words.weekdays"), key=len, reverse=True))
    return re.fullmatch(rf"(?:(?:on|last|next|this|since) )?(?:the )?(?:{days}|\d{{1,2}}"
                        r"(?:st|nd|rd|th)(?: of \w+)?)", said) is not None


def _hesitating(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.yes and _hesitant(said, text):
        return Understood(Reading.UNCLEAR)  # "hmm ok?": asked again, not taken as a yes
    return None


def _not_for_us(said: str, text: str, asked: Asked) -> Understood | None:
    """A message meant for someone else, or not meant ("sorry wrong chat lol", "omg sorry that
    was meant for teams", "testing 1 2 3"): never read as an answer."""
    if len(said.split()) <= SHORT and (contains(said, phrases("words.not_for_us")) or (
            said.split()[0] in {"test", "testing"} and len(said.split()) <= 6)):
        return Understood(Reading.UNCLEAR)
    return None


def _aside(said: str, text: str, asked: Asked) -> Understood | None:
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


def _only_questions(said: str, text: str, asked: Asked) -> Understood | None:
    """At an open question, a reply made only of questions is not an answer ("what kind of
    thing do you want? work stuff or as a patient?")."""
    sentences = [c for c in re.split(r"(?<=[.!?])\s+", text.strip()) if plain(c)]
    if asked.kind is not AnswerKind.TEXT or not sentences or len(said.split()) > SHORT * 2:
        return None
    opener = plain(sentences[0]).split()[0]
    if all(c.rstrip().endswith("?") for c in sentences) and opener in (
            INTERROGATIVE | _NEGATIVE_AUXILIARY):
        return Understood(Reading.QUESTION)
    return None


def _rather_not(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.yes and asked.no and re.search(r"\b(?:rather|prefer) not\b", said):
        return Understood(Reading.CHOICE, asked.no)  # "id rather not if thats ok"
    return None


def _unsure_if(said: str, text: str, asked: Asked) -> Understood | None:
    """At a question with options, "not sure if that's ok" is not sure, not an ok."""
    if asked.kind is AnswerKind.TEXT:
        return None
    calm = " ".join(w for w in said.split() if w not in _HESITATION | ASIDES) or said
    found = pattern(phrases("words.dont_know")).match(calm)
    after = calm[found.end():].split()[:1] if found else []
    opens = found is not None and found.group().split()[-1] in {"if", "whether"}
    return Understood(Reading.DONT_KNOW) if opens or after in (["if"], ["whether"]) else None


def _without_fillers(said: str) -> str:
    return " ".join(w for w in said.split() if w not in phrases("words.filler")) or said


def _yes_no(said: str, text: str, asked: Asked) -> Understood | None:
    if said.split()[-1] in {"bye", "goodbye", "byee", "cya", "ttyl"} and len(said.split()) <= 4:
        return None  # "k thx bye": leaving, not agreeing
    if asked.yes and (_yes_word(said) or _first_clause(text) in phrases("words.yes")):
        return Understood(Reading.CHOICE, asked.yes)
    if asked.no and _no_word(said):
        return Understood(Reading.CHOICE, asked.no)
    last = plain(re.split(r"[,.;!]", text.strip().rstrip(".!"))[-1])
    if asked.no and last in _FIRM_NO:
        return Understood(Reading.CHOICE, asked.no)
    if asked.yes and last in phrases("words.yes") and not negated(said) and len(
            said.split()) <= SHORT:  # "Thank you, that is reassuring. Yes."
        return Understood(Reading.CHOICE, asked.yes)
    return _one_side(said, asked)


def _hesitant(said: str, text: str) -> bool:
    """A bare "ok" with a question mark or an "hmm" before it is not yet a yes."""
    bare = [w for w in said.rstrip("?").split() if w not in _HESITATION]
    weak = " ".join(bare) in phrases("words.yes") and len(bare) <= 2
    return weak and (text.rstrip().endswith("?") or len(bare) < len(said.split()))


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


def _fuzzy_control(said: str, text: str, asked: Asked) -> Understood | None:
    if len(said) < FUZZY_SHORTEST or len(said.split()) > 2:
        return None
    found = process.extractOne(said, list(_control_words()), scorer=fuzz.ratio,
                               score_cutoff=FUZZY_SCORE)
    return None if found is None else Understood(_CONTROL_READINGS[_control_words()[found[0]]])


def _loose_choice(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.kind is not AnswerKind.CHOICE:
        return None
    for guess in (_ordinal, who_tried, role_of, fuzzy_choice, contained_choice):
        value = guess(said, asked)
        if value is not None:
            return Understood(Reading.CHOICE, value)
    first = _first_clause(text)
    value = contained_choice(first, asked) if first and first != said else None
    return None if value is None else Understood(Reading.CHOICE, value)  # "the permissions, i.."


# Choices, loosely
def _ordinal(said: str, asked: Asked) -> str | None:
    index = ordinal_index(said, len(asked.choices))
    return None if index is None else asked.choices[index].value


TOPICS = ("privacy", "bot", "why", "choice")
"""What a question about the bot can be about, each with its answer (``about.<topic>``) and
its words (``words.topic.<topic>``); the first that matches is answered."""


def tells_a_story(text: str, at_least: int) -> bool:
    """Is an unclear reply to a question with options someone starting their story ("my dad
    waited 9 hours on a trolley"), rather than a muddled yes or no ("yes... no wait")?"""
    said = plain(as_typed(text))
    first = said.split()[0] if said else ""
    answering = phrases("words.yes") | phrases("words.no") | _FIRM_YES | _FIRM_NO | _HESITATION
    return len(said.split()) >= at_least and first not in answering and not text.rstrip(
    ).endswith("?") and not contains(said, phrases("words.changed_mind"))


def question_topic(text: str) -> str | None:
    """What a question about the bot asks about, or None when it is none of ``TOPICS``."""
    said = plain(as_typed(text))
    return next((t for t in TOPICS if contains(said, phrases(f"words.topic.{t}"))), None)


def asks_meaning(text: str) -> bool:
    """Does a question ask what the bot's question means (rather than about the bot)?"""
    return contains(plain(as_typed(text)), phrases("words.meaning"))  # "what means tried?"


def _picks(said: str, asked: Asked) -> Understood | None:
    if said in NONE_WORDS or (contains(said, frozenset({"none"})) and len(said.split()) <= 4) or (
            opens_with(said, NONE_WORDS, 5) and not re.search(r"\d", said)):
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
    agreed = " ".join(w for w in said.split() if w not in _FIRM_YES | POLITE) or said
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
    if said in NONE_WORDS or opens_with(said, NONE_WORDS, 5) or _first_clause(text) in NONE_WORDS:
        return Understood(Reading.NONE)
    if said in phrases("words.filler"):
        return Understood(Reading.UNCLEAR)
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
    if _yes_word(said) and len(said.split()) <= 2:  # "ok": which, though?
        return Understood(Reading.UNCLEAR)
    index = ordinal_index(said, len(labels))
    if index is not None:
        return Understood(Reading.CHOICE, [labels[index]])
    if (not re.search(r"\d", said) or _dont_know(said, text, asked)) and (
            _non_answer(said, text, asked) is not None):
        return None  # "not 100% sure"
    picked = [whole_theme(t, labels) for t in read_themes(tidy_themes(text), labels)
              if t in labels or without_noise(normalise(t))]
    if any(t in labels for t in picked):  # "staffing obviously, we are on our knees"
        picked = [t for t in picked if t in labels or not set(normalise(t).split()) & _REMARK]
    elif picked and all(normalise(t).split()[:1] in [[w] for w in _PRONOUNS | {"ugh", "omg"}]
                        and set(normalise(t).split()) & _REMARK for t in picked):
        return Understood(Reading.UNCLEAR)  # "ugh this is taking ages"
    return Understood(Reading.CHOICE, list(dict.fromkeys(picked))) if picked else None


def _non_answer(said: str, text: str, asked: Asked) -> Understood | None:
    for read in (_exact_control, _control_phrase, _complaint, _dont_know, _greeting, _question,
                 _asking, _fuzzy_control):
        found = read(said, text, asked)
        if found is not None:
            return found
    return None


# Words
def _yes_word(said: str) -> bool:
    yes = phrases("words.yes")
    first = said.split()[0]
    opens = any(said.startswith(f"{p} ") for p in longer("words.yes", 3))
    return said in yes or (opens_with(said, yes, 5) and not negated(said)) or (
        opens and len(said.split()) <= SHORT and not negated(said)) or (
        first in yes and first not in phrases("words.no") and first not in _VAGUE) or (
        len(said.split()) <= SHORT and plain(re.split(r"[,.;!]", said, maxsplit=1)[0]) in yes)


def _no_word(said: str) -> bool:
    no = phrases("words.no")
    return said in no or opens_with(said, no, 6) or said.split()[0] in _FIRM_NO


def _angry_nothing(said: str) -> bool:
    """ "tried?? nobody has tried anything thats the point" """
    return bool(re.search(r"\b(?:nobody|no one|noone|nothing)\b.*\b(?:tried|done|bothered)\b",
                          said)) and not re.search(r"\b(?:so|but) (?:i|we)\b", said)


@cache
def _control_words() -> dict[str, Control]:
    return {word: control for control in Control
            for word in words(f"words.control.{control.value}") if len(word) >= FUZZY_SHORTEST}


_CONTROL_READINGS = {control: reading for reading, control in CONTROLS.items()}


_PHRASED_ORDER = (Reading.STATUS, Reading.RESTART, Reading.BACK, Reading.HELP, Reading.PAUSE,
                  Reading.SKIP)


def _conditional(said: str) -> bool:
    """A question about what happens if ("if i say staff can they work out who i am")."""
    return bool(re.match(r"(?:so )?what if\b", said) or re.match(
        r"if (?:i|we|you|u)\b.*\b(?:can|will|would|could|do|does|is|are)"
        r" (?:they|you|u|it|people|anyone|someone|he|she|my|i|we)\b", said))
