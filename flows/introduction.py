"""Would you like to be introduced? Asked privately of each teller a moderator proposed to
introduce to someone who tried something similar.

Outbound only: the bot starts it (``App.start_flow``) for each side of an introduction
(``bot/features/introductions.py``), giving the themes the two stories share. A yes is
followed by the line they would like passed on; it records no story: the answer and the line
are kept with the introduction, and only passed on if the other person says yes too.
"""

from __future__ import annotations

from flows.answers import choice
from flows.spec import OUTBOUND_ONLY, AnswerKind, FlowOptions, FlowSpec, Step, go
from flows.story import chose

INTRODUCTION = "introduction"
INVITE, LINE = "invite", "line"
MEET, NO_MEET = "meet", "no_meet"
"""The choices of "would you like to be introduced?", here and in the story's consent."""
THEMES = "themes"
"""Answers given at the start, besides which introduction it is (``flows.spec.ABOUT``): the
themes the two stories share."""


def introduction_flow(options: FlowOptions) -> FlowSpec:
    """Would you like to be introduced; if so, what would you like passed on."""
    steps = (
        Step(INVITE, AnswerKind.CHOICE, INVITE, choices=(choice(MEET), choice(NO_MEET)),
             yes=MEET, no=NO_MEET, later=NO_MEET),
        Step(LINE, AnswerKind.TEXT, LINE),
    )
    transitions = (
        go(INVITE, "declined", chose(NO_MEET)),
        go(INVITE, LINE),
        go(LINE, "done"),
    )
    return FlowSpec(INTRODUCTION, steps, transitions, INVITE, entry=OUTBOUND_ONLY,
                    shows=(THEMES,))


def agreed(answers: dict[str, object]) -> str | None:
    """The line to pass on, if they said yes and wrote one."""
    line = answers.get(LINE)
    return line if answers.get(INVITE) == MEET and isinstance(line, str) and line else None
