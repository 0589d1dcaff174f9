"""Closing the loop on Slack (the stand-in): a moderator answers a story by slash command and
the teller, who agreed to be contacted, reads it in their direct chat, once; a relay that
Slack had not taken when the bot died is posted after the restart, once."""

from __future__ import annotations

from adapters.slack_events import PLATFORM

from .conftest import StartBot
from .payloads import SIGNING_SECRET
from .people import Http, Person
from .standin import SlackStandIn
from .test_slack_adapter import TYPED

MOD, MODS = "U0MOD00001", "C0MODS0001"
ANSWER = "An answer to the story you shared"


async def told(slack_standin: SlackStandIn, teller: Person) -> None:
    for line in TYPED:
        await teller.says(line)
    await slack_standin.wait_until(
        lambda: any("your story is saved" in t for t in teller.bot_texts()), "story saved")


async def test_a_response_by_slash_command_reaches_the_teller_once(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http", moderators=(MOD,), moderator_channels=(MODS,))
    teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    await told(slack_standin, teller)
    moderator = Person(slack_standin, Http(bot.url, SIGNING_SECRET), MOD)
    command = 'story respond 1 "Thanks. Email pals@example.org and we will call back."'
    await moderator.slash("/storyloop", command, channel=MODS, response_key="respond")
    [reply] = await slack_standin.wait_for_response("respond")
    assert reply.args["text"].startswith("Response #1 to story #1 is kept, and sent")
    await slack_standin.wait_until(
        lambda: any(ANSWER in t for t in teller.bot_texts()), "the answer relayed")
    [answer] = [t for t in teller.bot_texts() if ANSWER in t]
    assert "we will call back" in answer and "pals@example.org" not in answer
    await bot.adapter.app.delivery.idle()
    assert len([t for t in teller.bot_texts() if ANSWER in t]) == 1
    assert await bot.store.pending_replies(PLATFORM) == []


async def test_a_relay_slack_had_not_taken_when_the_bot_died_is_posted_after_restart(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    first = await start_bot("http", moderators=(MOD,), moderator_channels=(MODS,))
    teller = Person(slack_standin, Http(first.url, SIGNING_SECRET), "U0PERSON01")
    await told(slack_standin, teller)
    posts = len(slack_standin.calls_to("chat.postMessage"))
    slack_standin.fail_next("chat.postMessage", retry_after=60)  # Slack holds the relay back
    moderator = Person(slack_standin, Http(first.url, SIGNING_SECRET), MOD)
    await moderator.slash("/storyloop", 'story change 1 made "A call-back list"',
                          channel=MODS, response_key="change")
    await slack_standin.wait_for_response("change")
    await slack_standin.wait_until(
        lambda: len(slack_standin.calls_to("chat.postMessage")) > posts, "the held-back post")
    assert await first.store.pending_replies(PLATFORM), "written with the change, not yet sent"
    await first.adapter.app.delivery.detach(PLATFORM)  # the bot dies before Slack took it
    await first.stop()

    second = await start_bot("http", moderators=(MOD,), moderator_channels=(MODS,))
    await slack_standin.wait_until(
        lambda: any("Something has changed" in t for t in teller.bot_texts()), "the relay")
    await second.adapter.app.delivery.idle()
    assert len([t for t in teller.bot_texts() if "Something has changed" in t]) == 1


async def test_a_follow_up_falls_due_and_is_asked_once_then_kept_as_an_update(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    """Weeks later (an injected clock), the teller is asked how it went in their direct chat,
    once however often the job runs, and their answers are kept as a pending update."""
    from datetime import UTC, datetime

    from bot.core.clock import FakeClock
    from bot.core.types import StoryStatus

    asked = "A few weeks ago you told us about something you tried."
    clock = FakeClock(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))  # a Monday morning in London
    bot = await start_bot("http", clock=clock)
    assert bot.follow_ups is not None
    teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    await told(slack_standin, teller)
    await bot.follow_ups.tick()  # planned, not yet due
    assert not any(asked in t for t in teller.bot_texts())
    clock.advance(weeks=4)
    await bot.follow_ups.tick()
    await bot.follow_ups.tick()
    await slack_standin.wait_until(
        lambda: any(asked in t for t in teller.bot_texts()), "the follow-up question")
    await bot.adapter.app.delivery.idle()
    assert sum(asked in t for t in teller.bot_texts()) == 1
    for line in ("still going", "Mondays are calmer now.", "Ask the receptionists first."):
        await teller.says(line)
    await slack_standin.wait_until(
        lambda: any("I've added this to your story" in t for t in teller.bot_texts()),
        "the update kept")
    [update] = await bot.store.updates_to()
    assert update.status is StoryStatus.PENDING and update.learned == (
        "Ask the receptionists first.")
