"""A reply as someone writing English as a second language, or typing for someone else, meant
it, for reading only (what is kept is as typed). Pure.

``as_grammar`` puts back the "don't", "do" or "to" English needs ("i not understand", "what
you want me to say", "i want start again"); ``for_themselves`` reads "mum says it was her" as
"it was me"; ``stated_question`` tells a question put as a statement ("you will share this?",
"the doctor will see this?") from an answer. ``flows/typed.py`` applies the first two to every
reply; ``flows/read_questions.py`` asks the third.
"""

from __future__ import annotations

import re

from flows.wording import pairs, plain

_NOT_VERB = re.compile(r"\b(i|we|me)\s+(?:not|no)\s+(understand|know|remember|get)\b"
                       r"|^(?:not|no)\s+(understand)\b", re.IGNORECASE)
"""A "don't" left out ("i not understand", "no understand")."""
_NO_IDEA = re.compile(r"^(?:i\s+)?(?:no|not|dont|don't)\s+have\s+(?:an?\s+|any\s+)?idea\b",
                      re.IGNORECASE)
"""And "i no have idea": no idea."""
_TO_VERB = re.compile(r"\b(want|wanna|need|going)\s+(start|say|answer|write|tell|change|stop"
                      r"|finish|skip|pause|complain|make|send|delete|erase|talk|give|go|do"
                      r"|leave|put|share|keep)\b", re.IGNORECASE)
"""A "to" left out ("i want start again", "dont want say")."""
_WHAT_MEANS = re.compile(r"^((?:so|sorry|but|and|ok)[,\s]+)?what\s+(?:is\s+)?(?:means?|meaning"
                         r"(?:\s+of)?)\s+(?!that\b|this\b|it\b)([^?.!,]{1,40}?)(?=\s*[?.!]|$)",
                         re.IGNORECASE)
"""ESL "what means X" ("what means build on", "what is mean replace")."""
_MEANS_WHAT = re.compile(r"^([^?.!,]{1,40}?)\s+means?\s+what\b", re.IGNORECASE)
"""And "X mean what?"."""
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
_THEY_AGREE = re.compile(
    r"(^|[,.;]\s*)(?:(?:i )?explained it to (?:him|her|them|my \w+|\w+)\s*[,.;]?\s*)?(?:my\s+)?"
    r"(?:mum|mom|mam|mother|dad|father|gran|granny|grandma|nan|nana|grandad|granddad|grandpa"
    r"|husband|wife|partner|son|daughter|sister|brother|she|he)(?:'s|\s+is)?\s+(?:agrees"
    r"|happy(?: with (?:that|it|this))?|fine with (?:that|it|this)|understands and (?:he |she )?"
    r"agrees|understands and (?:he's|she's|he is|she is) happy)\b", re.IGNORECASE)
"""Someone's agreement passed on ("He understands and he agrees", "explained it to dad, he's
happy with that"): a yes."""
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
    text = _THEY_AGREE.sub(lambda m: f"{m.group(1)}yes", text)
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
    form = dict(pairs("words.second_language"))  # the English forms, in the catalogue
    text = _NO_IDEA.sub(form["no_idea"], text)
    text = _WHAT_MEANS.sub(lambda m: (m.group(1) or "") + form["what_means"].format(m.group(2)),
                           text)
    text = _MEANS_WHAT.sub(lambda m: form["what_means"].format(m.group(1)), text)
    text = re.sub(r"^is\s+(possible|ok|okay|allowed)\s+to\b",
                  lambda m: form["is_it"].format(m.group(1)), text,
                  flags=re.IGNORECASE)  # "is possible to skip?"
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


_STATED_SUBJECTS = frozenset({"you", "u", "this", "it", "someone", "somebody", "anyone",
                              "anybody", "they", "people", "nothing", "nobody", "my", "the",
                              "staff"})
_STATED_VERBS = frozenset({"will", "would", "can", "could", "is", "are", "does", "do", "did",
                           "should", "has", "have", "must", "send", "sends", "see", "sees",
                           "read", "reads", "share", "shares", "keep", "keeps", "go", "goes",
                           "know", "knows", "also", "get", "gets"})
"""A question put as a statement with a question mark ("you will share this?", "the doctor
will see this?", "my full name will be public?"), as people writing in a second language
often ask: its subject, then one of these within its first three words."""
_WH = frozenset({"who", "what", "whats", "what's", "where", "when", "why", "how", "which"})
_ASKING = _WH | {"is", "are", "will", "can", "could", "do", "does", "am", "would", "should"}


def stated_question(text: str, options: bool) -> bool:
    """Does a reply ask rather than answer? It opens with "if ...?" at a question with
    ``options`` ("if i erase, the story also deleted?"), or holds a question put as a
    statement ("yes but they will see my number?"; a yes before it does not answer yet), or
    at an open question echoes it back ("replace what?", "my full name or only first?")."""
    if "?" not in text:
        return False
    asking = plain(text.strip().split("?", 1)[0]).split()
    if options and asking[:1] == ["if"] and len(asking) >= 3:
        return True
    for sentence in re.findall(r"[^?]+\?", text.strip())[:3]:  # "5 min? and you are a robot?"
        clause = plain(re.split(r"[,.;!]|\bbut\b", sentence)[-1]).split()
        while clause[:1] in (["and"], ["so"], ["also"]):
            clause = clause[1:]
        if len(clause) >= 3 and clause[0] in _STATED_SUBJECTS and (
                set(clause[1:3]) & _STATED_VERBS):
            return True
    ends = text.rstrip().endswith("?")
    if options:  # "volunteer is staff?"
        return ends and 2 <= len(asking) <= 4 and asking[0] not in _ASKING and asking[1] in {
            "is", "are", "count", "counts"}
    return (2 <= len(asking) <= 3 and asking[-1] in _WH) or (  # "replace what? i dont get"
        ends and 3 <= len(asking) <= 8 and "or" in asking[1:-1])  # "a complaint or a idea?"
