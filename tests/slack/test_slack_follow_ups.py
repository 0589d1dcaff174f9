"""Follow-ups on Slack (the stand-in, real signed requests to the bot's endpoint), on an
injected clock: one due while the person is telling another story waits and is asked once
that story is saved; a restart between due and sent asks once; "forget me" cancels a
planned one (nothing asked, nothing kept), and the next story told is still followed up;
one due in quiet hours is asked after them, across the change to summer time."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack_events import PLATFORM
from bot.core.clock import FakeClock
from bot.core.follow_ups import FollowUpState, Outcome

from .conftest import RunningBot, StartBot
from .payloads import SIGNING_SECRET
from .people import Http, Person
from .standin import SlackStandIn
from .test_slack_adapter import TYPED
from .test_slack_responses import told

ASKED = "A few weeks ago you told us about something you tried."
SAVED = "your story is saved"
MONDAY = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)  # 11:00 in London: not in quiet hours


async def tick(bot: RunningBot) -> None:
    """The scheduler's follow-ups job, once, and whatever it sent reaches Slack."""
    assert bot.follow_ups is not None
    await bot.follow_ups.tick()
    await bot.adapter.app.delivery.idle()


def teller_of(bot: RunningBot, slack_standin: SlackStandIn) -> Person:
    return Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")


async def test_a_follow_up_due_mid_story_waits_and_is_asked_once_the_story_is_saved(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    clock = FakeClock(MONDAY)
    bot = await start_bot("http", clock=clock)
    teller = teller_of(bot, slack_standin)
    await told(slack_standin, teller)
    await tick(bot)  # planned, four weeks on
    clock.advance(weeks=4)
    for line in TYPED[:3]:  # hello, consent: a second story under way
        await teller.says(line)
    await teller.wait_for_text("What's been happening?", times=2)
    await tick(bot)
    await tick(bot)
    assert teller.count(ASKED) == 0
    [first] = await bot.store.follow_ups()
    assert first.state is FollowUpState.WAITING and first.due_at <= clock.now()
    for line in TYPED[3:]:
        await teller.says(line)
    await teller.wait_for_text(SAVED, times=2)
    assert teller.count(ASKED) == 0  # the follow-up waits for the job, never cuts in
    await tick(bot)
    texts = teller.bot_texts()
    assert [i for i, t in enumerate(texts) if ASKED in t] == [len(texts) - 1]
    await tick(bot)
    assert teller.count(ASKED) == 1
    [asked, planned] = await bot.store.follow_ups()
    assert (asked.id, asked.state) == (first.id, FollowUpState.ASKED)
    assert planned.state is FollowUpState.WAITING  # the second story's, not yet due


async def test_a_restart_between_due_and_sent_asks_once(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    clock = FakeClock(MONDAY)
    first = await start_bot("http", clock=clock)
    teller = teller_of(first, slack_standin)
    await told(slack_standin, teller)
    await tick(first)
    clock.advance(weeks=4)
    posts = len(slack_standin.calls_to("chat.postMessage"))
    slack_standin.fail_next("chat.postMessage", retry_after=60)  # Slack holds the question
    assert first.follow_ups is not None
    await first.follow_ups.tick()
    await slack_standin.wait_until(
        lambda: len(slack_standin.calls_to("chat.postMessage")) > posts, "the held-back post")
    assert teller.count(ASKED) == 0
    assert await first.store.pending_replies(PLATFORM), "the question, kept, not yet sent"
    # The worst moment: the question's conversation is saved, but the bot dies before it
    # notes the follow-up asked (the state that crash leaves, as tests/test_follow_ups.py).
    [due] = await first.store.follow_ups()
    await first.store.set_follow_up(due.model_copy(
        update={"state": FollowUpState.WAITING, "asked_at": None}))
    await first.adapter.app.delivery.detach(PLATFORM)
    await first.stop()

    second = await start_bot("http", clock=clock)
    await teller.wait_for_text(ASKED)  # sent from the outbox on start
    await tick(second)
    await tick(second)
    assert teller.count(ASKED) == 1
    [noted] = await second.store.follow_ups()
    assert noted.state is FollowUpState.ASKED
    teller = teller_of(second, slack_standin)
    await teller.says("still going")
    await teller.wait_for_text("What's happened since you told us?")
    for line in ("Mondays are calmer now.", "Ask the receptionists first."):
        await teller.says(line)
    await teller.wait_for_text("I've added this to your story")
    [update] = await second.store.updates_to()
    assert (update.story_id, update.outcome) == (noted.story_id, Outcome.STILL_GOING)
    assert teller.count(ASKED) == 1


async def test_forget_me_cancels_a_planned_follow_up(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    clock = FakeClock(MONDAY)
    bot = await start_bot("http", clock=clock)
    teller = teller_of(bot, slack_standin)
    await told(slack_standin, teller)
    await tick(bot)
    assert [f.state for f in await bot.store.follow_ups()] == [FollowUpState.WAITING]
    await teller.says("forget me")
    await teller.wait_for_text("Do you want me to erase everything")
    await teller.says("yes")
    await teller.wait_for_text("Done. I've erased 1 story")
    assert await bot.store.follow_ups(list(FollowUpState)) == []
    assert await bot.store.list_stories() == [] and await bot.store.updates_to() == []
    seen = len(teller.bot_texts())
    clock.advance(weeks=5)
    await tick(bot)
    clock.advance(weeks=2)
    await tick(bot)
    assert len(teller.bot_texts()) == seen  # nothing asked, no reminder
    assert await bot.store.follow_ups(list(FollowUpState)) == []
    assert await bot.store.pending_replies(PLATFORM) == []


async def test_a_follow_up_due_in_quiet_hours_is_asked_after_them_across_summer_time(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    clock = FakeClock(datetime(2026, 3, 1, 7, 30, tzinfo=UTC))  # 07:30 GMT, four weeks
    bot = await start_bot("http", clock=clock)                  # before the clocks go forward
    teller = teller_of(bot, slack_standin)
    await told(slack_standin, teller)
    await tick(bot)
    clock._now = datetime(2026, 3, 29, 7, 45, tzinfo=UTC)  # due at 07:30; 08:45 BST: quiet
    await tick(bot)
    assert teller.count(ASKED) == 0
    [waiting] = await bot.store.follow_ups()
    assert waiting.state is FollowUpState.WAITING and waiting.due_at < clock.now()
    clock._now = datetime(2026, 3, 29, 7, 59, tzinfo=UTC)  # 08:59 BST (07:59 GMT the day before)
    await tick(bot)
    assert teller.count(ASKED) == 0
    clock._now = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST: quiet hours are over
    await tick(bot)
    assert teller.count(ASKED) == 1
    [asked] = await bot.store.follow_ups()
    assert asked.asked_at == clock.now()


async def test_a_story_told_after_the_latest_teller_said_forget_me_is_followed_up(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    """"forget me" erases the newest story, the one follow-ups were last planned through;
    the next story told, by someone else, is still followed up, and only its teller asked."""
    clock = FakeClock(MONDAY)
    bot = await start_bot("http", clock=clock)
    first = teller_of(bot, slack_standin)
    await told(slack_standin, first)
    await tick(bot)  # its follow-up planned
    await first.says("forget me")
    await first.wait_for_text("Do you want me to erase everything")
    await first.says("yes")
    await first.wait_for_text("Done. I've erased 1 story")
    second = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON02")
    await told(slack_standin, second)
    await tick(bot)
    [planned] = await bot.store.follow_ups()
    [story] = await bot.store.list_stories()
    assert (planned.story_id, planned.participant) == (story.id, story.participant)
    clock.advance(weeks=4)
    await tick(bot)
    assert second.count(ASKED) == 1 and first.count(ASKED) == 0
