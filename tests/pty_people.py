"""A person telling a whole story to ``storyloop chat`` in a pseudo-terminal, turn by turn, and
what ended up in the SQLite file. Shared by ``tests/test_people_pty.py``; built on the
terminal harness in ``tests/test_terminal_pty.py``."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pexpect

from tests.test_terminal_pty import (
    CTRL_D,
    CURSOR_ANSWER,
    CURSOR_QUERY,
    PASTE_END,
    PASTE_START,
    Person,
)

ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")
"""A terminal control sequence: cursor moves, colours, titles."""
CHOICE = re.compile(r"^\s*\d+\.\s+(.*)$")
"""A numbered choice, on its own line under the bot's words."""
MISUNDERSTOOD = ("didn't follow", "didn't catch", "didn't understand", "not sure what you mean",
                 "tell me a little more", "even a few words help")
"""How the bot says it did not follow, in the words a person sees."""
PROMPT_DONE = "\x1b[?2004l"
"""prompt_toolkit turns bracketed paste off once an answer is sent: the bot's reply follows."""
WAYS_OUT = ("skip", "pause")
STORY_FIELDS = ("situation", "tried", "tried_by", "outcome", "spread", "enhance", "restore",
                "replace", "become", "role", "place", "consent_store", "consent_digest",
                "consent_quote", "consent_contact", "consent_name", "status")


def plain(text: str) -> str:
    """What a person reads: no control sequences, whitespace as single spaces."""
    return " ".join(ESCAPE.sub("", text).replace("\r", "").split())


@dataclass(frozen=True)
class Reply:
    """What the bot said, and the numbered choices it offered, as a person reads them."""
    text: str
    choices: tuple[str, ...]

    @classmethod
    def shown(cls, screen: str) -> Reply:
        lines = ESCAPE.sub("", screen).replace("\r", "").split("\n")
        choices = [m.group(1).strip() for m in map(CHOICE.match, lines) if m]
        return cls(plain(" ".join(line for line in lines if not CHOICE.match(line))),
                   tuple(choices))

    def __str__(self) -> str:
        return self.text + "".join(f" [{n}. {c}]" for n, c in enumerate(self.choices, 1))


@dataclass(frozen=True)
class Turn:
    said: str
    reply: Reply

    def __str__(self) -> str:
        return f"  person: {self.said!r}\n  bot:    {str(self.reply)!r}"


class Teller(Person):
    """Someone telling storyloop a story at a terminal. Each answer waits for the prompt that
    follows the bot's reply, so every reply is read whole before the next answer."""

    def __init__(self, config: Path) -> None:
        super().__init__(config)
        self.term.timeout = 10
        self.opening = ""
        self.turns: list[Turn] = []

    def _next_prompt(self) -> Reply:
        """Wait for the prompt; what was shown since the last one."""
        self.term.expect_exact(CURSOR_QUERY)
        self.term.send(CURSOR_ANSWER)
        shown = self.term.before
        assert isinstance(shown, str)
        return Reply.shown(shown.rpartition(PROMPT_DONE)[2])

    def opens(self) -> str:
        """Start: wait for storyloop to speak first; what it said."""
        self.opening = str(self._next_prompt())
        return self.opening

    def says(self, text: str, *, paste: bool = False) -> str:
        """Type (or paste) ``text`` and press Enter; the bot's whole reply, its choices last."""
        self.term.send(f"{PASTE_START}{text}{PASTE_END}\r" if paste else f"{text}\r")
        self.turns.append(Turn(text, self._next_prompt()))
        return str(self.turns[-1].reply)

    def answers(self, text: str, then: str, *, paste: bool = False) -> str:
        """Say ``text`` and check that the reply goes on to ``then`` (the next question)."""
        reply = self.says(text, paste=paste)
        assert plain(then).lower() in reply.lower(), (
            f"after {text!r} expected {then!r}:\n{self.transcript()}")
        return reply

    def leaves(self, keys: str = CTRL_D) -> int:
        self.term.send(keys)
        self.term.expect(pexpect.EOF, timeout=5)
        self.term.close()
        assert self.term.exitstatus is not None, f"killed by signal {self.term.signalstatus}"
        return self.term.exitstatus

    @property
    def said(self) -> list[str]:
        return [turn.said for turn in self.turns]

    def transcript(self) -> str:
        return "\n".join([f"  bot:    {self.opening!r}", *map(str, self.turns)])

    def misunderstood_twice_without_a_way_out(self) -> list[tuple[Turn, Turn]]:
        """Pairs of replies in a row that both say they did not follow, the second offering
        no way out (skip or pause)."""
        def lost(reply: Reply) -> bool:
            return any(phrase in reply.text.lower() for phrase in MISUNDERSTOOD)
        return [(first, second) for first, second in zip(self.turns, self.turns[1:], strict=False)
                if lost(first.reply) and lost(second.reply)
                and not any(way in second.reply.text.lower() for way in WAYS_OUT)]


def stored_story(db: Path) -> dict[str, Any]:
    """The one story in the database, field by field, with its themes in order."""
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        [row] = con.execute(f"SELECT id, {', '.join(STORY_FIELDS)} FROM stories").fetchall()
        themes = [theme for (theme,) in con.execute(
            "SELECT theme FROM story_themes WHERE story_id = ? ORDER BY position", (row["id"],))]
    con.close()
    return {**{field: row[field] for field in STORY_FIELDS}, "themes": themes}


def story_count(db: Path) -> int:
    with sqlite3.connect(db) as con:
        [(count,)] = con.execute("SELECT count(*) FROM stories")
    con.close()
    return int(count)


class Misreadings:
    """What the bot kept that the person did not mean, collected so that one run names every
    field that went wrong, not only the first."""

    def __init__(self, story: dict[str, Any]) -> None:
        self.story = story
        self.found: list[str] = []

    def equal(self, field: str, meant: Any) -> None:
        if self.story[field] != meant:
            self.found.append(f"{field}: stored {self.story[field]!r}, meant {meant!r}")

    def holds(self, field: str, *words: str) -> None:
        """The stored answer holds the words that carry what the person meant."""
        stored = self.story[field]
        missing = [w for w in words if stored is None or w.lower() not in stored.lower()]
        if missing:
            self.found.append(f"{field}: stored {stored!r}, meant something with {missing!r}")

    def never(self, *non_answers: str) -> None:
        """None of ``non_answers`` (a question, a hello, a complaint) is kept as an answer: no
        field is one of them, and none holds one of several words."""
        for field, value in self.story.items():
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and any(_kept(n, text) for n in non_answers):
                    self.found.append(f"{field}: a non-answer was stored: {text!r}")

    def check(self, *tellers: Teller) -> None:
        """Nothing misread, and nobody told twice in a row they were not followed without
        being offered a way out."""
        for teller in tellers:
            for first, second in teller.misunderstood_twice_without_a_way_out():
                self.found.append(f"not followed twice, no way out offered:\n{first}\n{second}")
        transcripts = "\n  --- (left, came back)\n".join(t.transcript() for t in tellers)
        assert not self.found, "\n".join([*self.found, transcripts, f"stored: {self.story}"])


def _bare(text: str) -> str:
    return plain(text).lower().strip(" .,!?'\"")


def _kept(non_answer: str, stored: str) -> bool:
    said, kept = _bare(non_answer), _bare(stored)
    return said == kept or (len(said.split()) >= 3 and said in kept)
