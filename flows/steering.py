"""Rule-based steering: does an answer describe a problem, something tried, or both?

storyloop moves a conversation from "what went wrong" to "what has been tried and what
happened". This module reads one free-text answer and says which of those it holds, using
phrase lists and regular expressions only: pure, stdlib only, no I/O, so every decision can be
read, tested and changed by hand.

Public API
----------
- ``classify(text) -> Label``: PROBLEM, EXPERIMENT or BOTH.
- ``says_nothing_tried(text) -> bool``: does an answer to "has anyone tried something?" mean no?
- ``guess_tried_by(text) -> TriedBy | None``: who made the attempt, best effort.

How text is read
----------------
Text is case-folded; curly and other apostrophes become ``'``; "no one" / "no-one" become
"noone"; "dont", "havent" ... get their apostrophe back; whitespace collapses.

A *clause* runs between punctuation or the joining words in ``_BOUNDARY`` (but, so, and, until,
because, when ...). A cue is *negated* when a negator (not, never, n't, nobody, noone, nothing,
none, yet to ...) stands in the six words before it in its clause and no new subject (I, we,
they ...) starts in between: "nobody has tried" is negated, "when nobody answered we started a
group" is not, and "I don't think we've tried" keeps its negation ("think", "sure" carry it).
"We tried nothing" is negated too. A cue is *wished* when ``_WISH`` words (want, hope, plan,
should, would, will, if, need to ...) stand in the same window: "it would help if someone set
up a call-back list" is not an attempt.

Phrase lists
------------
``_PROBLEM`` -- signs that something went wrong, in four groups:
  feelings (frustrating, upset, alone, exhausted, rude, ignored, worse, felt cold ...);
  access and waiting (waited, waiting list, engaged, on hold, can't / couldn't, turned away,
  gave up, no appointments, "took six weeks", "for months", moved wards ...);
  failures (broken, crashed, timing out, lost, missed, delayed, cancelled, arrived late,
  ran out, complaints, mistakes, nobody / noone / nothing / never, "didn't tell" ...);
  repetition ("kept ringing", "keeps running out").
``_ACCESS_ATTEMPT`` -- "tried to get through / book / call / see a GP", "tried ringing 111",
  "tried the website", "tried again". These are failed attempts to *use* a service, not
  attempts to *change* it, so they count as problem cues and are masked out before experiment
  cues are sought: "I tried to get through but it was always engaged" is PROBLEM.
``_EXPERIMENT`` -- signs that someone tried a change: tried / trying (after masking), started
  a ... / started inviting ... (not "started feeling / running late"), began ..., set up,
  introduced, piloted, trialled, tested, launched, created, built, opened a ..., added,
  changed (not "was changed"), rewrote, co-wrote, redesigned, moved the ..., decided to,
  made a ..., ran a ..., offered, organised, trained, raised money, joined a group, let them
  ..., kept a diary, "now we ...", "the pharmacist now texts ...", and "so I / so we ..."
  unless what follows is giving up, waiting, ringing and the like.
``_CONTACT`` -- rang, emailed, wrote to, complained, asked, spoke to, reported, referred ...
  In a first answer these usually describe using or complaining about a service, so
  ``classify`` ignores them ("I rang the surgery forty times" is PROBLEM). After the question
  "has anyone tried something?" they are attempts, so ``says_nothing_tried`` and
  ``guess_tried_by`` count them ("no, but I rang PALS").
``_NO_ANSWER`` -- replies that open with no: no, nope, nah, none, n/a, not yet, not really,
  nothing, nobody, noone, never, I don't think so, not that I know of ...
  ``_NOTHING_SAID`` finds the same meaning later in a reply ("as far as I know, nobody").

Decisions
---------
- A negated attempt ("we haven't tried anything", "nobody has bothered to fix it") is not an
  experiment; it says something is unmet, so it counts as a problem cue.
- An attempt that names the problem it tackles ("we added text reminders because letters
  arrived late") is BOTH.
- Text with neither cue, empty text included, is PROBLEM. That is the safe default: the bot
  then kindly asks what has been tried, and "nothing yet" is a welcome answer.
- ``guess_tried_by`` reads the subject of the first real attempt: "we", "us", "our team",
  "my colleagues and I", "me and X" are MY_TEAM; "I" is ME; anyone else ("the practice
  manager", "a volunteer", "they", "my GP") is SOMEONE_ELSE. A passive attempt ("a call-back
  list was set up") names nobody, so the guess is None unless "by ..." follows.
"""

import re
from collections.abc import Iterator
from enum import Enum, StrEnum
from functools import cache

from bot.core.types import TriedBy
from bot.core.words import words


class Label(StrEnum):
    """What an answer describes."""

    PROBLEM = "problem"
    EXPERIMENT = "experiment"
    BOTH = "both"


class _Mood(Enum):
    REAL = "real"
    NEGATED = "negated"
    WISHED = "wished"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


_WINDOW = 6
_PASSIVE = r"(?<!was )(?<!were )(?<!been )(?<!being )(?<!got )(?<!get )(?<!gets )"
_DECLINE = (
    r"(?!feel|get|go|cry|worr|panic|struggl|wonder|los|fall|fail|think|run|charg|work|drink|"
    r"smok|bleed|shak|vomit|cough|miss|forget)"
)
_NOW_BAD = (
    r"(?:have to|had to|has to|has no|have no|can|can't|cannot|could|couldn't|are|were|was|is|"
    r"am|just|still|never|need|needs|wait|waits|waiting|get|gets|got|don't|doesn't|didn't|only|"
    r"seem|seems|feel|feels|take|takes|know|knows|hate|hates|dread|dreads|worry|worries|always|"
    r"costs|goes|means|looks|says|hours|days|weeks|months|years|the|a|an|it|there|that|this|"
    r"and|on|at|in|no|nobody|noone)\b"
)
_SO_BAD = (
    r"(?:gave|give|had|have|has|couldn't|can't|cannot|didn't|don't|just|still|never|was|were|"
    r"am|are|felt|feel|got|get|waited|wait|left|stayed|went|rang|called|phoned|asked|emailed|"
    r"wrote|complained|missed|lost|kept|cried|ended|paid|drove|took|tried|try|would|could|"
    r"will|thought|think|hope|hoped|know|knew|need|needed|want|wanted)\b"
)

_FEELINGS = (
    r"\b(?:frustrat|upset|stress|confus|struggl|dismiss|abus)\w*",
    r"\b(?:angry|furious|alone|lonely|isolated|exhausted|tired|scared|frightened|anxious)\b",
    r"\b(?:worried|worrying|rude|ignored|unheard|awful|terrible|horrible|appalling)\b",
    r"\b(?:dreadful|worse|worst|hate|hates|chaos|chaotic|a mess|hard to|difficult)\b",
    r"\b(?:impossible|in pain|in tears|cried|crying|poor|poorly|badly|burn[td] out)\b",
    r"\b(?:felt|feel|feels|seemed) (?:so |very |really )?(?:cold|rushed|invisible|unsafe)\b",
)
_ACCESS = (
    r"\bwait(?:ed|ing|s)\b|\bwait (?:for|over|of|until|till|in|on|\d)",
    r"\b(?:to|still|long|\w+[- ](?:minute|hour|day|week|month|year)s?)[- ]wait\b",
    r"\b(?:engaged|on hold|queu\w*|can't|cannot|couldn't|unable to|won't|dropped out)\b",
    r"\b(?:turned|sent) (?:away|down|home)\b|\b(?:give|gave|giving) up\b",
    r"\bno (?:appointments?|beds?|slots?|reply|response|answer|support|help|interpreter)\b",
    r"\b(?:nowhere|not enough|short[- ]staffed|understaffed|short of)\b",
    r"\b(?:took|takes|take|taking) (?:\w+ )?(?:hours|days|weeks|months|years|ages)\b",
    r"\bfor (?:hours|days|weeks|months|years|ages)\b|\bmoved (?:wards|beds|around|hospitals)\b",
    r"\b(?:over|more than|nearly|almost) (?:a|an|\w+) (?:hour|day|week|month|year)s?\b",
)
_FAILURES = (
    r"\b(?:broken|broke down|out of order|not working|stopped working|froze|offline)\b",
    r"\b(?:crash|freez|glitch|delay|forgot|complain|mistake|error|problem|postpone)\w*",
    r"\b(?:is|was|went|are|were|been|goes) down\b|\bcut off\b|\bheard nothing\b",
    r"\btim(?:ing|ed|es) out\b|\blogg(?:ing|ed) (?:us |me )?out\b",
    r"\b(?:lost|lose|losing|missed|missing|cancel+ed|cancel+ing|cancellations?)\b",
    r"\b(?:arrived?|arrives|running|ran|started|starts|too|always|often|came|comes) late\b",
    r"\b(?:was|were|is|are) late\b|\blate again\b|\b(?:running|ran|run) out\b",
    r"\b(?:wrong|issues?|unsafe|dangerous|nobody|noone|nothing|never|fell|fallen|a fall)\b",
    r"\b(?:doesn't|didn't|don't|won't|isn't|wasn't|hasn't|haven't) (?:work|arrive|turn up|"
    r"answer|reply|get back|call back|ring back|help|listen|care|tell|explain)",
    r"\bwithout (?:telling|asking|warning|any notice|notice)\b",
    r"\bstopped (?:running|coming|answering|responding|replying|visiting)\b",
)
_REPEATS = (r"\b(?:kept|keep|keeps|keeping) (?:on )?\w+ing\b",)
_ACCESS_ATTEMPT = re.compile(
    r"\b(?:tried|trying|try|tries) again\b|\b(?:tried|trying|try|tries|attempted|attempting)"
    r"(?: (?:again|repeatedly|everything|for ages|all (?:day|morning|week)|\w+ times))?"
    r" (?:(?:to|and) )?(?:get|getting|book|booking|call|calling|ring|ringing|phone|phoning|"
    r"see(?! (?:if|whether|what|how)\b)|seeing|reach|reaching|contact|contacting|speak|"
    r"speaking|talk|talking|order|ordering|register|registering|log ?in|logging in|access|"
    r"accessing|visit|make an appointment|the (?:phone|number|line|website|app|online|form|"
    r"portal|switchboard|surgery|pharmacy|practice|reception|111|999|e-?consult))\b"
)
_PROBLEM = _any(*_FEELINGS, *_ACCESS, *_FAILURES, *_REPEATS, _ACCESS_ATTEMPT.pattern)

_EXPERIMENT = _any(
    r"\b(?:tried|trying|try|tries|attempted|attempting)\b",
    rf"\bstart(?:ed|ing)? (?:a|an|our|my|their|to {_DECLINE}\w+|{_DECLINE}\w+ing)\b",
    r"\bstart(?:ed|ing) (?:going|coming) (?:to|along|every|each|once|twice|weekly|regularly)\b",
    rf"\b(?:began|begun|begin|beginning) (?:a|an|each|every|our|my|the|to {_DECLINE}\w+|"
    rf"{_DECLINE}\w+ing)\b",
    r"\bset(?:ting)? up\b|\bpilot(?:ed|ing|led|ling)?\b|\btrial+(?:ed|ing)\b|\ba trial of\b",
    r"\bintroduc(?:ed|ing)\b(?! (?:myself|ourselves|me|us)\b)",
    rf"{_PASSIVE}\btest(?:ed|ing)\b(?! (?:positive|negative|for)\b)",
    rf"\b(?:launch|creat)(?:ed|ing)\b|\bbuil(?:t|ding)\b|{_PASSIVE}\badd(?:ed|ing)\b(?! to\b)",
    rf"{_PASSIVE}(?<!kept )(?<!keep )(?<!keeps )\bchanged\b|\bchanging (?:the|our|how|when)\b",
    r"\b(?:re-?wrote|rewritten|re-?designed|re-?organi[sz]ed|simplified|co-?wrote)\b",
    r"\b(?:co-?designed|co-?produced|drew up|put together|came up with|brought in)\b",
    r"\b(?:put in place|rolled out|switched to|swapped|worked with|teamed up|partnered)\b",
    r"\bmoved (?:the|our|it|appointments|clinics?)\b|\bdecided to\b(?! (?:give up|leave)\b)",
    r"\bmade (?:a|an|some|changes|sure)\b(?! (?:complaint|mistake|error|mess|fuss)\b)",
    r"\b(?:ran|run|runs|running) (?:a|an|our|some|weekly|monthly)\b(?! (?:temperature|risk))",
    r"\boffer(?:ed|ing)\b(?! (?:me|us|nothing|no)\b)|\btrained\b(?! as\b)",
    r"\b(?:organi[sz](?:ed|ing)|arranged|installed|printed|handed out|invited|hosted)\b",
    r"\b(?:fundrais\w*|raised (?:money|funds|£)|volunteered|campaign\w*|petition\w*)",
    r"\bjoined (?:a|an|the)\b(?! (?:queue|waiting|list)\b)|\b(?:held|opened) (?:a|an)\b",
    r"\bcollected (?:their|stories|feedback|views|data|ideas)\b|\bsat (?:down )?with\b",
    r"\bkept a (?:diary|notebook|log|record|list)\b|\brecorded (?:a|an)\b",
    r"\blet (?:them|people|patients|families|parents|staff|carers|residents)\b(?! down\b)",
    r"\bgave (?:them|patients|people|staff|everyone|each|every|families|carers)\b",
    r"\bfixed (?:it|the|our|this|that)\b|\bsorted (?:it|out)\b",
    rf"\bnow (?:we|they|i|she|he) (?!{_NOW_BAD})\w+|\bnow (?!{_NOW_BAD})\w+(?:s|ed)\b",
    rf"\b(?:we|they|i|she|he) now (?!{_NOW_BAD})\w+|\bso (?:i|we) (?!{_SO_BAD})\w+",
)
_CONTACT = re.compile(
    rf"{_PASSIVE}\b(?:rang|rung|called|phoned|e-?mailed|messaged|texted|wrote (?:to|a|an)|"
    r"complain(?:ed)?|raised (?:it|this|a|the|concerns?)|reported|contacted|spoke (?:to|with)|"
    r"talked to|asked|told|mentioned|referred|visited|went to|applied|escalated|"
    r"got in touch|reached out)\b"
    r"|\b(?:we|i|my \w+) (?:always |often |already )?(?:call|ring|phone|e-?mail|message|text|"
    r"contact|ask|speak to|talk to|write to|go to)\b(?! (?:you|u)\b)"
)
"""Contact made: a reply in English as a second language says it in the present ("we call
the agency many times, nothing change")."""
_ATTEMPT = _any(_EXPERIMENT.pattern, _CONTACT.pattern)

_BOUNDARY_WORDS = r"but|so|then|until|till|because|although|though|however|while|when|since"
_BOUNDARY = re.compile(rf"[,.;:!?()\"\u2013\u2014]|\s-\s|\b(?:and|{_BOUNDARY_WORDS})\b")
_SUBJECT_BOUNDARY = re.compile(rf"[,.;:!?()\"\u2013\u2014]|\s-\s|\b(?:{_BOUNDARY_WORDS})\b")
_NEGATOR = re.compile(
    r"(?:not|never|nobody|noone|nothing|none|neither|nor|cannot|hardly|barely)(?:'s)?|\w+n't"
)
_BELIEF = frozenset({"think", "sure", "believe", "reckon", "suppose", "aware"})
_SUBJECTS = frozenset({"i", "we", "they", "he", "she", "you"})
_NOTHING_AFTER = re.compile(r"\s*(?:nothing|noone|nobody)\b")
_WISH = re.compile(
    r"\b(?:want|wants|wanted|hope|hopes|hoped|hoping|plan|plans|planned|planning|going to|"
    r"gonna|need to|needs to|wish|wishes|should|would|will|ought|if|maybe|perhaps)\b"
    r"|'ll\b|'d (?:like|love|prefer)\b"
)
_NO_ANSWER = re.compile(
    r"^(?:(?:um+|erm+|er|well|honestly|sadly|sorry|unfortunately|to be honest|tbh)\W+)*"
    r"(?:no\b|nope|nah|none|n/?a\b|not yet|not really|not that i(?:'m| am)? (?:know|aware)|"
    r"not as far as i know|not to my knowledge|nothing|nobody|noone|never|"
    r"(?:i )?don't think so)"
)
_NOBODY_ELSE = re.compile(r"\b(?:nobody|noone|none) else\b(?: (?:has|did|have|had|bothered|"
                          r"tried|cared|helped|either)\b)*")
"""Nobody else: someone named before it did ("me, nobody else")."""
_NOTHING_SAID = re.compile(
    r"\b(?:nobody|noone|nothing|none)\b|\b(?:not|\w+n't)(?: \w+){0,2} (?:done|do|tried|try)\b"
)
_TEAM = (
    r"\b(?:\w+ ){1,2}and i\b|\bme and\b|\bwe\b|\bus\b|\b(?:my|our) (?:\w+ )?team\b"
    r"|\bour (?:ward|unit|department|staff)\b"
)
_SUBJECT = re.compile(
    rf"(?P<team>{_TEAM})|(?P<me>\bi\b|\bmyself\b)|(?P<other>\b(?:they|he|she|someone|"
    r"somebody)\b|\b(?:the|a|an|my|our|their|his|her|your|one|some|this|that) [a-z][\w-]*)"
)
_FALLBACK = re.compile(
    rf"(?P<team>{_TEAM})|(?P<me>\bi\b|\bme\b|\bmyself\b)|(?P<other>\b(?:they|he|she|"
    r"someone|somebody|gp|doctor|nurse|manager|practice|surgery|pharmacist|pharmacy|"
    r"volunteers?|charity|council|hospital|trust|receptionist|midwife|consultant|matron|"
    r"clinic|nhs|school|church|neighbours?|friends?|family|mum|dad|husband|wife|partner|"
    r"son|daughter|staff)\b)"
)
_ELIDED = re.compile(r"\band (?:then |also |later )?$")
_PASSIVE_BEFORE = re.compile(
    r"\b(?:was|were|been|being|is|are|got)(?: (?:\w+ly|now|also|then|just|first))? $"
)
_BY = re.compile(r"\bby\b")
_WHO = {"team": TriedBy.MY_TEAM, "me": TriedBy.ME, "other": TriedBy.SOMEONE_ELSE}
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc\u0060\u00b4", "'"))
_NO_ONE = re.compile(r"\bno[- ]one\b")
_BARE_NT = re.compile(
    r"\b(ca|wo|have|has|had|did|do|does|is|was|were|are|could|would|should|must)nt\b"
)


def classify(text: str) -> Label:
    """PROBLEM, EXPERIMENT or BOTH; text with neither cue is PROBLEM (see module docstring)."""
    norm = _normalise(text)
    moods = set(_moods(norm, _EXPERIMENT))
    if _Mood.REAL not in moods:
        return Label.PROBLEM
    if _PROBLEM.search(norm) or _Mood.NEGATED in moods:
        return Label.BOTH
    return Label.EXPERIMENT


def says_nothing_tried(text: str) -> bool:
    """True when an answer to "has anyone tried something?" means no, with no attempt named."""
    return _says_nothing(_normalise(text))


def guess_tried_by(text: str) -> TriedBy | None:
    """Who made the attempt an answer describes; None when the text does not say."""
    norm = _normalise(text)
    if _says_nothing(norm):
        return TriedBy.NOBODY
    masked = _mask_access(norm)
    attempt = next((m for m in _ATTEMPT.finditer(masked) if _mood(masked, m) is _Mood.REAL), None)
    if attempt is None:
        return _first_who(_FALLBACK.finditer(norm))
    return _subject_of(masked, attempt)


def _normalise(text: str) -> str:
    folded = text.translate(_APOSTROPHES).casefold()
    folded = _BARE_NT.sub(r"\1n't", _NO_ONE.sub("noone", folded))
    return " ".join(folded.split())


def _says_nothing(norm: str) -> bool:
    norm = _NOBODY_ELSE.sub("", norm)  # "just me really, nobody else bothered"
    moods = set(_moods(norm, _ATTEMPT))
    sounds_like_no = bool(_NO_ANSWER.search(norm) or _NOTHING_SAID.search(norm))
    return (sounds_like_no or _Mood.NEGATED in moods) and _Mood.REAL not in moods


def _mask_access(norm: str) -> str:
    return _ACCESS_ATTEMPT.sub(lambda m: "#" * len(m.group()), norm)


def _moods(norm: str, cues: re.Pattern[str]) -> Iterator[_Mood]:
    masked = _mask_access(norm)
    for match in cues.finditer(masked):
        yield _mood(masked, match)


def _mood(text: str, match: re.Match[str]) -> _Mood:
    words = _window(text[: match.start()])
    if _is_negated(words) or _NOTHING_AFTER.match(text, match.end()):
        return _Mood.NEGATED
    if _WISH.search(" ".join(words)):
        return _Mood.WISHED
    return _Mood.REAL


def _window(prefix: str) -> list[str]:
    clause = _BOUNDARY.split(prefix)[-1]
    return [word.strip("'\"") for word in clause.split()][-_WINDOW:]


def _is_negated(words: list[str]) -> bool:
    for index in range(len(words) - 1, -1, -1):
        if _negates(words, index):
            return not _scope_broken(words[index + 1 :])
    return False


def _negates(words: list[str], index: int) -> bool:
    """A negator word, or "yet" in "yet to"."""
    word, following = words[index], words[index + 1 : index + 2]
    return bool(_NEGATOR.fullmatch(word)) or (word == "yet" and following == ["to"])


def _scope_broken(after: list[str]) -> bool:
    """A new subject after the negator starts a new statement, unless 'think' / 'sure' carry it."""
    if after and after[0] in _BELIEF:
        return False
    return any(word.split("'")[0] in _SUBJECTS for word in after)


def _subject_of(text: str, attempt: re.Match[str]) -> TriedBy | None:
    """The subject nearest the attempt in its clause, else the first in an earlier clause."""
    if _PASSIVE_BEFORE.search(text[: attempt.start()]):
        return _passive_agent(text[attempt.end() :])
    clauses = _SUBJECT_BOUNDARY.split(text[: attempt.end()])
    elided = bool(_ELIDED.search(text[: attempt.start()]))
    for index, clause in enumerate(reversed(clauses)):
        found = list(_SUBJECT.finditer(clause))
        if found:
            return _WHO[str((found[0] if index or elided else found[-1]).lastgroup)]
    return None


def _passive_agent(rest: str) -> TriedBy | None:
    """The agent after "by" in "was set up by the practice manager"; None if none is named."""
    clause = _SUBJECT_BOUNDARY.split(rest)[0]
    by = _BY.search(clause)
    if by is None:
        return None
    agent = clause[by.end() :]
    return _first_who(_FALLBACK.finditer(agent)) or _first_who(_SUBJECT.finditer(agent))


def _first_who(matches: Iterator[re.Match[str]]) -> TriedBy | None:
    first = next(matches, None)
    return None if first is None else _WHO[str(first.lastgroup)]


def praises(text: str | None) -> bool:
    """Does a first answer praise a service, with no problem in it ("the nurse was so kind")?"""
    if not text:
        return False
    norm = _normalise(text)
    return _has_any(norm, "words.praise") and not _PROBLEM.search(norm)


def says_it_failed(text: str | None) -> bool:
    """Does "what happened after that?" say the attempt did not work?"""
    return bool(text) and _has_any(_normalise(str(text)), "words.failed")


def plainly_failed(text: str | None) -> bool:
    """Does what was tried say, in words that mean nothing else, that it did not work ("we
    started a rota ourselves but it fell apart")? Not "stopped" or "ended", which are often
    the deed itself ("we stopped the 8am rush")."""
    return bool(text) and _has_any(_normalise(str(text)), "words.failed.plainly")


def _has_any(norm: str, key: str) -> bool:
    return _listed(key).search(norm) is not None


@cache
def _listed(key: str) -> re.Pattern[str]:
    """The catalogue's words for ``key`` as one expression of whole words (built once)."""
    listed = sorted(words(key), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, listed))})(?!\w)")
