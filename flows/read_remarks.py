"""What is neither an answer nor a question: a hello, a wish to complain, a message meant
for someone else ("sorry wrong chat lol"), and, at an open question, what is not yet an
answer ("ok", "lol", "thanks", a bare number or day, "so the thing is"). Pure: no I/O."""

from __future__ import annotations

import re

from flows import read_yes_no
from flows.asked import Asked
from flows.choosing import ordinal_index
from flows.spec import AnswerKind
from flows.understood import FIRM_YES, PHRASED, SHORT, Reading, Understood
from flows.wording import contains, longer, mashed, phrases, plain

_WHO = ("words.me", "words.my_team")
_WHO_DID = re.compile(r"(?:(?:oh|and|btw|no|wait|sorry|actually) )*(?:it was |that was |twas )?"
                      r"(?:me|us|we|my team|our team|my \w+|the \w+)(?: who)? did (?:it|that|this)"
                      r"(?: btw| too| really)?"
                      r"|(?:(?:oh|and|no|wait|sorry|actually) )*it was (?:me|us|my team|our team)"
                      r"(?: btw| really)?")
"""Who did it, said late at another question ("it was me who did it", "oh my team did it
btw"): not what happened."""
_CUT_OFF = frozenset({"the", "a", "an", "and", "is", "but", "so", "my", "then"})
"""A short reply ending in one of these was cut off ("so the thing is")."""


def not_for_us(said: str, text: str, asked: Asked) -> Understood | None:
    """A message meant for someone else, or not meant ("sorry wrong chat lol", "omg sorry that
    was meant for teams", "testing 1 2 3"): never read as an answer."""
    if len(said.split()) <= SHORT and (contains(said, phrases("words.not_for_us")) or (
            said.split()[0] in {"test", "testing"} and len(said.split()) <= 6)):
        return Understood(Reading.UNCLEAR)
    return None


def said_before(said: str, text: str, asked: Asked) -> Understood | None:
    """ "see above", "as I said": a pointer to an earlier answer, not an answer. Where the
    question may be skipped it is skipped (what they said before stands); elsewhere it is
    asked again. Never kept."""
    bare = " ".join(w for w in said.split() if w not in {"lol", "sorry", "um", "erm", "just"})
    if asked.kind is not AnswerKind.TEXT or bare.rstrip("?!. ") not in phrases(
            "words.said_before"):
        return None
    return Understood(Reading.SKIP if asked.optional else Reading.UNCLEAR)


def blames(said: str, text: str, asked: Asked) -> Understood | None:
    """Where the person's own name is asked for, someone to blame ("name the doctor who
    ignored me") is a wish to complain: never kept as the name to show."""
    if asked.names and contains(said, phrases("words.complaint.blame")):
        return Understood(Reading.COMPLAINT)
    return None


def complains(said: str, text: str, asked: Asked) -> Understood | None:
    complaint, topic, intent = (phrases("words.complaint"), phrases("words.complaint.topic"),
                                phrases("words.complaint.intent"))
    if asked.nothing_tried:  # there, a route contacted or a complaint made is something tried
        routes = phrases("words.contact_routes")  # "I contacted PALS"; PALS is someone else
        complaint = complaint - routes - phrases("words.complaint.done")
        topic = topic - routes
        intent = intent - phrases("words.complaint.intent.done")  # "put in a Datix"
    if len(said.split()) > SHORT * 2 and (asked.kind is AnswerKind.TEXT or not contains(
            said, complaint)):
        return None  # a long story is kept as the answer; at options there is none to keep
    wishes = len(said.split()) <= 4 or contains(said, intent)
    if contains(said, complaint) or (wishes and contains(said, topic)):
        return Understood(Reading.COMPLAINT)
    return None


def greeting(said: str, text: str, asked: Asked) -> Understood | None:
    greetings = phrases("words.greeting")
    if text.rstrip().endswith("?") and len(said.split()) > 2:
        return None  # "Hello is this the hospital?" asks
    said = re.sub(r"(\w)\1{2,}\b", r"\1", said)  # "heyyy", "hiii"
    first = said.split()[0]
    if said in greetings or (len(said.split()) <= 6 and first in greetings
                             and first not in phrases("words.yes")
                             and not read_yes_no.yes_word(said) and not _tells(said, asked)):
        return Understood(Reading.GREETING)
    if len(said.split()) <= PHRASED and any(said.startswith(f"{g} ") for g in longer(
            "words.greeting", 2)) and not _tells(said, asked):
        return Understood(Reading.GREETING)  # "im back sorry got called away"
    if len(said.split()) <= SHORT and re.match(
            rf"(?:{'|'.join(map(re.escape, sorted(greetings, key=len, reverse=True)))})"
            r" (?:sorry|apologies|soz)(?: (?:i|im|i'm|about that|for that))?"
            r" (?:had to|got|was|been|have been|for the (?:delay|wait|gap))\b"
            r"(?!.*\b(?:but|and) )", said):
        return Understood(Reading.GREETING)  # "hello again sorry i had to see to him"
    return None


def _tells(said: str, asked: Asked) -> bool:
    """After a greeting word, at an open question, does the reply go on to tell something
    ("hi sorry my dad waited 9 hours"), so that it is an answer, not only a hello?"""
    return asked.kind is AnswerKind.TEXT and len(
        [w for w in said.split()[1:] if w not in phrases("words.greeting.tail")]) >= 3




def filler(said: str, text: str, asked: Asked) -> Understood | None:
    """At an open question, a yes, an "ok", a "lol", a bare number, or "me" or "my team"
    alone is not yet an answer; a plain "nah" to a question that may be left is a
    no, not an answer to keep."""
    if asked.kind is not AnswerKind.TEXT:
        return None
    if not asked.yes_is_answer and (said in phrases("words.filler") or (
            read_yes_no.yes_word(said) and len(said.split()) <= 2) or said in phrases(
                "words.yes") or read_yes_no.hedged_yes(said, text)):
        return Understood(Reading.UNCLEAR)  # "suppose it'll do" names no service
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
            c.split()[0] in FIRM_YES and " ".join(c.split()[1:]) in phrases("words.yes"))
            for c in clauses):
        return Understood(Reading.UNCLEAR)  # "Yes, that's OK with me"
    if not re.search(r"\w", said) or re.fullmatch(r"(\w)\1{3,}\w*|\w", said) or mashed(said):
        return Understood(Reading.UNCLEAR)  # "🙃🙃🙃", "x", "jjjjjk", "fhfhfh"
    if re.fullmatch(r"(?:(?:[hj]a|h[ei]|ja|je)+h?|lo+l|lmf?ao+|rofl)(?:\s+\S+)?", said) and (
            len(said.split()) == 1):
        return Understood(Reading.UNCLEAR)  # "hahaha", "hehe", "jajaja": a laugh, not an answer
    if any(said in phrases(key) for key in _WHO) or (
            not asked.nothing_tried and _WHO_DID.fullmatch(said)):
        return Understood(Reading.UNCLEAR)  # who, but not what: "me", "it was me who did it"
    if asked.optional and not asked.nothing_tried and said in phrases("words.no"):
        return Understood(Reading.NONE)  # "nah" to "which service?" is not a service
    return None


def _only_a_day(said: str) -> bool:
    """ "thursday", "the 14th", "last monday": a day alone answers no open question here."""
    days = "|".join(re.escape(d) for d in sorted(phrases("words.weekdays"), key=len, reverse=True))
    return re.fullmatch(rf"(?:(?:on|last|next|this|since) )?(?:the )?(?:{days}|\d{{1,2}}"
                        r"(?:st|nd|rd|th)(?: of \w+)?)", said) is not None
