"""The bot's own yes/no questions, as a table: carry on after a break, start again, carry on
after a safeguarding reply, erase everything.

While one is asked, ``Conversation.pending`` names it and the next message answers it. One
generic handler in the engine reads the answer against the table: what to say, and then
whether to carry on, start again, or hand a data request to the App.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.types import Choice
from flows.answers import DataRequest, choice


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
    (choice("carry_on", "continue", "yes", "go on", "ok"), choice("start_again", "restart")),
    {"carry_on": Then(activate=True), "start_again": Then(restart=True)},
    own_words_carry_on=True)
RESTART = Interrupt(
    "restart", "restart.confirm",
    (choice("restart_yes", "yes", "y", "start again"), choice("restart_no", "no", "n")),
    {"restart_yes": Then(restart=True), "restart_no": Then(say="restart.kept", activate=True)})
SAFE = Interrupt(
    "safe", "safe.offer",
    (choice("safe_carry_on", "carry on", "continue", "yes", "go on"),
     choice("safe_stop", "stop", "no", "stop here", "not now")),
    {"safe_carry_on": Then(activate=True), "safe_stop": Then(say="safe.stopped")},
    unclear="safe.offer")
FORGET = Interrupt(
    "forget", "forget.confirm",
    (choice("forget_yes", "yes", "y", "erase", "forget me"),
     choice("forget_no", "no", "n", "keep")),
    {"forget_yes": Then(request=DataRequest.FORGET), "forget_no": Then(say="forget.kept")})

INTERRUPTS: Mapping[str, Interrupt] = {i.name: i for i in (RESUME, RESTART, SAFE, FORGET)}
