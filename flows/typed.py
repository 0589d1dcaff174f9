"""A reply as the person meant to type it, for reading only (what is kept is as typed):
dictated punctuation, sounded-out spellings, stretched letters, quoted lines of the bot's
question, a letter's "Dear ..." and signature, and option numbers said in words; and, by
``flows/second_language.py``, the words English needs that a second-language writer left
out, and a reply typed for someone else as that person's own. Pure."""

from __future__ import annotations

import re

from flows.second_language import as_grammar, for_themselves
from flows.wording import pairs, phrases, plain

_SIGN_OFF = re.compile(
    r"(?:[.,!]\s*|\s+)(?:(?i:kind|best|warm|many)\s+)?(?i:regards|thanks|cheers|thank you|love"
    r"|yours faithfully|yours sincerely)[,.]?\s+(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?"
    r"(?:[A-Z]\.\s*)?[A-Z][a-z]+(?:[ -][A-Z][a-z'-]+)?\.?(?:\s*\((?:Mr|Mrs|Ms|Miss|Dr)\))?"
    r"\s*$|\.\s+(?:[A-Z]\.\s*)?[A-Z][a-z]+\.?\s*$")
"""A signature closing a message ("Kind regards, Alan", ". J. Morris"): not part of the reply."""
_SALUTATION = re.compile(r"^\s*(?i:dear)\s+[^,\n]{1,40},\s*")
"""A letter's opening ("Dear Sir or Madam,"): not part of the reply either."""

_NUMBER_NOUNS = frozenset({"number", "numbers", "option", "choice", "num", "#"})
"""Not "no": "no one" is nobody, not option 1 ("no. 1" is read as "number 1" earlier)."""

_NUMBER_JOINS = frozenset({"and", "&", "+", "plus", "or", "then", "just", "only", "also", "n",
                           "both", "number", "option", "choice"})

POLITE = frozenset({"please", "thanks", "thank", "you", "one", "option", "the", "last", "ta",
                     "dear", "then", "i", "think", "x", "answer", "bit", "part", "question"})

ASIDES = frozenset({"tbh", "obvs", "obv", "lol", "honestly", "really", "hm", "hmm", "um", "umm",
                     "erm", "please", "pls"})
"""Words around an option that add nothing to it ("both tbh")."""


_FACES = re.compile("[\U0001f600-\U0001f60a\U0001f60d\U0001f642\u263a]\ufe0f?")
"""Smiling faces: beside other words or signs they are a tone, not a reply."""


def as_typed(text: str) -> str:
    """A reply with dictated punctuation ("comma", "full stop"), sounded-out spellings
    ("wot", "qweshun") and stretched letters ("nooooo", "skiiip") put back, for reading."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">")
                     ) or text  # "> Shall we carry on?" quotes the bot, then answers
    text = re.sub(r"^\s*(?:<-+|<=+|←|⬅️?)\s*", "", text)  # "<- back"
    text = re.sub(r"(?:#|\b(?:no|opt|num)\.?\s*)(?=\d)", "number ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(\d)\s*(?:to|-)\s*(\d)\b", lambda m: ", ".join(
        str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1)), text)  # "1 to 3"
    text = re.sub(r"\b(\w) (\w) (\w)(?: (\w))?(?: (\w))?\b", _spaced, text)  # "s k i p"
    for said, mark in pairs("words.dictation"):
        text = re.sub(rf"\s*\b{re.escape(said)}\b", mark, text, flags=re.IGNORECASE)
    text = re.sub(r"([^\W\d_])\1{2,}", _unstretched, text)
    text = re.sub(r"\b(\w+)(?:\s+\1\b)+", r"\1", text, flags=re.IGNORECASE)  # "back back"
    text = re.sub(r"([\u2600-\u27bf\U0001f300-\U0001faff])(?:\s*\1)+", r"\1", text)  # "👍👍"
    smiled = _FACES.sub(" ", text).strip()
    text = smiled or text  # "😊👍": a smile beside a reply adds nothing to it
    spelled = dict(pairs("words.spelling"))
    text = re.sub(r"[\w']+", lambda m: spelled.get(m.group().casefold(), m.group()), text)
    return for_themselves(as_grammar(text))


def _spaced(found: re.Match[str]) -> str:
    letters = [g for g in found.groups() if g]
    return "".join(letters) if all(len(g) == 1 and g.isalpha() for g in letters) else found.group()


def _unstretched(found: re.Match[str]) -> str:
    return found.group(1)


def without_signature(text: str) -> str:
    text = _SALUTATION.sub("", text) or text  # "Dear Sir or Madam, ..."
    signed = _SIGN_OFF.search(text)
    if signed is None or plain(signed.group()) in phrases("words.yes") | phrases("words.no"):
        return text  # ". Yes." ends a reply; it does not sign it
    return text[:signed.start()] or text


def numbered(said: str, count: int) -> str:
    """Number words as digits where they pick options ("one and four", "the 1st and 3rd one",
    "number two please", "first and last"): "1 and 4", "1 and 3", "2 please", "1 and N"."""
    numbers = dict(pairs("words.numbers"))
    out: list[str] = []
    tokens = said.split()
    for index, token in enumerate(tokens):
        prev = out[-1] if out else ""
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in _NUMBER_NOUNS and (after.isdigit() or after in numbers):
            continue  # "number two"
        if token == "one" and prev.isdigit():
            continue  # "the 1st one"
        again = out[-2:-1] != [] and out[-2].isdigit() and prev == "the"
        last = token in phrases("words.last") and not again
        value = numbers.get(token) or (str(count) if last else None)  # not "3 the last one"
        opens = not prev or prev in _NUMBER_JOINS or (prev == "the" and token != "one") or (
            prev.isdigit() and token != "one")
        counting = token in {"first", "last", "top"} and (
            after.isdigit() or (after in numbers and after != "one"))  # "first two"
        if value is None or not opens or counting:
            out.append(token)  # "the naming one", "first two"
        else:
            out.append(value)
    return " ".join(out)


def picked_number(said: str, count: int) -> int | None:
    """The option a short reply picks by its number ("number one please", "the 2nd one pls",
    "number three the last one")."""
    tokens = numbered(said, count).split()
    while tokens and tokens[0] in {"the", "just", "only", "its", "it's"}:
        tokens = tokens[1:]
    if tokens and tokens[0].isdigit() and all(t in POLITE | ASIDES for t in tokens[1:]):
        number = int(tokens[0])
        return number - 1 if 1 <= number <= count else None
    return None
