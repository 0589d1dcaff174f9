"""Introductions on Slack (the stand-in): a moderator proposes one by slash command; each
teller is asked in their own direct chat; a "no" from one reveals nothing of the other's
line, and "forget me" withdraws an introduction before it is made."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack_events import PLATFORM
from bot.core.clock import FakeClock
from bot.core.introductions import IntroductionState

from .conftest import RunningBot, StartBot
from .payloads import SIGNING_SECRET
from .people import Http, Person
from .standin import SlackStandIn
from .test_slack_responses import MOD, MODS, told

INVITED = "Would you like to be introduced?"
ANN_LINE = "I'm Ann, I set up the call-back list: ann.r@example.org"


async def proposed(bot: RunningBot, slack_standin: SlackStandIn) -> tuple[Person, Person]:
    """Two tellers happy to be introduced (the typed story says so), proposed and asked."""
    ann = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    bob = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON02")
    for person in (ann, bob):
        await told(slack_standin, person)
    moderator = Person(slack_standin, Http(bot.url, SIGNING_SECRET), MOD)
    await moderator.slash("/storyloop", "connect 1 2", channel=MODS, response_key="connect")
    [reply] = await slack_standin.wait_for_response("connect")
    assert reply.args["text"].startswith("Introduction #1 proposed")
    assert bot.introductions is not None
    await bot.introductions.tick()
    await slack_standin.wait_until(
        lambda: said(ann, INVITED) == said(bob, INVITED) == 1, "both invited")
    return ann, bob


def passed_on(slack_standin: SlackStandIn, line: str, writer: Person) -> bool:
    """Whether the bot posted ``line`` anywhere but to its writer (who sees it shown back)."""
    return any(line in str(call.args) for call in slack_standin.calls_to("chat.postMessage")
               if call.args.get("channel") != writer.dm)


def said(person: Person, words: str) -> int:
    return sum(words in text for text in person.bot_texts())


async def test_a_no_reveals_nothing_to_the_other_side(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    clock = FakeClock(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))  # a Monday morning in London
    bot = await start_bot("http", clock=clock, moderators=(MOD,), moderator_channels=(MODS,))
    ann, bob = await proposed(bot, slack_standin)
    await ann.says("yes")
    await ann.says(ANN_LINE)
    await ann.says("yes")
    await slack_standin.wait_until(lambda: said(ann, "I'll let you know") == 1, "Ann's answer")
    await bob.says("no thanks")
    await slack_standin.wait_until(lambda: said(ann, "didn't go ahead") == 1, "Ann told")
    await bot.adapter.app.delivery.idle()
    assert said(bob, "That's fine. Nothing is passed on") == 1
    assert said(bob, ANN_LINE) == 0 and said(ann, ANN_LINE) == 1  # shown back to her
    assert not passed_on(slack_standin, ANN_LINE, ann)
    [declined] = await bot.store.introductions()
    assert declined.state is IntroductionState.DECLINED
    assert all(s.line is None for s in declined.sides)
    assert await bot.store.pending_replies(PLATFORM) == []


async def test_forget_me_withdraws_an_introduction_before_it_is_made(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    clock = FakeClock(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))
    bot = await start_bot("http", clock=clock, moderators=(MOD,), moderator_channels=(MODS,))
    ann, bob = await proposed(bot, slack_standin)
    await ann.says("yes")
    await ann.says(ANN_LINE)
    await ann.says("yes")
    await bob.says("forget me")
    await bob.says("yes")
    await slack_standin.wait_until(lambda: said(bob, "I've erased") == 1, "Bob forgotten")
    [withdrawn] = await bot.store.introductions()
    assert withdrawn.state is IntroductionState.WITHDRAWN
    assert [(s.story_id, s.line) for s in withdrawn.sides] == [(1, None)]
    assert bot.introductions is not None
    await bot.introductions.tick()
    await bot.adapter.app.delivery.idle()
    assert not passed_on(slack_standin, ANN_LINE, ann)
