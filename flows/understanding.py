"""What a person meant by a reply, at the question they were asked.

Every step of every flow reads replies here, so "yeah", "dunno", "what do you mean?", "the
first one" or "👍" mean the same wherever they are typed. A reply is read as one
:class:`Reading`: an answer or a choice (with its value), or one of the things people say
instead of answering (don't know, nothing tried, a question about the bot, a greeting, a wish
to complain, or one of the always-on words). The engine decides what each does at a step; a
reading that is not an answer is never stored as one.

The words are the catalogue's (``words.*`` entries), so another language reads its own. Typos
in single words are forgiven with rapidfuzz. Pure: no I/O.

Here: :func:`understand` and the readers in the order they are tried (``_readers``). Each
reader is in the module for what it reads:

- ``flows/read_controls.py``: the always-on words, however they are put;
- ``flows/read_yes_no.py``: yes and no;
- ``flows/read_questions.py``: questions back, about the bot or the question;
- ``flows/read_unsure.py``: not knowing, nothing tried, hesitation;
- ``flows/read_remarks.py``: greetings, complaints, messages meant for someone else, filler;
- ``flows/read_choices.py``: choices, picks and themes.

``flows/understood.py`` holds what they share: :class:`Reading`, :class:`Understood`, the
reply lengths and the common words.

Beside them: ``flows/typed.py`` puts a reply as it was meant to be typed (dictation,
spellings, numbers in words) before any reader sees it; ``flows/choosing.py`` finds which
option a reply picks; ``flows/asked.py`` is what a question accepts; ``flows/wording.py``
matches the catalogue's phrases; ``flows/second_language.py`` tells a question put as a
statement ("you will share this?") from an answer.
"""

from __future__ import annotations

import re

from bot.core.types import Role
from flows import (
    read_choices,
    read_controls,
    read_questions,
    read_remarks,
    read_unsure,
    read_yes_no,
)
from flows.asked import Asked
from flows.spec import AnswerKind
from flows.typed import as_typed, without_signature
from flows.understood import (
    ANSWERS,
    CONTROLS,
    FIRM_NO,
    FIRM_YES,
    HESITATION,
    NOT_ANSWERS,
    PHRASED,
    SHORT,
    Reader,
    Reading,
    Understood,
)
from flows.wording import contains, pattern, phrases, plain

__all__ = [
    "ANSWERS",
    "CONTROLS",
    "NOT_ANSWERS",
    "PHRASED",
    "SHORT",
    "TOPICS",
    "Reader",
    "Reading",
    "Understood",
    "about_key",
    "asks_meaning",
    "question_topic",
    "tells_a_story",
    "understand",
]


def understand(text: str, asked: Asked) -> Understood:
    """The one reading of ``text`` at ``asked``."""
    text = as_typed(without_signature(text.strip()))
    bare = _INTERJECTION.sub("", text, count=1)
    if bare != text and plain(bare) and plain(bare).split()[0] not in {"how", "what"}:
        return understand(bare, asked)  # "Oh I'm not sure about that"; not "Oh how nice"
    refused = re.sub(r"^(?:no|nah|nope)\b[\s,.!]*(?=\w)", "", text, count=1, flags=re.IGNORECASE)
    if asked.kind is AnswerKind.TEXT and refused != text and (
            understand(refused, asked).reading is Reading.SKIP):
        return Understood(Reading.SKIP)  # "no I'd rather you didn't name me after all"
    said = plain(text)
    if not said or (not asked.ok_is_yes and said in phrases("words.acknowledged")):
        return Understood(Reading.UNCLEAR)  # "ok" at "start again? what you wrote is cleared"
    if asked.kind is not AnswerKind.TEXT:
        changed = _changed_mind(text, asked)  # "yes... actually no"
        if changed is not None:
            return changed
    meant = _meant(said, asked)
    if meant is not None:
        return meant
    rest = _after_greeting(text) if asked.kind is not AnswerKind.TEXT else ""
    if rest:
        greeted = understand(rest, asked)  # "Good afternoon. Yes, I am happy to start."
        if greeted.reading is not Reading.UNCLEAR:
            return greeted
    for read in _readers():
        found = read(said, text, asked)
        if found is not None:
            return _as_choice(found, said, asked)
    if asked.kind is AnswerKind.TEXT:
        return Understood(Reading.ANSWER)
    return _as_choice(Understood(Reading.UNCLEAR), said, asked)


_INTERJECTION = re.compile(r"^(?:oh+|ah+|ooh+|aw+)(?: dear| well)?\b[\s,!.]*(?=\w)",
                           re.IGNORECASE)
"""A sound before the reply that changes nothing in it ("Oh I wouldn't know about that")."""


def _changed_mind(text: str, asked: Asked) -> Understood | None:
    """At a question with options, only what follows the last change of mind counts."""
    marks = sorted([*pattern(phrases("words.changed_mind")).finditer(text.casefold()),
                    *re.finditer(r"\.{2,}|…", text)], key=lambda m: m.start())
    tail = text[marks[-1].end():].strip(" ,.;!-") if marks else ""
    if marks and marks[-1].group()[0] in ".…" and plain(tail).split()[:1] not in (
            [[w] for w in FIRM_NO | HESITATION]):
        return None  # "staff... well and patient sometimes": a pause, not a change of mind
    if not tail and len(marks) >= 2:  # "yes... hmm no actually"
        tail = text[marks[-2].end():marks[-1].start()].strip(" ,.;!-")
    if not tail or (marks[-1].start() == 0 and marks[-1].group() in {"actually", "i mean"}):
        return None  # "actually yes" is read whole; "no wait staff, sorry" is staff
    bare = re.sub(r"^(?:no|nah|nope)\b[\s,]*", "", tail, flags=re.IGNORECASE)
    if asked.kind is not AnswerKind.CHOICE and plain(bare).split()[:1] in (
            ["not"], ["except"], ["but"]):
        return None  # "1 2 and 3... actually no, not 2" corrects the list: read it whole
    for part in dict.fromkeys((bare, tail)):
        if part and plain(part):
            found = understand(part, asked)
            if found.reading is not Reading.UNCLEAR:
                return found
    if marks[-1].group() in {"actually", "i mean"} or marks[-1].start() == 0:
        return None  # "how long does it actually take"; "wait no i didnt mean that", whole
    return Understood(Reading.UNCLEAR)  # "yes... no wait i want to change something": not a yes


_MEANT = re.compile(r"(?:(?:sorry|oops|no|wait|actually|ah|oh|soz|yes|yeah|ok) )*(?:i meant|i mean|"
                    r"meant) (.+)")


def _meant(said: str, asked: Asked) -> Understood | None:
    """At a question with options, "sorry i meant 1" or "i meant 3 not 4" picks what it
    names (a correction of this answer, not a wish to go back)."""
    found = _MEANT.fullmatch(said) if asked.kind is not AnswerKind.TEXT else None
    if found is None:
        return None
    named = understand(re.sub(r" not .*$", "", found.group(1)), asked)
    return named if named.reading is Reading.CHOICE else None


def _after_greeting(text: str) -> str:
    """What follows a greeting set off by a comma or a full stop ("hi again, it was the
    pharmacy"), or nothing."""
    said = text.casefold().lstrip()
    opening = pattern(phrases("words.greeting")).match(said)
    if opening is None:
        return ""
    rest = re.match(r"\s*[,.!:;-]+\s*(.+)", said[opening.end():], re.DOTALL)
    return rest.group(1) if rest else ""


def _readers() -> tuple[Reader, ...]:
    """The readers, in the order they are tried: the first that knows wins."""
    return (read_remarks.not_for_us, read_remarks.said_before, read_remarks.blames,
            read_remarks.complains, read_controls.aside,
            read_questions.asks_first, read_controls.how_far, read_questions.stated_question,
            read_unsure.hesitating, read_yes_no.rather_not, read_unsure.unsure_if,
            read_controls.restart, read_choices.exact_choice, read_controls.exact_control,
            read_choices.choice_phrase, read_questions.not_understood,
            read_controls.control_phrase, read_unsure.dont_know,
            read_unsure.nothing_tried, read_unsure.yes_tried, read_remarks.greeting,
            read_questions.only_questions, read_questions.question, read_yes_no.yes_no,
            read_questions.asks_back,
            read_controls.fuzzy_control, read_choices.loose_choice, read_remarks.filler)


def _as_choice(found: Understood, said: str, asked: Asked) -> Understood:
    """Where a choice means "later" or "start again", those words pick it."""
    if asked.later and (found.reading is Reading.PAUSE or (
            found.reading is Reading.UNCLEAR and contains(said, phrases("words.later")))):
        return Understood(Reading.CHOICE, asked.later)
    if asked.again and found.reading is Reading.RESTART:
        return Understood(Reading.CHOICE, asked.again)
    if found.reading is Reading.SKIP and re.search(r"\blater\b|\banother time\b", said):
        found = Understood(Reading.PAUSE)  # "leave it for now ill send later"
        return Understood(Reading.CHOICE, asked.later) if asked.later else found
    if found.reading is Reading.SKIP and asked.skip_is_no:  # "No, skip them"
        return Understood(Reading.CHOICE, asked.no)
    if found.reading is Reading.SKIP and any(c.value == RATHER_NOT for c in asked.choices):
        return Understood(Reading.CHOICE, RATHER_NOT)  # "id prefer not to" at "you are..."
    if found.reading is Reading.SKIP and asked.yes and asked.no and (said.split()[0] in FIRM_NO or (
            asked.no != "change" and re.search(r"\b(?:rather|prefer) not\b|\bleave it\b", said))):
        return Understood(Reading.CHOICE, asked.no)  # "nah ill leave it"; "leave it" at the
        # review does not ask to change an answer

    return found


RATHER_NOT = Role.RATHER_NOT_SAY.value
"""The option to say nothing, where a question has one: what a skip picks there."""

TOPICS = ("privacy", "bot", "why", "choice", "summaries")
"""What a question about the bot can be about, each with its answer (``about.<topic>``) and
its words (``words.topic.<topic>``); the first that matches is answered."""


def tells_a_story(text: str, at_least: int) -> bool:
    """Is an unclear reply to a question with options someone starting their story ("my dad
    waited 9 hours on a trolley"), rather than a muddled yes or no ("yes... no wait")?"""
    said = plain(as_typed(text))
    first = said.split()[0] if said else ""
    answering = phrases("words.yes") | phrases("words.no") | FIRM_YES | FIRM_NO | HESITATION
    return len(said.split()) >= at_least and first not in answering and not text.rstrip(
    ).endswith("?") and not contains(said, phrases("words.changed_mind"))


def question_topic(text: str) -> str | None:
    """What a question about the bot asks about, or None when it is none of ``TOPICS``."""
    said = plain(as_typed(text))
    return next((t for t in TOPICS if contains(said, phrases(f"words.topic.{t}"))), None)


def about_key(text: str) -> str:
    """The words that answer a question about the bot: ``about.<topic>``, or ``about``."""
    topic = question_topic(text)
    return f"about.{topic}" if topic else "about"


def asks_meaning(text: str) -> bool:
    """Does a question ask what the bot's question means (rather than about the bot)?"""
    said = plain(as_typed(text))
    if question_topic(text) is not None:
        return False  # "what does anonymous mean?", "what are weekly summaries?": the topic's
    if contains(said, phrases("words.meaning") | phrases("words.meaning.put")):  # "what means"
        return True
    if len(said.split()) > 4:  # "what are themes?": a short "what is" question
        return False
    rest = next((said[len(start):] for start in phrases("words.meaning.what")
                 if said.startswith(f"{start} ")), None)
    return rest is not None and not contains(rest, phrases("words.meaning.not"))
