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

from bot.core.types import Choice, ConversationStatus
from flows.answers import DataRequest, choice, match_choice
from flows.turn import Turn

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
    request: DataRequest | None = None
    """Something for the App to do with the person's data."""


@dataclass(frozen=True)
class Interrupt:
    name: str
    ask: str
    """The words that ask it."""
    options: tuple[Choice, ...]
    outcomes: Mapping[str, Then] = field(default_factory=dict)
    unclear: str = "not_understood"
    """The words when an answer is none of the options (shown with the options again)."""
    own_words_carry_on: bool = False
    """A real answer in the person's own words (a few words or more) carries on with it."""


RESUME = Interrupt(
    "resume", "resume",
    (choice("carry_on"), choice("start_again")),
    {"carry_on": Then(activate=True), "start_again": Then(restart=True)},
    own_words_carry_on=True)
RESTART = Interrupt(
    "restart", "restart.confirm",
    (choice("restart_yes"), choice("restart_no")),
    {"restart_yes": Then(restart=True), "restart_no": Then(say="restart.kept", activate=True)})
SAFE = Interrupt(
    "safe", "safe.offer",
    (choice("safe_carry_on"),
     choice("safe_stop")),
    {"safe_carry_on": Then(activate=True), "safe_stop": Then(say="safe.stopped")},
    unclear="safe.offer")
FORGET = Interrupt(
    "forget", "forget.confirm",
    (choice("forget_yes"),
     choice("forget_no")),
    {"forget_yes": Then(request=DataRequest.FORGET), "forget_no": Then(say="forget.kept")})

INTERRUPTS: Mapping[str, Interrupt] = {i.name: i for i in (RESUME, RESTART, SAFE, FORGET)}


def answer_interrupt(engine: FlowEngine, turn: Turn, text: str, now: datetime) -> None:
    """The one handler for every question in the table: read the answer, do what it says."""
    conv = turn.conversation
    asked = INTERRUPTS[conv.pending or ""]
    picked = match_choice(text, asked.options)
    if picked is None and asked.own_words_carry_on and len(text.split()) >= OWN_WORDS:
        conv.pending, conv.status = None, ConversationStatus.ACTIVE
        engine.handle(turn, text, now)
        return
    if picked is None:
        turn.replies.append(engine.say(conv, asked.unclear, asked.options))
        return
    then = asked.outcomes[picked.value]
    conv.pending, turn.request = None, then.request
    if then.restart:
        fresh = engine.start(conv.key, engine.flows.default, now)
        turn.conversation, turn.replies = fresh.conversation, fresh.replies
        return
    if then.activate:
        conv.status = ConversationStatus.ACTIVE
    if then.say:
        turn.replies.append(engine.say(conv, then.say))
    if then.request is None:
        engine.carry_on(turn)
