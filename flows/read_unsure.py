"""Not knowing, nothing tried, and hesitation: "dunno", "not sure if that's ok", "nothing
yet", "nobody has tried anything", a hesitant "hmm ok?" that is not yet a yes; but not a
reply that turns from unsure to an answer ("not sure, but the new manager..."). Pure: no I/O."""

from __future__ import annotations

import re

from flows.asked import Asked
from flows.spec import AnswerKind
from flows.typed import ASIDES
from flows.understood import HESITATION, PHRASED, SHORT, Reading, Understood, first_clause
from flows.wording import contains, longer, opens_with, pattern, phrases, plain

_HEDGES = frozenset({"it", "its", "it's", "if", "that", "whether", "but", "though", "they",
                     "we", "he", "she", "there", "this", "the", "a", "about"})
"""After "not sure", these open the person's answer ("not sure it helped, but...")."""
_LOST = re.compile(r"(?:i'?m |im |i am )?(?:not sure|(?:i )?(?:dont|don't|do not) know)"
                   r" what (?:to|i should|im meant to|i'm meant to|i am meant to) (?:do\b"
                   r"|.*\b(?:help|examples?)$)")
"""Not knowing what to do here ("not sure what to put here, any examples?"): help."""
_TURN = re.compile(r"^(?:\S+ ){1,7}?(?P<turn>but|so) (?P<who>i|we|my|our|the|she|he|they|a|an"
                   r"|it|its|it's) (?P<rest>(?:\S+ ){2,}\S+)$")
"""A hedge, then "but" or "so" and an answer of its own ("not sure, but the new manager...",
"nothing from the surgery, but I rang 111 myself")."""
_GUESS = re.compile(r"^(?:idk|dunno|not sure|im not sure|i'm not sure|no idea)(?: tbh| really)?"
                    r"(?: but)? (?:maybe|probably|perhaps|possibly|prob|i guess|more) "
                    r"(?P<rest>(?:\S+ ){1,}\S+)$")
"""Unsure, then a guess of two words or more: a guess is an answer ("idk maybe a&e trips")."""
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
    guess = _GUESS.match(said) if asked.kind is AnswerKind.TEXT and not (
        deed or asked.nothing_tried) else None  # at "has anyone tried?" a guess is a wish
    if guess is not None and not _STILL_UNSURE.search(guess.group("rest")) and not contains(
            guess.group("rest"), phrases("words.dont_know")) and re.sub(
                r"^(?:the|a|some) ", "", guess.group("rest")) not in phrases("words.filler") and (
            not re.search(r"\b(?:someone|somebody|something|anything|anyone)\b",
                          guess.group("rest"))):
        return True  # "not sure but maybe posters in the waiting room", "idk more staff?? obvs"
    turn = _TURN.match(said) if asked.kind is AnswerKind.TEXT else None
    if turn is None or _STILL_UNSURE.search(turn.group("rest")) or contains(
            turn.group("rest"), phrases("words.dont_know")):
        return False
    if deed:
        return turn.group("who") in {"i", "we"} and turn.group("rest").split()[0] not in _NOT_DOING
    return turn.group("turn") == "but"


_WHERE_TO_START = re.compile(r"(?:i )?(?:(?:dont|don't|do not) (?:really )?know|(?:im |i'm )?not "
                             r"sure|unsure) where to (?:start|begin)|where do i (?:start|begin)")
"""How a story may open: what follows it is the story."""
_STRESS = re.compile(r"\b(?:even|honestly|genuinely|truly|actually)\s+(?=\w)")
"""Words that stress a not-knowing without changing it ("i cant even remember")."""


def dont_know(said: str, text: str, asked: Asked) -> Understood | None:
    unstressed = _STRESS.sub("", said)
    if unstressed != said:
        return dont_know(unstressed, _STRESS.sub("", text.casefold()), asked)
    unsure = phrases("words.dont_know")
    opener = _WHERE_TO_START.match(said) if asked.kind is AnswerKind.TEXT else None
    if opener is not None and len(said[opener.end():].split()) >= 5:
        return None  # "i dont know where to start, the gp lost my referral twice": a story
    if _turns_to_answer(said, asked):
        return None
    if _LOST.match(said) and len(said.split()) <= SHORT:
        return Understood(Reading.HELP)
    if len(pattern(unsure).findall(said)) >= 2 or _ends_unsure(text, unsure):
        return Understood(Reading.DONT_KNOW)  # "dunno really, i mean maybe, i just dont know"
    if contains(said, phrases("words.meaning")) and said not in unsure and not re.match(
            r"(?:i )?(?:dont|don't|do not) know how to (?:explain|say|put|describe)", said):
        return None  # but "i dont know how to explain it" does not know
    bare = " ".join(w for w in said.split() if w not in phrases("words.filler"))
    if bare.rstrip("?") in phrases("words.dont_know.alone"):
        return Understood(Reading.DONT_KNOW)
    first = first_clause(text)
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


def _ends_unsure(text: str, unsure: frozenset[str]) -> bool:
    """A short reply whose last clause is a "don't know" ("havent learned much tbh, dunno")."""
    clauses = [plain(c) for c in re.split(r"[,.;!]", text) if plain(c)]
    if len(clauses) < 2 or len(plain(text).split()) > PHRASED + 2:
        return False
    last = re.sub(r"^(?:so|and|but|tbh|honestly|really) ", "", clauses[-1])
    return last in unsure or _without_fillers(last) in unsure


def yes_tried(said: str, text: str, asked: Asked) -> Understood | None:
    """At "has anyone tried something?", a yes that does not say what ("yes someone did",
    "yep i have"): not an answer to keep; asked what was tried (``unclear.tried_yes``)."""
    if asked.nothing_tried and asked.kind is AnswerKind.TEXT and only_yes_tried(said):
        return Understood(Reading.UNCLEAR)
    return None


def only_yes_tried(said: str) -> bool:
    return _YES_TRIED.fullmatch(said.replace(",", " ").replace(".", " ").strip()) is not None


_YES_TRIED = re.compile(
    r"(?:yes|yeah|yea|yep|yup|ya|yh|aye|y|sure|i think so|think so)"
    r"(?:\s+(?:someone|somebody|i|we|they|he|she|my \w+|the \w+|a few of us))?"
    r"(?:\s+(?:did|have|has|had|tried|tried something|tried things|tried stuff|did try|"
    r"have tried|has tried|tried a few things|tried loads|did something))?"
    r"(?:\s+(?:actually|really|yes|thanks))?")


def nothing_tried(said: str, text: str, asked: Asked) -> Understood | None:
    if not asked.nothing_tried or _turns_to_answer(said, asked, deed=True) or (
            _OWN_DEED.search(text.casefold())) or _SOMEONE_BUT.search(said):
        return None
    nothing = phrases("words.nothing_tried")
    said = _POLITE.sub("", said) or said  # "I am sorry to say that nothing has been attempted"
    hedged = " ".join(w for w in first_clause(text).split() if w not in _HEDGING)
    if said in nothing or opens_with(said, nothing, SHORT) or _angry_nothing(said) or (
            _without_fillers(said) in nothing) or (
            first_clause(text) in nothing and len(said.split()) <= SHORT * 2) or (
            hedged in nothing and len(said.split()) <= SHORT * 2):
        return Understood(Reading.NOTHING_TRIED)
    return None


_POLITE = re.compile(r"^(?:(?:i am|i'm|im|i) (?:sorry|afraid|regret)(?: to say)?(?: that)?|"
                     r"(?:sorry|sad) to say(?: that)?) ")
"""A polite opening before the answer ("I'm afraid ...", "sorry to say that ...")."""

_OWN_DEED = re.compile(
    r"(?:^|[,.;:!?-]\s*|\b(?:but|though|well|and)\s+)(?:i|we|i've|ive|we've|weve|i have|we have)"
    r"\s+(?:(?:also|just|even|already|once|then|actually|did|have|had)\s+)?"
    r"(?:tried|try|started|set up|made|booked|paid|bought|printed|moved|changed|switched)\b"
    r"(?!\s+(?:nothing|anything|to no one|to nobody)\b)")
"""The person's own deed told after an opening no ("Nope. We started a rota ourselves but it
fell apart"): what was tried, not nothing. Asking, raising it or complaining is not a deed
here ("nope. ive asked but nothing happens"); trying to get through is left to the steering
(``flows/steering.py``), which reads it as a problem, not an attempt."""

_SOMEONE_BUT = re.compile(r"\b(?:me|i|us|we|my \w+|the \w+)\b.*\b(?:nobody|no one|noone|no-one)"
                          r" else\b")
"""Someone, then nobody else ("just me really, nobody else bothered"): someone did."""

_HEDGING = frozenset({"actually", "well", "oh", "honestly", "um", "erm", "really", "tbh", "so",
                     "sadly", "unfortunately", "no"})
"""Words around "nothing yet" that do not change it ("well nothing yet really, I was...")."""


def unsure_if(said: str, text: str, asked: Asked) -> Understood | None:
    """At a question with options, "not sure if that's ok" is not sure, not an ok."""
    if asked.kind is AnswerKind.TEXT:
        return None
    calm = " ".join(w for w in said.split() if w not in HESITATION | ASIDES) or said
    found = pattern(phrases("words.dont_know")).match(calm)
    after = calm[found.end():].split()[:1] if found else []
    opens = found is not None and found.group().split()[-1] in {"if", "whether"}
    return Understood(Reading.DONT_KNOW) if opens or after in (["if"], ["whether"]) else None


def _without_fillers(said: str) -> str:
    return " ".join(w for w in said.split() if w not in phrases("words.filler")) or said


def hesitating(said: str, text: str, asked: Asked) -> Understood | None:
    if asked.yes and _hesitant(said, text):
        return Understood(Reading.UNCLEAR)  # "hmm ok?": asked again, not taken as a yes
    return None


def _hesitant(said: str, text: str) -> bool:
    """A bare "ok" with a question mark or an "hmm" before it is not yet a yes."""
    bare = [w for w in said.rstrip("?").split() if w not in HESITATION]
    weak = " ".join(bare) in phrases("words.yes") and len(bare) <= 2
    return weak and (text.rstrip().endswith("?") or len(bare) < len(said.split()))


def _angry_nothing(said: str) -> bool:
    """ "tried?? nobody has tried anything thats the point" """
    return bool(re.search(r"\b(?:nobody|no one|noone|nothing)\b.*\b(?:tried|done|bothered)\b",
                          said)) and not re.search(r"\b(?:so|but) (?:i|we)\b", said)
