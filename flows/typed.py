"""A reply as the person meant to type it, for reading only (what is kept is as typed):
dictated punctuation, sounded-out spellings, stretched letters, quoted lines of the bot's
question, a letter's "Dear ..." and signature, and option numbers said in words. Pure."""

from __future__ import annotations

import re

from flows.wording import pairs, phrases, plain

_SIGN_OFF = re.compile(
    r"(?:[.,!]\s*|\s+)(?:(?i:kind|best|warm|many)\s+)?(?i:regards|thanks|cheers|thank you|love"
    r"|yours faithfully|yours sincerely)[,.]?\s+(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?"
    r"(?:[A-Z]\.\s*)?[A-Z][a-z]+\.?\s*$|\.\s+(?:[A-Z]\.\s*)?[A-Z][a-z]+\.?\s*$")
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
    spelled = dict(pairs("words.spelling"))
    text = re.sub(r"[\w']+", lambda m: spelled.get(m.group().casefold(), m.group()), text)
    return for_themselves(as_grammar(text))


_NOT_VERB = re.compile(r"\b(i|we|me)\s+(?:not|no)\s+(understand|know|remember|get)\b"
                       r"|^(?:not|no)\s+(understand)\b", re.IGNORECASE)
"""A "don't" left out ("i not understand", "no understand")."""
_TO_VERB = re.compile(r"\b(want|wanna|need|going)\s+(start|say|answer|write|tell|change|stop"
                      r"|finish|skip|pause|complain|make|send|delete|erase|talk|give|go|do"
                      r"|leave|put|share|keep)\b", re.IGNORECASE)
"""A "to" left out ("i want start again", "dont want say")."""
_DO_SUPPORT = re.compile(r"^((?:sorry|so|but|and|ok|okay|then)[,\s]+)?(what|why|how|which one"
                         r"|which|where|when)(\s+(?:answer|thing|word|number|option|kind))?"
                         r"\s+(i|you|u|we)\s+(must|should|can|could"
                         r"|have to|need to|want|need|press|write|say|put|pick|choose|type"
                         r"|answer|mean|do)\b", re.IGNORECASE)
"""A question asked without "do" or with the verb after its subject ("what i have to do",
"why you need this?", "what i must write")."""
_MODALS = frozenset({"must", "should", "can", "could"})
_STATEMENT = re.compile(r"\b(?:is|was|are|were)\b", re.IGNORECASE)


_FOR_SOMEONE = re.compile(r"^(?:my\s+)?(?:mum|mom|mam|mother|dad|father|gran|granny|grandma|nan"
                          r"|nana|grandad|granddad|grandpa|husband|wife|partner|son|daughter"
                          r"|sister|brother|she|he)\s+(?:says|said|wants|chooses|picks|thinks"
                          r"|say)\s*[,:]?\s+(?:that\s+)?", re.IGNORECASE)
"""Someone typing for someone else ("mum says yes", "she says it was her"): what follows is
the answer, as if that person had typed it."""
_THIRD_PERSON = {"her": "me", "him": "me", "she": "i", "he": "i", "herself": "myself",
                 "himself": "myself", "doesnt": "dont", "doesn't": "don't", "does": "do",
                 "hes": "im", "shes": "im", "he's": "i'm", "she's": "i'm"}


_THEY_DONT = re.compile(r"^(?:my\s+)?(?:mum|mom|mam|mother|dad|father|gran|granny|grandma|nan"
                        r"|nana|grandad|granddad|grandpa|husband|wife|partner|son|daughter"
                        r"|sister|brother|she|he)\s+(?:doesnt|doesn't|does not)\s+(know"
                        r"|remember)\b", re.IGNORECASE)
"""Someone typing for someone else who does not know ("gran doesnt know")."""


def for_themselves(text: str) -> str:
    """A reply typed for someone else, as that person would have typed it: "my mum says no
    she doesn't want it kept" as "no i don't want it kept"."""
    text = _THEY_DONT.sub(r"i dont \1", text)
    found = _FOR_SOMEONE.match(text)
    if found is None or not text[found.end():].strip():
        return text
    return re.sub(r"[\w']+", lambda m: _THIRD_PERSON.get(m.group().casefold(), m.group()),
                  text[found.end():])


def as_grammar(text: str) -> str:
    """A reply as someone writing in a second language meant it, for reading only: the
    "don't", "do" or "to" that English needs put in ("i not understand" as "i dont
    understand", "what you want me to say" as "what do you want me to say", "i want start
    again" as "i want to start again")."""
    text = _NOT_VERB.sub(lambda m: f"{m.group(1)} dont {m.group(2)}" if m.group(1)
                         else f"dont {m.group(3)}", text)
    text = _TO_VERB.sub(r"\1 to \2", text)
    text = re.sub(r"^(can|could|may)\s+(skip|pause|stop|go back|restart|start again|finish later)"
                  r"\b", r"\1 i \2", text, flags=re.IGNORECASE)  # "can skip?"
    sentence = re.split(r"[.!?\n]", text, maxsplit=1)[0]
    found = _DO_SUPPORT.match(text)
    if found is None or len(sentence.split()) > 8 or _STATEMENT.search(sentence):
        return text
    opener, who, verb = found.group(1) or "", found.group(4), found.group(5)
    asking = found.group(2) + (found.group(3) or "")
    if who.casefold() in {"i", "we"} and verb.casefold() in {"want", "need"}:
        return text  # "what i want more nurses": what they want, not a question
    if verb.casefold() in _MODALS:
        return f"{opener}{asking} {verb.casefold().replace('must', 'should')} {who}" + text[
            found.end():]
    return f"{opener}{asking} do {who} {verb}" + text[found.end():]


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
