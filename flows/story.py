"""Tell a story: what's happening, then gently, what has been tried. The default flow.

Declared here as data (steps and guarded transitions) and compiled once by the engine. Guards
and extractors are small pure functions of the answers so far. The steps from "what happened"
to the review are shared with the tried flow (``flows/tried.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.core.types import Choice, Role, TriedBy
from bot.core.words import ENGLISH, catalogue, say, words
from flows.answers import choice, normalise
from flows.records import build_story
from flows.spec import (
    NOT_KNOWN,
    NOTHING,
    SOURCES,
    AnswerKind,
    Answers,
    Entry,
    Extractor,
    FlowOptions,
    FlowSpec,
    Guard,
    Review,
    Step,
    go,
)
from flows.steering import (
    Label,
    classify,
    guess_tried_by,
    plainly_failed,
    praises,
    says_it_failed,
    says_nothing_tried,
)

KEEP_OPENING = frozenset(words("words.keep_opening"))
STORY = "story"
OPENING = "opening"
"""Answers key holding a first message long enough to be the start of a story."""
REFLECTION = ("enhance", "restore", "replace", "become")


YES_NO_START = (choice("start"), choice("not_now"))
CONSENT = (
    choice("yes"),
    choice("more"),
    choice("no"),
)
TRIED_BY = (
    choice(TriedBy.ME.value),
    choice(TriedBy.MY_TEAM.value),
    choice(TriedBy.SOMEONE_ELSE.value),
)
REFLECT = (choice("reflect"), choice("no_reflect"))
ROLES = (
    choice(Role.CITIZEN.value),
    choice(Role.STAFF.value),
    choice(Role.BOTH.value),
    choice(Role.RATHER_NOT_SAY.value),
)
PERMISSIONS = (choice("digest"), choice("quote"),
               choice("contact"), choice("name"), choice("none"))
INTRODUCE = (choice("meet"), choice("no_meet"))
REVIEW = (choice("send"), choice("change"))


def label(name: str) -> str:
    """How the review labels an answer (``review.label.<name>``)."""
    return say(f"review.label.{name}")


# Extractors: derive fields from an answer (pure).
def _read_situation(answers: Answers, text: Any) -> None:
    """A situation that already tells what was tried doubles as the 'what was tried' answer.

    If the person opened the conversation with their story, "yes" keeps those words.
    """
    opening = answers.pop(OPENING, None)
    if opening and normalise(str(text)) in KEEP_OPENING:
        answers["situation"] = text = opening
        same_source(answers, OPENING, "situation")
    answers["steer"] = classify(str(text)).value
    if answers["steer"] != Label.PROBLEM and not answers.get("tried_asked"):
        answers["tried"] = text
        answers["tried_by"] = guess(text)


def read_tried(answers: Answers, text: Any) -> None:
    answers["tried_asked"] = True
    if text is None and "tried" in answers.get(NOT_KNOWN, ()):
        answers["tried"], answers["tried_by"] = None, None
    elif text is None or says_nothing_tried(str(text)):
        if text is not None or "tried" in answers.get(NOTHING, ()):
            answers[NOTHING] = sorted({*answers.get(NOTHING, ()), "tried"})
        answers["tried"], answers["tried_by"] = None, TriedBy.NOBODY.value
    else:
        answers["tried_by"] = guess(text)


def same_source(answers: Answers, source: str, field: str) -> None:
    sources = answers.get(SOURCES, {})
    answers[SOURCES] = {**sources, field: sources.get(source)}


def guess(text: Any) -> str | None:
    guess = guess_tried_by(str(text))
    return None if guess is None or guess.value == TriedBy.NOBODY else guess.value


# Words that fit what was said (pure).
def praised(a: Answers) -> str | None:
    return "praise" if praises(a.get("situation")) else None


def acted(a: Answers) -> str | None:
    """Something was tried, and "who tried it?" was not asked (which notices it already);
    "acted_failed" when what was tried already says it did not last."""
    asked_who = "tried_by" in a.get(SOURCES, {})
    if not a.get("tried") or asked_who:
        return None
    return "acted_failed" if plainly_failed(a.get("tried")) else "acted"


def failed(a: Answers) -> str | None:
    """The attempt did not work, as "what happened?" or what was tried says."""
    return "failed" if says_it_failed(a.get("outcome")) or plainly_failed(a.get("tried")) else None


# Guards (pure).
def needs_steer(a: Answers) -> bool:
    return a.get("steer") == Label.PROBLEM


def nothing_tried(a: Answers) -> bool:
    return a.get("tried_by") == TriedBy.NOBODY


def who_unknown(a: Answers) -> bool:
    return bool(a.get("tried")) and not a.get("tried_by")


def tried_unknown(a: Answers) -> bool:
    """The person was not sure whether anything was tried: ask what would help."""
    return "tried" in a.get(NOT_KNOWN, ()) and not a.get("tried")


def unsure(a: Answers) -> str | None:
    return "unsure" if tried_unknown(a) else None


def has_tried(a: Answers) -> bool:
    return bool(a.get("tried"))


def chose(value: str) -> Guard:
    def guard(a: Answers) -> bool:
        return bool(a.get("_choice") == value)

    guard.__name__ = f"chose_{value}"
    return guard


def common_steps(themes: Sequence[str]) -> list[Step]:
    theme_choices = tuple(Choice(value=t, label=t) for t in themes)
    text = AnswerKind.TEXT
    return [
        Step("consent", AnswerKind.CHOICE, "consent", choices=CONSENT, stamp="consent_at",
             yes="yes", no="no"),
        Step("consent_more", AnswerKind.CHOICE, "consent", choices=CONSENT,
             stamp="consent_at", yes="yes", no="no"),
        Step("tried_by", AnswerKind.CHOICE, "tried_by", choices=TRIED_BY,
             review_label=label("tried_by"), hints=("nothing_tried", "who_tried")),
        Step("outcome", text, "outcome", optional=True, review_label=label("outcome"),
             variant=acted),
        Step("spread", text, "spread", optional=True, review_label=label("help"),
             variant=failed),
        Step("need", text, "spread", optional=True, review_label=label("help"),
             variant=unsure),
        Step("reflect_offer", AnswerKind.CHOICE, None, choices=REFLECT, yes="reflect",
             no="no_reflect"),
        *(Step(n, text, n, optional=True, review_label=label(n)) for n in REFLECTION),
        Step("themes", AnswerKind.THEMES, "themes", True, theme_choices,
             review_label=label("themes")),
        Step("place", text, "place", optional=True, review_label=label("place")),
        Step("role", AnswerKind.CHOICE, "role", choices=ROLES, review_label=label("role"),
             hints=("roles",)),
        Step("permissions", AnswerKind.PICKS, "permissions", optional=True, choices=PERMISSIONS,
             review_label=label("permissions")),
        Step("introduce", AnswerKind.CHOICE, "introduce", choices=INTRODUCE,
             review_label=label("introduce"), yes="meet", no="no_meet"),
        Step("acted_name", AnswerKind.TEXT, "acted_name", optional=True,
             review_label=label("acted_name"), hints=("names",)),
        Step("review", AnswerKind.CHOICE, None, choices=REVIEW, yes="send", no="change"),
        Step("change", AnswerKind.CHOICE, None),
    ]




def tail(reflection: bool) -> list[dict[str, Any]]:
    """From 'what would help' to the end: shared by both flows."""
    after_help = "reflect_offer" if reflection else "themes"
    return [
        go("outcome", "spread"),
        go("spread", after_help),
        go("need", after_help),
        go("reflect_offer", "enhance", chose("reflect")),
        go("reflect_offer", "themes"),
        go("enhance", "restore"),
        go("restore", "replace"),
        go("replace", "become"),
        go("become", "themes"),
        go("themes", "place"),
        go("place", "role"),
        go("role", "permissions"),
        go("permissions", "introduce", agreed_to_contact),
        go("permissions", "acted_name", agreed_to_be_named),
        go("permissions", "review"),
        go("introduce", "acted_name", agreed_to_be_named),
        go("introduce", "review"),
        go("acted_name", "review"),
        go("review", "done", chose("send")),
        go("review", "change"),
    ]


def consent(after: str, *extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *(go(s, "declined", chose("no")) for s in ("consent", "consent_more")),
        go("consent", "consent_more", chose("more")),
        go("consent_more", "consent_more", chose("more")),
        *extra,
        go("consent", after),
        go("consent_more", after),
    ]


def story_flow(options: FlowOptions) -> FlowSpec:
    """Tell a story: what's happening, then gently, what has been tried."""
    steps = [
        Step("welcome", AnswerKind.CHOICE, None, choices=YES_NO_START, yes="start",
             no="not_now", later="not_now"),
        Step("situation", AnswerKind.TEXT, "situation", review_label=label("situation"),
             extract=_read_situation),
        Step("tried", AnswerKind.TEXT, "tried", optional=True, review_label=label("tried"),
             extract=read_tried, hints=("nothing_tried",), variant=praised),
        *common_steps(options.themes),
    ]
    transitions = [
        go("welcome", "consent", chose("start")),
        go("welcome", "declined"),
        *consent("situation"),
        go("situation", "tried", needs_steer),
        go("situation", "tried_by", who_unknown),
        go("situation", "outcome"),
        go("tried", "need", nothing_tried),
        go("tried", "need", tried_unknown),
        go("tried", "tried_by", who_unknown),
        go("tried", "outcome"),
        go("tried_by", "outcome"),
        *tail(options.reflection),
    ]
    entry = Entry(default=True, keeps_opening=OPENING)
    return with_review_edits(FlowSpec(STORY, tuple(steps), tuple(transitions), "welcome",
                                      entry=entry, record=build_story, review=Review()))


def replace_extract(steps: list[Step], name: str, extract: Extractor) -> None:
    index = next(i for i, s in enumerate(steps) if s.name == name)
    steps[index] = replace(steps[index], extract=extract)


def agreed_to_contact(a: Answers) -> bool:
    """Only someone who may be contacted is asked whether they would like introductions."""
    return "contact" in (a.get("permissions") or ())


def agreed_to_be_named(a: Answers) -> bool:
    return "name" in (a.get("permissions") or ())


def editing(a: Answers) -> bool:
    return bool(a.get("_editing"))


def change_words(step: str) -> tuple[str, ...]:
    """What people call an answer they want to change ("build on", "my name"), if the
    catalogue says (``words.change.<step>``)."""
    key = f"words.change.{step}"
    return words(key) if key in catalogue(ENGLISH).entries else ()


def with_review_edits(spec: FlowSpec) -> FlowSpec:
    """Changing an answer from the review goes to that question, then straight back."""
    reviewable = spec.reviewable
    change = Step("change", AnswerKind.CHOICE, None,
                  choices=tuple(Choice(value=s.name, label=s.review_label or s.name,
                                       aliases=change_words(s.name)) for s in reviewable))
    steps = tuple(change if s.name == "change" else s for s in spec.steps)
    back_to_review = [go(s.name, "review", editing) for s in reviewable]
    to_steps = [go("change", s.name, chose(s.name)) for s in reviewable]
    transitions = (*back_to_review, *spec.transitions, *to_steps, go("change", "review"))
    return replace(spec, steps=steps, transitions=transitions)
