"""The words that work at any point of a conversation, as a table: help, back, skip, pause,
restart, status. Each has one small handler; the engine looks the word up and calls it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.types import ConversationStatus
from bot.core.words import say as catalogue_say
from flows.answers import Control
from flows.interrupts import RESTART
from flows.prompts import PROMPTS
from flows.spec import AnswerKind
from flows.turn import Turn

if TYPE_CHECKING:
    from flows.engine import FlowEngine

TYPICAL_LENGTH = 12
"""Questions in a typical story, for "question 3 of about 12"."""
SECONDS_A_QUESTION = 25
"""About five minutes for a typical story, as the welcome says: "how long will it take?" is
answered with the questions still to go at this pace."""

Handler = Callable[["FlowEngine", Turn, datetime], None]


def _help(engine: FlowEngine, turn: Turn, now: datetime) -> None:
    """Help, or "what does that mean?" (one reply for both): this question in plain words with
    an example and how to answer it, then what always works, with the options to pick from.
    A question without words of its own is asked again after how to answer it."""
    conv = turn.conversation
    step = engine.step(conv)
    names = [step.name]
    if step.variant and (fits := step.variant(conv.answers)):
        names.insert(0, f"{step.name}.{fits}")  # "what did you learn?" after a failure
    own = [key for key in (f"explain.{name}" for name in names) if key in PROMPTS]
    if own:  # the explanation asks the question again, plainly, and says how to answer
        always = "help.always.choice" if step.kind is AnswerKind.CHOICE else "help.always"
        turn.replies += [engine.say(conv, own[0]),
                         engine.say(conv, always, engine.prompt(conv).choices)]
        return
    works = {AnswerKind.CHOICE: "help.choice", AnswerKind.PICKS: "help.picks",
             AnswerKind.THEMES: "help.picks"}.get(step.kind, "help")
    turn.replies += [engine.say(conv, works), engine.prompt(conv)]


def _back(engine: FlowEngine, turn: Turn, now: datetime) -> None:
    conv = turn.conversation
    if not conv.history:
        turn.replies += [engine.say(conv, "back.start"), engine.prompt(conv)]
        return
    conv.state, conv.editing = conv.history.pop(), False
    previous = engine.shown_answer(conv)
    if previous:
        turn.replies.append(engine.say(conv, "back.previous", previous=previous))
    turn.replies.append(engine.prompt(conv))


def _skip(engine: FlowEngine, turn: Turn, now: datetime) -> None:
    conv = turn.conversation
    if engine.step(conv).optional:
        turn.replies.append(engine.say(conv, "skip.done"))
        engine.record(turn, None, now)
    else:
        turn.replies += [engine.say(conv, "skip.required"), engine.prompt(conv)]


def _pause(engine: FlowEngine, turn: Turn, now: datetime) -> None:
    conv = turn.conversation
    conv.status = ConversationStatus.PAUSED
    turn.replies.append(engine.say(conv, engine.words_for([f"{conv.flow}.pause", "pause"])))


def _restart(engine: FlowEngine, turn: Turn, now: datetime) -> None:
    engine.ask(turn, RESTART)


def _status(engine: FlowEngine, turn: Turn, now: datetime) -> None:
    conv = turn.conversation
    number = len(conv.history) + 1
    total = max(TYPICAL_LENGTH, number)
    minutes = max(1, round((total - number + 1) * SECONDS_A_QUESTION / 60))
    turn.replies.append(engine.say(conv, "status", number=number, total=total,
                                   left=catalogue_say("status.left", conv.locale, count=minutes),
                                   prompt=engine.prompt(conv).text))


CONTROLS: Mapping[Control, Handler] = {
    Control.HELP: _help,
    Control.BACK: _back,
    Control.SKIP: _skip,
    Control.PAUSE: _pause,
    Control.RESTART: _restart,
    Control.STATUS: _status,
}
