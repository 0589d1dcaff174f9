"""``storyloop chat`` as a person meets it: a real process in a pseudo-terminal, on a real
SQLite file. Each step waits for what the person would see before they type; nothing sleeps."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from bot.core.words import say

STORYLOOP = Path(sys.executable).with_name("storyloop")
CURSOR_QUERY, CURSOR_ANSWER = "\x1b[6n", "\x1b[40;1R"
"""prompt_toolkit asks where the cursor is each time it shows the prompt; a terminal answers."""
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
CTRL_C, CTRL_D, ALT_ENTER = "\x03", "\x04", "\x1b\r"
GOODBYE = say("terminal.goodbye")
KEY_WARNING = "STORYLOOP_SECRET is not set: made a pseudonym key"
STORY = ("Our ward kept missing allergies at handover.\n"
         "Night staff were tired and the notes were long.\n"
         "\n"
         "Everyone felt it.")


class Person:
    """Someone at a terminal running ``storyloop chat``: what they see, and what they type."""

    def __init__(self, config: Path, *args: str, secret: bool = True) -> None:
        env = {k: v for k, v in os.environ.items()
               if k not in {"COLUMNS", "LINES", "STORYLOOP_SECRET", "STORYLOOP_LOG"}}
        env["TERM"] = "xterm-256color"
        if secret:
            env["STORYLOOP_SECRET"] = "a pseudonym key for tests"
        self.screen = io.StringIO()
        self.term = pexpect.spawn(str(STORYLOOP), ["--config", str(config), "chat", *args],
                                  env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))
        self.term.logfile_read = self.screen

    def sees(self, text: str) -> None:
        """Wait until ``text`` is on the screen (wrapped to the terminal's width, perhaps)."""
        self.term.expect(r"\s+".join(map(re.escape, text.split())))

    def saw(self, text: str) -> bool:
        """Whether ``text`` was on the screen at any time (wrapped or not)."""
        return " ".join(text.split()) in " ".join(self.screen.getvalue().split())

    def at_prompt(self) -> None:
        """Wait until the prompt is shown and reading keys, answering as a terminal does."""
        self.term.expect_exact(CURSOR_QUERY)
        self.term.send(CURSOR_ANSWER)

    def types(self, text: str) -> None:
        self.at_prompt()
        self.term.send(f"{text}\r")

    def pastes(self, text: str) -> None:
        """A paste as a terminal with bracketed paste sends it, then Enter."""
        self.at_prompt()
        self.term.send(f"{PASTE_START}{text}{PASTE_END}\r")

    def leaves(self, keys: str) -> int:
        """Press ``keys`` at the prompt; the exit status, once storyloop has ended."""
        self.at_prompt()
        self.term.send(keys)
        self.term.expect(pexpect.EOF, timeout=3)
        self.term.close()
        assert self.term.exitstatus is not None, f"killed by signal {self.term.signalstatus}"
        return self.term.exitstatus


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "storyloop.toml"
    path.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "s.db"}"\n')
    return path


def conversation(config: Path) -> dict[str, Any]:
    """The one conversation in the database: its step, status and answers."""
    with sqlite3.connect(config.parent / "s.db") as db:
        [(state, status, data)] = db.execute("SELECT state, status, data FROM conversations")
    return {"state": state, "status": status, **json.loads(data)}


def tell_up_to_the_story(person: Person) -> None:
    person.sees("Shall we start?")
    person.types("yes")
    person.sees("Is that OK?")
    person.types("yes")
    person.sees("What's been happening?")


def test_a_newcomer_is_welcomed_without_typing_anything(config: Path) -> None:
    person = Person(config)
    person.sees("Stories are kept in")
    person.sees("Hi, I'm storyloop.")
    person.sees("Shall we start?")
    assert not person.saw("Say hello")
    assert person.leaves(CTRL_D) == 0


def test_a_pasted_story_of_several_lines_is_one_answer(config: Path) -> None:
    person = Person(config)
    tell_up_to_the_story(person)
    person.pastes(STORY)
    person.sees("tried something")
    assert person.leaves(CTRL_D) == 0
    stored = conversation(config)
    assert stored["answers"]["situation"] == STORY
    assert stored["history"] == ["welcome", "consent", "situation"]


def test_a_pasted_story_is_stored_and_listed_whole(config: Path) -> None:
    person = Person(config)
    tell_up_to_the_story(person)
    person.pastes(STORY)
    person.sees("tried something")
    for answer, next_question in [("not yet", "What would help?"),
                                  ("A shorter handover sheet.", "extra questions"),
                                  ("no", "Which of these"), ("1", "Which service"),
                                  ("skip", "Nearly done"), ("staff", "What else is OK"),
                                  ("none", "Shall I send it?"), ("yes", "your story is saved")]:
        person.types(answer)
        person.sees(next_question)
    assert person.leaves(CTRL_D) == 0
    listed = subprocess.run([str(STORYLOOP), "--config", str(config), "stories"],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    assert ("staff | Our ward kept missing allergies at handover.\n"
            "      Night staff were tired and the notes were long.\n"
            "\n"
            "      Everyone felt it.\n") in listed
    assert "1 story in" in listed


def test_alt_enter_starts_a_new_line_in_the_same_answer(config: Path) -> None:
    person = Person(config)
    tell_up_to_the_story(person)
    person.types(STORY.replace("\n", ALT_ENTER))
    person.sees("tried something")
    assert person.leaves(CTRL_D) == 0
    assert conversation(config)["answers"]["situation"] == STORY


@pytest.mark.parametrize(("typed", "keys"), [("", CTRL_C), ("", CTRL_D),
                                             ("half a thought", CTRL_D)],
                         ids=["ctrl-c", "ctrl-d", "ctrl-d-after-typing"])
def test_ctrl_c_or_ctrl_d_leaves_at_once_kindly(config: Path, typed: str, keys: str) -> None:
    person = Person(config)
    tell_up_to_the_story(person)
    assert person.leaves(typed + keys) == 0
    assert person.saw(GOODBYE) and not person.saw("Traceback")
    assert conversation(config)["history"] == ["welcome", "consent"]  # kept, as it says


def test_someone_back_mid_story_sees_where_they_were(config: Path) -> None:
    first = Person(config)
    tell_up_to_the_story(first)
    first.pastes(STORY)
    first.sees("tried something")
    first.leaves(CTRL_C)
    before = conversation(config)
    again = Person(config)
    again.sees("tried something")
    assert not again.saw("Shall we start?")
    assert again.leaves(CTRL_D) == 0
    assert conversation(config) == before  # coming back is not an answer


def test_log_lines_go_to_the_log_file_not_the_chat(config: Path) -> None:
    person = Person(config, secret=False)
    person.sees("Shall we start?")
    assert person.leaves(CTRL_D) == 0
    assert not person.saw(KEY_WARNING)
    assert KEY_WARNING in (config.parent / "s.db.log").read_text()


def test_verbose_shows_log_lines_in_the_terminal(config: Path) -> None:
    person = Person(config, "--verbose", secret=False)
    person.sees(KEY_WARNING)
    person.sees("Shall we start?")
    assert person.leaves(CTRL_D) == 0
    assert not (config.parent / "s.db.log").exists()
