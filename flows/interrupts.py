"""The bot's own yes/no questions, as a table: carry on after a break, start again, carry on
after a safeguarding reply, erase everything.

While one is asked, ``Conversation.pending`` names it and the next message answers it. One
generic handler in the engine reads the answer against the table: what to say, and then
whether to carry on, start again, or hand a data request to the App.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.types import Choice, Conversation, ConversationStatus, OutgoingMessage
from flows.answers import DataRequest, choice
from flows.asked import Asked, asked_at
from flows.safeguarding import signposting
from flows.spec import AnswerKind
from flows.turn import Turn
from flows.understanding import Reading, Understood, about_key, asks_meaning, understand
from flows.wording import contains, phrases, plain

if TYPE_CHECKING:
    from flows.engine import FlowEngine

OWN_WORDS = 3
"""An answer to the bot's own question this long is a real answer in the person's words."""


@dataclass(frozen=True)
class Then:
    """What one answer to an interrupt does."""

    say: str | None = None
    activate: bool = False
    """The conversation is under way again (its question is asked again)."""
    restart: bool = False
    """Start afresh, forgetting the answers so far."""
    take_held: bool = False
    """What the person wrote when the question was asked becomes their answer (if kept)."""
    request: DataRequest | None = None
    """Something for the App to do with the person's data."""


@dataclass(frozen=True)
class Interrupt:
    name: str
    ask: str
    """The words that ask it."""
    options: tuple[Choice, ...]
    outcomes: Mapping[str, Then] = field(default_factory=dict)
    unclear: str = "unclear.yes_no"
    """The words when an answer is none of the options (shown with the options again)."""
    own_words_carry_on: bool = False
    """A real answer in the person's own words (a few words or more) carries on with it."""
    yes: str | None = None
    """The option a plain "yes" picks."""
    no: str | None = None
    """The option a plain "no" picks."""
    later: str | None = None
    """The option "later" or "I need to stop" picks."""
    again: str | None = None
    """The option "start again" picks."""
    ok_is_yes: bool = True
    """A bare "ok" picks ``yes``. Not where yes erases something or the bot only offered
    ("ok" there acknowledges: the question is put again)."""


RESUME = Interrupt(
    "resume", "resume",
    (choice("carry_on"), choice("start_again")),
    {"carry_on": Then(activate=True), "start_again": Then(restart=True)},
    own_words_carry_on=True, yes="carry_on", again="start_again")
RESTART = Interrupt(
    "restart", "restart.confirm",
    (choice("restart_yes"), choice("restart_no")),
    {"restart_yes": Then(restart=True), "restart_no": Then(say="restart.kept", activate=True)},
    yes="restart_yes", no="restart_no", again="restart_yes", ok_is_yes=False)
SAFE = Interrupt(
    "safe", "safe.offer",
    (choice("safe_carry_on"),
     choice("safe_stop")),
    {"safe_carry_on": Then(activate=True, take_held=True), "safe_stop": Then(say="safe.stopped")},
    unclear="safe.offer", yes="safe_carry_on", no="safe_stop", later="safe_stop",
    ok_is_yes=False)
FORGET = Interrupt(
    "forget", "forget.confirm",
    (choice("forget_yes"),
     choice("forget_no")),
    {"forget_yes": Then(request=DataRequest.FORGET), "forget_no": Then(say="forget.kept")},
    yes="forget_yes", no="forget_no", ok_is_yes=False)

INTERRUPTS: Mapping[str, Interrupt] = {i.name: i for i in (RESUME, RESTART, SAFE, FORGET)}


def answer_interrupt(engine: FlowEngine, turn: Turn, text: str, now: datetime) -> None:
    """The one handler for every question in the table: read the answer, do what it says."""
    conv = turn.conversation
    asked = INTERRUPTS[conv.pending or ""]
    got = understand(text, asked_of(asked))
    if got.reading is Reading.PAUSE and asked.no:
        got = Understood(Reading.CHOICE, asked.no)
    if got.reading is not Reading.CHOICE and asked.own_words_carry_on and engine.carries_on(
            conv, text):
        conv.pending, conv.status = None, ConversationStatus.ACTIVE
        engine.handle(turn, text, now)
        return
    if got.reading is Reading.CHOICE:
        _do(engine, turn, asked.outcomes[got.value], now)
    else:
        _again(engine, turn, asked, got, text)


def asked_of(question: Interrupt) -> Asked:
    """What one of the bot's own questions asks, for reading a reply to it."""
    return asked_at(AnswerKind.CHOICE, question.options, question.yes, question.no,
                    later=question.later, again=question.again, ok_is_yes=question.ok_is_yes)


def _again(engine: FlowEngine, turn: Turn, asked: Interrupt, got: Understood,
           text: str) -> None:
    """Not an answer to the question: help, a word about the bot, or what works, then the
    question again (the always-on words work here too)."""
    conv = turn.conversation
    if got.reading is Reading.PAUSE:
        turn.replies.append(engine.say(conv, "pause"))
        return
    if asked is SAFE and (got.reading is Reading.HELP or contains(
            plain(text), phrases("words.support"))):  # "i need to talk to someone"
        turn.replies += [OutgoingMessage(room_id=conv.key.room_id,
                                         text=signposting(engine.safety)),
                         _asked_again(engine, conv, asked.ask, asked)]
        return
    if got.reading in _HELPING or got.reading is Reading.QUESTION:
        turn.replies += [engine.say(conv, _about(engine, asked, got, text)),
                         _asked_again(engine, conv, asked.ask, asked)]
        return
    turn.replies.append(_asked_again(engine, conv, asked.unclear, asked))


def _asked_again(engine: FlowEngine, conv: Conversation, key: str,
                 asked: Interrupt) -> OutgoingMessage:
    """The question again, with the story's question in it where it shows one ("Last time we
    got as far as this question: ...")."""
    return engine.say(conv, engine.asking(conv, key), asked.options,
                      prompt=engine.prompt(conv).text)


def _about(engine: FlowEngine, asked: Interrupt, got: Understood, text: str) -> str:
    """What help or a question back is answered with. Help and "what does erase mean?" get
    one reply: what this question means where it has words of its own, else what works; any
    other question gets the word on the bot that fits it."""
    if got.reading is Reading.QUESTION and not asks_meaning(text):
        return about_key(text)
    if got.reading in (Reading.HELP, Reading.QUESTION):
        return engine.words_for([f"explain.{asked.name}", "interrupt.help"])
    return "interrupt.help"


def _do(engine: FlowEngine, turn: Turn, then: Then, now: datetime) -> None:
    conv = turn.conversation
    conv.pending, turn.request = None, then.request
    if then.restart:
        fresh = engine.start(conv.key, engine.flows.default, now)
        turn.conversation, turn.replies = fresh.conversation, fresh.replies
        return
    if then.activate:
        conv.status = ConversationStatus.ACTIVE
    if then.say:
        turn.replies.append(engine.say(conv, then.say))
    if then.take_held and conv.status is ConversationStatus.ACTIVE and engine.take_held(
            turn, now):
        return
    if then.request is None:
        engine.carry_on(turn)


_HELPING = frozenset({Reading.HELP, Reading.STATUS, Reading.BACK, Reading.SKIP,
                      Reading.GREETING, Reading.DONT_KNOW})
