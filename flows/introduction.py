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
INVITE, LINE, CONFIRM = "invite", "line", "confirm"
MEET, NO_MEET = "meet", "no_meet"
PASS_ON, REWRITE = "pass_on", "rewrite"
"""The line shown back before anything is kept: pass it on as written, or write it again."""
"""The choices of "would you like to be introduced?", here and in the story's consent."""
THEMES = "themes"
"""Answers given at the start, besides which introduction it is (``flows.spec.ABOUT``): the
themes the two stories share."""


def introduction_flow(options: FlowOptions) -> FlowSpec:
    """Would you like to be introduced; if so, what would you like passed on; then that line
    shown back, to pass on as written, write again, or not pass on at all."""
    steps = (
        Step(INVITE, AnswerKind.CHOICE, INVITE, choices=(choice(MEET), choice(NO_MEET)),
             yes=MEET, no=NO_MEET),  # "let me think about it" pauses, and is not a no
        Step(LINE, AnswerKind.TEXT, LINE),
        Step(CONFIRM, AnswerKind.CHOICE, None,
             choices=(choice(PASS_ON), choice(REWRITE), choice(NO_MEET)), yes=PASS_ON,
             no=NO_MEET),
    )
    transitions = (
        go(INVITE, "declined", chose(NO_MEET)),
        go(INVITE, LINE),
        go(LINE, CONFIRM),
        go(CONFIRM, "done", chose(PASS_ON)),
        go(CONFIRM, "declined", chose(NO_MEET)),
        go(CONFIRM, LINE),
    )
    return FlowSpec(INTRODUCTION, steps, transitions, INVITE, entry=OUTBOUND_ONLY,
                    shows=(THEMES, LINE))


def agreed(answers: dict[str, object]) -> str | None:
    """The line to pass on, if they said yes and wrote one."""
    line = answers.get(LINE)
    return line if answers.get(INVITE) == MEET and isinstance(line, str) and line else None
