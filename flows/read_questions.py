"""Questions back instead of answers: about the bot ("who reads this?"), about what the
question means ("what does build on mean here"), put as a statement ("you will share
this?"), or asked at a question with options ("what happens if I say yes"). Pure: no I/O."""

from __future__ import annotations

import re

from flows import read_controls, second_language
from flows.answers import match_choice
from flows.asked import Asked
from flows.choosing import INTERROGATIVE, contained_choice, opens_with_choice, phrased_choice
from flows.spec import AnswerKind
from flows.understood import FIRM_YES, PHRASED, PRONOUNS, SHORT, Reading, Understood, first_clause
from flows.wording import contains, longer, phrases, plain

_INVERTED = frozenset({"will", "would", "do", "does", "did", "is", "are", "can", "could",
                       "should", "if", "much", "many", "exactly", "about"})
_QUESTION_OPENERS = frozenset({"what", "whats", "what's", "which", "why", "how", "does",
                               "where", "when", "who", "whos", "who's", "wdym", "did", "has",
                               "have", "can", "do"})
_REQUESTING = frozenset({"can", "could", "will", "would", "do"})
"""With "you" after them, these ask the bot to do something ("can you send it")."""
WH = frozenset({"who", "what", "whats", "what's", "where", "when", "why", "how", "which"})
_YOU = frozenset({"you", "u", "ya", "we", "yall"})
"""After "can" or "do", these make a request ("can you send it"), not a question."""
_AUXILIARY = frozenset({"will", "does", "do", "are", "is", "can", "could", "should", "would",
                        "am", "did"})
_NEGATIVE_AUXILIARY = frozenset({"didnt", "didn't", "dont", "don't", "doesnt", "doesn't", "isnt",
                                 "isn't", "cant", "can't", "wont", "won't"})
"""With a pronoun after them and a question mark, these ask ("didnt i just say that?")."""
_PEOPLE = frozenset({"people", "anybody", "somebody", "staff", "doctors", "nurses"})
"""After "do" or "will", these ask about who sees a story ("do people actually read these")."""
_PART = re.compile(r"\b(?:just|only) (?:one|the|my|some|part)\b|\b(?:one|some|part) of\b"
                   r"|\bjust the last\b"
                   r"|\bmore th[ae]n one\b")
"""Words that ask about a part of what a choice does ("can i erase just one story")."""


_LEAD_WORDS = frozenset({"so", "wait", "but", "and", "um", "erm", "hmm", "sorry"})
"""Words before a question that do not change it ("so who actually reads this")."""

_BEFORE_ANSWERING = re.compile(r"\bbefore (?:i|we) (?:say|answer|agree|decide|pick|choose|"
                               r"go on|carry on|start|send|say yes|say no)\b")


def asks_first(said: str, text: str, asked: Asked) -> Understood | None:
    """At a question with options, a question back is a question even when it names one
    ("what happens if I say yes", "does volunteer count as staff"), unless it asks the bot
    to do something ("can you send it")."""
    words_said = said.split()
    if asked.kind not in (AnswerKind.CHOICE, AnswerKind.PICKS) or len(words_said) < 3:
        return None
    while len(words_said) > 3 and words_said[0] in _LEAD_WORDS and words_said[1] in WH:
        words_said = words_said[1:]  # "so who actually reads this", "wait who is the team"
        said = " ".join(words_said)
    if _BEFORE_ANSWERING.search(said) and ("?" in text or words_said[0] in WH):
        return Understood(Reading.QUESTION)  # "hang on before i say yes, does the moderator.."
    parts = re.split(r"[,.;]|\bbut\b|\bbefore i send\b", text.strip())
    last = plain(parts[-1]).split()
    if len(parts) > 1 and len(last) == 2 and last[0] in WH and last[1] in {"one", "is", "then"}:
        return Understood(Reading.QUESTION)  # "i started it but the team ran it, which one"
    after_but = re.split(r"\bbut\b", text.strip())[1:]  # "yes 1 but who reads the summary"
    but_asks = bool(after_but) and plain(after_but[-1]).split()[:1] in [[w] for w in WH]
    clause = plain(after_but[-1]).split() if after_but else []
    if len(clause) >= 3 and clause[0] in _AUXILIARY and (
            text.rstrip().endswith("?") or clause[1] in PRONOUNS) and not (
                read_controls.control_phrase(said, text, asked)):
        return Understood(Reading.QUESTION)  # "ok but will someone get back to me before..."
    asks = text.rstrip().endswith("?") or but_asks
    if asks and len(last) >= 3 and last[0] in _QUESTION_OPENERS | _AUXILIARY and (
            not read_controls.control_phrase(said, text, asked)):
        return Understood(Reading.QUESTION)  # "yes ok, but is this going to my doctor?"
    opens = (words_said[0] in _QUESTION_OPENERS and not (
        words_said[0] in _REQUESTING and words_said[1] in _YOU)) or conditional(said)
    if not opens or "?" in text.strip().rstrip("?") or match_choice(text, asked.choices) or (
            match_choice(first_clause(text), asked.choices)) or (
            "?" not in text and opens_with_choice(said, asked)):
        return None  # "does it matter? rather not" answers after asking
    if len(asked.choices) >= 5 and not text.rstrip().endswith("?") and contained_choice(
            said, asked) is not None:
        return None  # "how to spread it" at "which answer would you like to change?"
    if words_said[0] == "can" and asked.kind is AnswerKind.CHOICE and contained_choice(
            said, asked) is not None and not _PART.search(said):
        return None  # "can i change the place" asks for a choice; "...just one story" asks
    if read_controls.control_phrase(said, text, asked) is None or _PART.search(said):
        return Understood(Reading.QUESTION)  # "can I just delete the last one?" is not status
    return None


_NOT_UNDERSTOOD = re.compile(r"\b(?:i |i just |i really )?(?:dont|don't|do not|didnt|didn't)"
                             r" (?:really |quite |fully )?(?:understand|get it|get this|get these"
                             r"|follow)\b(?! why\b)")


def not_understood(said: str, text: str, asked: Asked) -> Understood | None:
    """At a question with options, a short "I don't understand (this)" asks for the
    question in plainer words ("i dont understand this is ok or not ok")."""
    if asked.kind is AnswerKind.TEXT or len(said.split()) > PHRASED + 2 or (
            contained_choice(said, asked) is not None):
        return None  # "still dont get it, more pls" asks for the "Tell me more" option
    return Understood(Reading.HELP) if _NOT_UNDERSTOOD.search(said) else None


def stated_question(said: str, text: str, asked: Asked) -> Understood | None:
    """A question put as a statement, or one that echoes the question back
    (``flows/second_language.py``): a question, not an answer."""
    if len(said.split()) > SHORT + 4:
        return None
    found = second_language.stated_question(text, options=asked.kind is not AnswerKind.TEXT)
    return Understood(Reading.QUESTION) if found else None


def question(said: str, text: str, asked: Asked) -> Understood | None:
    words_said = said.split()
    while len(words_said) > 2 and words_said[0] in {"wait", "sorry", "oh", "um", "hmm", "erm"}:
        words_said = words_said[1:]  # "wait is this about the gp thing or the hospital thing"
    said = " ".join(words_said)
    if asked.kind is AnswerKind.TEXT and len(words_said) <= SHORT + 6 and words_said[0] in (
            _AUXILIARY) and words_said[1] in {"it", "this", "i", "we"} and "or" in words_said[2:]:
        return Understood(Reading.QUESTION)  # "does it have to be about my doctor or can it..."
    if asked.kind is AnswerKind.TEXT and len(words_said) <= SHORT * 2 and re.match(
            r"(?:does it (?:count|matter)|is it (?:ok|okay|alright)) if\b", said):
        return Understood(Reading.QUESTION)  # "does it count if it was something that failed"
    if asked.kind is AnswerKind.TEXT and 2 <= len(words_said) <= SHORT + 4 and (
            words_said[0] in {"are", "will", "did", "do", "can", "could"}
            and words_said[1] in {"you", "u"}):
        return Understood(Reading.QUESTION)  # "are you going to pass this on to someone..."
    if len(words_said) > SHORT or (asked.yes and words_said[0] in FIRM_YES and "?" not in text):
        return None  # "yes but i dont want my name on it" says yes
    if asked.kind is AnswerKind.TEXT and re.search(r"\bwhat\b.*\bmeans?\b", said) and (
            contains(said, phrases("words.meaning"))):
        return Understood(Reading.QUESTION)  # "sorry what does build on mean here"
    if contains(said, phrases("words.meaning.put")):
        return Understood(Reading.QUESTION)  # "not sure what you want me to say"
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
            or (words_said[0] in _NEGATIVE_AUXILIARY and words_said[1] in PRONOUNS)
            or (len(words_said) <= PHRASED and bool(set(words_said) & WH))):
        return Understood(Reading.QUESTION)  # "used to work where, here or anywhere?"
    if asked.kind is AnswerKind.TEXT and len(words_said) >= 2 and (
            (words_said[0] in _NEGATIVE_AUXILIARY and words_said[1] in {"i", "you", "u"}
             and len(words_said) <= PHRASED)  # "didnt i just say that"
            or (words_said[0] in INTERROGATIVE - _AUXILIARY and words_said[1] in _INVERTED)
            or (words_said[0] in _AUXILIARY and words_said[1] in PRONOUNS | _PEOPLE)):
        return Understood(Reading.QUESTION)  # "where will it be shown", "did you send it"
    if asked.kind is AnswerKind.TEXT and words_said[0] in _AUXILIARY and (
            contains(said, phrases("words.to_us")) and len(words_said) <= SHORT):
        return Understood(Reading.QUESTION)
    if len(words_said) <= 4 and contains(said, WH) and (  # "spread to who"
            asked.kind is AnswerKind.TEXT and words_said[-1] in WH | {"exactly"}):
        return Understood(Reading.QUESTION)
    return None


def asks_back(said: str, text: str, asked: Asked) -> Understood | None:
    """At a choice question, a question back that picks no choice."""
    words_said = said.split()
    asking = text.rstrip().endswith("?") or words_said[0] in INTERROGATIVE or conditional(said)
    if asked.kind is not AnswerKind.TEXT and (not asking or len(words_said) > SHORT):
        return _asks_about_us(said, text, asked)
    if asked.kind is AnswerKind.TEXT and "?" in text.strip().rstrip("?"):
        return _asks_about_us(said, text, asked)  # "is this going to get back to my GP? i..."
    if not asking or len(words_said) > SHORT or asked.kind is AnswerKind.TEXT:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", said)]
    if any(1 <= n <= max(len(asked.choices), 1) for n in numbers) or phrased_choice(
            said, asked) is not None:  # but "5 mins really?" at a yes/no asks
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


_LEAD_IN = re.compile(r"\s*(?:(?:on )?second thoughts?|actually|sorry|wait|hang on|hold on|hm+|ok|"
                      r"okay|oh|um+|erm+|so|but|quick question|one question|before i answer)"
                      r"\s*[,.:]\s*(?=\S)", re.IGNORECASE)
"""Words before a question that do not change it ("second thoughts, what do they see?")."""


def only_questions(said: str, text: str, asked: Asked) -> Understood | None:
    """At an open question, a reply made only of questions is not an answer ("what kind of
    thing do you want? work stuff or as a patient?")."""
    sentences = [c for c in re.split(r"(?<=[.!?])\s+", text.strip()) if plain(c)]
    if asked.kind is not AnswerKind.TEXT or not sentences or len(said.split()) > SHORT * 2:
        return None
    lead_in = _LEAD_IN.match(sentences[0])
    first = sentences[0][lead_in.end():] if lead_in else sentences[0]  # "second thoughts, what..."
    opener = (plain(first).split() or [""])[0]
    if all(c.rstrip().endswith("?") for c in sentences) and opener in (
            INTERROGATIVE | _NEGATIVE_AUXILIARY):
        return Understood(Reading.QUESTION)
    return None


def conditional(said: str) -> bool:
    """A question about what happens if ("if i say staff can they work out who i am")."""
    return bool(re.match(r"(?:so )?what if\b", said) or re.match(
        r"if (?:i|we|you|u)\b.*\b(?:can|will|would|could|do|does|is|are)"
        r" (?:they|you|u|it|people|anyone|someone|he|she|my|i|we)\b", said))
