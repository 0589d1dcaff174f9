"""How the terminal shows a reply: choices numbered, lines wrapped between words."""

from __future__ import annotations

from adapters.terminal import render, wrap
from bot.core.types import Choice, OutgoingMessage, RoomId


def test_choices_are_a_numbered_list() -> None:
    reply = OutgoingMessage(room_id=RoomId("terminal"), text="Shall we start?",
                            choices=(Choice(value="yes", label="Yes, let's start"),
                                     Choice(value="no", label="Not now")))
    assert render(reply) == "Shall we start?\n\n  1. Yes, let's start\n  2. Not now"


def test_lines_wrap_between_words_and_hang_under_their_marker() -> None:
    text = ("Which answer would you like to change?\n"
            "  1. Include it in weekly summaries for staff\n"
            "\u2022 You agreed to: quote my words")
    assert wrap(text, 24) == ("Which answer would you\nlike to change?\n"
                              "  1. Include it in\n     weekly summaries\n     for staff\n"
                              "\u2022 You agreed to: quote\n  my words")


def test_no_width_leaves_the_text_as_it_is() -> None:
    text = "A very long line " * 20
    assert wrap(text, None) == text
    assert wrap("one\n\ntwo", 10) == "one\n\ntwo"
