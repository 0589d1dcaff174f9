"""Share what we tried: starts from the experiment, then asks what it was fixing.

Entered when someone opens with something tried ("We started a walking group for..."); from
"what happened" on, it shares the story flow's steps (``flows/story.py``).
"""

from __future__ import annotations

from typing import Any

from bot.core.words import words
from flows.answers import normalise
from flows.records import build_story
from flows.spec import (
    NOTHING,
    OPENING_WORDS,
    AnswerKind,
    Answers,
    Entry,
    FlowOptions,
    FlowSpec,
    Review,
    Step,
    go,
)
from flows.steering import Label, classify
from flows.story import (
    OPENING,
    YES_NO_START,
    chose,
    common_steps,
    consent,
    guess,
    has_tried,
    label,
    read_tried,
    replace_extract,
    same_source,
    tail,
    who_unknown,
    with_review_edits,
)

TRIED = "tried"
SHARE_WORDS = frozenset(words("words.share"))


def opens_with_attempt(text: str) -> bool:
    """A first message that tells of something tried, or asks to share one."""
    if normalise(text) in SHARE_WORDS:
        return True
    return len(text.split()) >= OPENING_WORDS and classify(text) is not Label.PROBLEM


def take_opening(answers: Answers, value: Any) -> None:
    """In the tried flow, what someone opened with is what they tried (kept only on consent)."""
    if value == "more":
        return
    opening = answers.pop(OPENING, None)
    if value == "yes" and opening:
        answers["tried"] = opening
        same_source(answers, OPENING, "tried")
        answers["tried_by"] = guess(opening)


def _not_yet(answers: Answers) -> str | None:
    """ "Nothing yet" at "what did you try?": not praised as something tried."""
    return "not_yet" if "tried" in answers.get(NOTHING, ()) else None


def tried_flow(options: FlowOptions) -> FlowSpec:
    """Share what we tried: starts from the experiment, then asks what it was fixing."""
    steps = [
        Step("welcome", AnswerKind.CHOICE, None, choices=YES_NO_START, yes="start",
             no="not_now", later="not_now"),
        Step("tried_first", AnswerKind.TEXT, "tried", review_label=label("tried"),
             extract=read_tried, hints=("nothing_tried",)),
        Step("tried_problem", AnswerKind.TEXT, "situation", review_label=label("tried_problem"),
             variant=_not_yet),
        *common_steps(options.themes),
    ]
    replace_extract(steps, "consent", take_opening)
    replace_extract(steps, "consent_more", take_opening)
    transitions = [
        go("welcome", "consent", chose("start")),
        go("welcome", "declined"),
        *consent("tried_first", go("consent", "tried_problem", chose("yes"), has_tried),
                 go("consent_more", "tried_problem", chose("yes"), has_tried)),
        go("tried_first", "tried_problem"),
        go("tried_problem", "tried_by", who_unknown),
        go("tried_problem", "outcome"),
        go("tried_by", "outcome"),
        *tail(options.reflection),
    ]
    entry = Entry(opens=opens_with_attempt, keeps_opening=OPENING)
    return with_review_edits(FlowSpec(TRIED, tuple(steps), tuple(transitions), "welcome",
                                      entry=entry, record=build_story, review=Review()))
