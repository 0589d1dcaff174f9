"""How did it go? Weeks after someone told of something they tried, the bot asks.

Outbound only: the bot starts it (``App.start_flow``) when a follow-up falls due
(``bot/features/follow_ups.py``). It asks whether what they tried is still going, has
stopped or has changed; what has happened since; and what they learned. It records no story:
its answers become an update linked to the original story (``bot.core.follow_ups``).
"""

from __future__ import annotations

from bot.core.follow_ups import Outcome
from flows.answers import choice
from flows.spec import OUTBOUND_ONLY, AnswerKind, Answers, FlowOptions, FlowSpec, Step, go
from flows.story import chose

FOLLOW_UP = "follow_up"
HOW_IT_WENT = "how_it_went"
"""The answers key of the first question: an :class:`Outcome` by its choice's value."""
SINCE, LEARNED = "since", "learned"
OUTCOMES = {"still_going": Outcome.STILL_GOING, "stopped": Outcome.STOPPED,
            "changed": Outcome.CHANGED}
TRIED_SAID = "tried_said"
"""The answers key, given when the bot starts it, holding the start of what the person said
they tried, in their words: the first question quotes it, so a person who has forgotten
knows which story it is."""
NOT_NOW, NO = "not_now", "no"
"""Not now: asked again once, later. No thanks: this one is never asked again."""


def follow_up_flow(options: FlowOptions) -> FlowSpec:
    """How did it go: still going, stopped or changed; what happened since; what was learned.
    "Not now" (or "can I do this at the weekend?") pauses it: one gentle nudge later; "No
    thanks" ends this one."""
    steps = (
        Step(HOW_IT_WENT, AnswerKind.CHOICE, HOW_IT_WENT,
             choices=(*(choice(value) for value in OUTCOMES), choice(NOT_NOW), choice(NO)),
             no=NO, later=NOT_NOW, pauses=NOT_NOW, variant=_quoted),
        Step(SINCE, AnswerKind.TEXT, SINCE, optional=True),
        Step(LEARNED, AnswerKind.TEXT, LEARNED, optional=True),
    )
    transitions = (
        go(HOW_IT_WENT, "declined", chose(NO)),
        go(HOW_IT_WENT, SINCE),
        go(SINCE, LEARNED),
        go(LEARNED, "done"),
    )
    return FlowSpec(FOLLOW_UP, steps, transitions, HOW_IT_WENT, entry=OUTBOUND_ONLY,
                    shows=(TRIED_SAID,))


def _quoted(answers: Answers) -> str | None:
    return "quoted" if answers.get(TRIED_SAID) else None


def outcome_of(answers: dict[str, object]) -> Outcome | None:
    """What the person said of their experiment, if they answered the first question."""
    picked = answers.get(HOW_IT_WENT)
    return OUTCOMES.get(picked) if isinstance(picked, str) else None
