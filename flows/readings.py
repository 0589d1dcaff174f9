"""What each reading of a reply does at a question of a flow, as a table, like the always-on
words in ``flows/controls.py``. A reply is read once (``flows/understanding.py``); only an
answer or a choice is ever kept as an answer.

Misunderstood once, a person gets one short line saying what works here (with the choices
again, not the whole question); twice in a row, also the way out: skip where the question may
be skipped, pause, and the deployment's contact where it names one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.types import OutgoingMessage, TriedBy
from flows import read_unsure
from flows.answers import Control
from flows.controls import CONTROLS
from flows.spec import (
    MISSES,
    NOT_KNOWN,
    NOTHING,
    OPENING_WORDS,
    SAID_NO,
    AnswerKind,
    Step,
    hold_opening,
)
from flows.turn import Turn
from flows.typed import as_typed
from flows.understanding import CONTROLS as CONTROL_READINGS
from flows.understanding import (
    Reading,
    Understood,
    about_key,
    asks_meaning,
    tells_a_story,
)
from flows.wording import contains, phrases, plain

if TYPE_CHECKING:
    from flows.engine import FlowEngine

Handler = Callable[["FlowEngine", Turn, Step, Understood, str, datetime], None]


def _answer(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
            now: datetime) -> None:
    engine.record(turn, text, now)


def _choice(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
            now: datetime) -> None:
    engine.record(turn, got.value, now)
    review = engine.flows[turn.conversation.flow].spec.review
    if review and step.name == review.state and turn.conversation.state == review.change:
        _straight_to_named(engine, turn, text, now)


def _straight_to_named(engine: FlowEngine, turn: Turn, text: str, now: datetime) -> None:
    """ "Can I change the place?" at the review goes straight to that question, without
    asking which answer to change."""
    named = engine.understand(turn.conversation, engine.step(turn.conversation), text)
    if named.reading is Reading.CHOICE:
        turn.replies.pop()
        engine.record(turn, named.value, now)


def _none(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
          now: datetime) -> None:
    if step.kind is not AnswerKind.TEXT:
        engine.record(turn, [], now)
        return
    answers = turn.conversation.answers
    if step.field:
        answers[SAID_NO] = sorted({*answers.get(SAID_NO, ()), step.field})
    engine.record(turn, None, now)


def _nothing_tried(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
                   now: datetime) -> None:
    answers = turn.conversation.answers
    if step.field and step.kind is AnswerKind.TEXT:
        answers[NOTHING] = sorted({*answers.get(NOTHING, ()), step.field})
    engine.record(turn, TriedBy.NOBODY.value if step.kind is AnswerKind.CHOICE else None, now)


def _dont_know(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
               now: datetime) -> None:
    conv = turn.conversation
    if step.kind is not AnswerKind.TEXT:  # understood: not "sorry, I didn't follow"
        _missed(engine, turn, step, "dont_know.yes_no" if step.yes else "dont_know.choice")
        return
    if not step.optional:
        _missed(engine, turn, step, "dont_know.required")
        return
    if step.field:
        conv.answers[NOT_KNOWN] = sorted({*conv.answers.get(NOT_KNOWN, ()), step.field})
    turn.replies.append(engine.say(conv, "dont_know.kept"))
    engine.record(turn, None, now)


def _question(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
              now: datetime) -> None:
    conv = turn.conversation
    if asks_meaning(text):  # "what does that mean?" is answered as help is
        CONTROLS[Control.HELP](engine, turn, now)
        return
    turn.replies += [engine.say(conv, about_key(text)), engine.asked_again(conv)]


def _greeting(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
              now: datetime) -> None:
    conv = turn.conversation
    if conv.state != engine.flows[conv.flow].spec.initial:
        turn.replies += [engine.say(conv, "greeting.again"), engine.prompt(conv)]
        return
    turn.replies.append(engine.asked_again(conv, hello=True))  # the welcome is just above


def _complaint(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
               now: datetime) -> None:
    conv = turn.conversation
    route = engine.complaints or engine.say(conv, "complaint.route").text
    if step.kind is AnswerKind.TEXT and not step.optional and tells_a_story(
            _besides_complaining(text), OPENING_WORDS):  # "the receptionist was rude to my
        turn.replies.append(engine.say(conv, "complaint.kept", route=route))
        engine.record(turn, text, now)  # what happened, in their words: never lost
        return
    turn.replies += [engine.say(conv, "complaint", route=route), engine.prompt(conv)]


def _besides_complaining(text: str) -> str:
    """What a message says besides wanting to complain: its clauses that name no complaint
    ("the receptionist was rude to my dad" of "..., i want to make a complaint")."""
    complaint = phrases("words.complaint") | phrases("words.complaint.topic")
    clauses = re.split(r"[,.;!?\n]+|\b(?:and|but|so)\b", text)
    return " ".join(c.strip() for c in clauses if not contains(plain(c), complaint))


def _unclear(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
             now: datetime) -> None:
    if not _holds_opening(engine, turn, step, text):
        _missed(engine, turn, step, _unclear_words(step, text))


BEFORE_CONSENT = frozenset({"welcome", "consent", "consent_more"})
"""The questions asked before anything may be kept."""


def _holds_opening(engine: FlowEngine, turn: Turn, step: Step, text: str) -> bool:
    """Someone who starts telling their story before agreeing to it being kept ("my dad
    waited 9 hours on a trolley...") is thanked, and their words are held, unkept, until they
    say yes (then shown back to them), rather than refused."""
    conv = turn.conversation
    kept = engine.held_field(conv)
    if not kept or conv.state not in BEFORE_CONSENT or not tells_a_story(text, OPENING_WORDS):
        return False
    held = conv.answers.get(kept)  # a story sent in two bits is held whole
    told = f"{held}\n\n{text.strip()}" if isinstance(held, str) and held else text.strip()
    hold_opening(conv.answers, kept, told, turn.event_id)
    turn.replies += [engine.say(conv, "opening.held"), engine.prompt(conv)]
    return True


def _unclear_words(step: Step, text: str) -> str:
    if not text.strip():
        return "unclear.text"
    if step.kind is AnswerKind.TEXT and "nothing_tried" in step.hints and (
            read_unsure.only_yes_tried(plain(as_typed(text)))):
        return "unclear.tried_yes"  # "yes someone did": what, though?
    if step.kind is AnswerKind.TEXT:
        return "unclear.more"
    if step.kind is AnswerKind.PICKS:
        return "unclear.picks"
    if step.kind is AnswerKind.THEMES:
        return "unclear.themes"
    return "unclear.yes_no" if step.yes else "unclear.choice"


def _missed(engine: FlowEngine, turn: Turn, step: Step, key: str) -> None:
    """One short line of what works here; from the second miss in a row, the way out too."""
    conv = turn.conversation
    misses = int(conv.answers.get(MISSES, 0)) + 1
    conv.answers[MISSES] = misses
    lines = [engine.say(conv, key).text]
    if misses >= 2:
        lines.append(engine.say(conv, "way_out.optional" if step.optional
                                else "way_out.required").text)
        if engine.contact:
            lines.append(engine.say(conv, "way_out.contact", contact=engine.contact).text)
    asked = engine.prompt(conv)
    turn.replies.append(OutgoingMessage(room_id=conv.key.room_id, text="\n\n".join(lines),
                                        choices=asked.choices, multiple=asked.multiple))


def _control(engine: FlowEngine, turn: Turn, step: Step, got: Understood, text: str,
             now: datetime) -> None:
    CONTROLS[CONTROL_READINGS[got.reading]](engine, turn, now)


READINGS: Mapping[Reading, Handler] = {
    Reading.ANSWER: _answer,
    Reading.CHOICE: _choice,
    Reading.NONE: _none,
    Reading.NOTHING_TRIED: _nothing_tried,
    Reading.DONT_KNOW: _dont_know,
    Reading.QUESTION: _question,
    Reading.GREETING: _greeting,
    Reading.COMPLAINT: _complaint,
    Reading.UNCLEAR: _unclear,
    **dict.fromkeys(CONTROL_READINGS, _control),
}
