"""Follow-ups on a real Synapse, on an injected clock. Four weeks after a teller, who agreed
to be contacted, told of something tried, the scheduler's job asks them in their encrypted
direct chat how it went, and their answers are kept as a pending update linked to the story.
One falling due while they tell another story waits until that story is saved; a bot that
dies between due and sent asks once after its restart; "forget me" cancels a planned one; one
due in quiet hours is asked after them, across the change to summer time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import FakeClock
from bot.core.follow_ups import FollowUpState, Outcome
from bot.core.types import Platform, StoryStatus

from .bot import BotFactory, RunningBot, says, talk
from .people import Person, PersonFactory
from .synapse import Synapse
from .test_matrix_responses import STORY

ASKED = "A few weeks ago you told us about something you tried."
SAVED = "your story is saved"


async def told(matrix_bot: BotFactory, matrix_person: PersonFactory,
               clock: FakeClock) -> tuple[RunningBot, Person, str]:
    """A bot on ``clock``, and a teller who told it a story in an encrypted direct chat
    (something tried; they agreed to be contacted); the follow-up is planned."""
    matrix_bot.clock = clock
    bot = await matrix_bot.start()
    teller = await matrix_person(encrypted=True)
    room = await teller.create_dm(bot.user_id, encrypted=True)
    await teller.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in STORY:
        await talk(teller, room, line, expect)
    await tick(bot)
    [planned] = await bot.store.follow_ups()
    assert planned.state is FollowUpState.WAITING
    return bot, teller, room


async def tick(bot: RunningBot) -> None:
    """The scheduler's follow-ups job, once."""
    assert bot.follow_ups is not None
    await bot.follow_ups.tick()


async def test_a_follow_up_falls_due_and_the_answers_are_kept_as_a_pending_update(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    clock = FakeClock()  # a Monday, 09:00 in London: not in quiet hours
    bot, teller, room = await told(matrix_bot, matrix_person, clock)
    [planned] = await bot.store.follow_ups()
    clock.advance(weeks=4)
    await tick(bot)
    asked = await teller.wait_for_message(room, says(ASKED), timeout=20)
    assert asked.decrypted
    await talk(teller, room, "still going", "What's happened since you told us?")
    await talk(teller, room, "Mondays are calmer now.", "what have you learned")
    await talk(teller, room, "Ask the receptionists first.", "I've added this to your story")
    [update] = await bot.store.updates_to()
    assert (update.story_id, update.outcome, update.status) == (
        planned.story_id, Outcome.STILL_GOING, StoryStatus.PENDING)
    assert update.since == "Mondays are calmer now."
    await tick(bot)  # answered: never asked again
    mine = await talk(teller, room, "my stories", "Here's what I keep from you")
    assert "Your update (waiting for a moderator): still going." in mine
    assert len(teller.bodies(room, ASKED)) == 1
    assert await bot.store.pending_replies(Platform(bot.adapter.name)) == []


async def test_a_follow_up_due_mid_story_waits_until_the_story_is_saved(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    clock = FakeClock()
    bot, teller, room = await told(matrix_bot, matrix_person, clock)
    clock.advance(weeks=4)
    await talk(teller, room, "hi", "Would you like to tell another?")  # under way
    await talk(teller, room, "yes", "Is that OK?")
    await talk(teller, room, "yes", "What's been happening?")
    await tick(bot)
    await tick(bot)
    [waiting] = await bot.store.follow_ups()
    assert waiting.state is FollowUpState.WAITING and waiting.due_at <= clock.now()
    for line, expect in STORY[2:]:
        await talk(teller, room, line, expect)
    await tick(bot)
    await teller.wait_for_message(room, says(ASKED), timeout=20)
    said = teller.bodies(room)
    assert [n for n, body in enumerate(said) if ASKED in body] == [len(said) - 1]
    assert sum(SAVED in body for body in said) == 2  # asked only after the second was saved
    await talk(teller, room, "it changed", "What's happened since you told us?")
    assert len(teller.bodies(room, ASKED)) == 1
    asked, planned = await bot.store.follow_ups()
    assert (asked.id, asked.state) == (waiting.id, FollowUpState.ASKED)
    assert planned.state is FollowUpState.WAITING  # the second story's, due in four weeks


async def test_a_bot_that_dies_between_due_and_sent_asks_once_after_its_restart(
        matrix_bot: BotFactory, matrix_person: PersonFactory, synapse: Synapse) -> None:
    clock = FakeClock()
    bot, teller, room = await told(matrix_bot, matrix_person, clock)
    clock.advance(weeks=4)
    synapse.override_ratelimit(bot.user_id, messages_per_second=1, burst_count=0)
    try:  # the homeserver refuses every message from the bot: the question waits
        await tick(bot)
        [queued] = await bot.store.pending_replies(Platform(bot.adapter.name))
        assert ASKED in queued.message.text
        # The worst moment: the question's conversation is saved with its words, and the
        # bot dies before noting the follow-up asked (the state that crash leaves, as
        # tests/test_follow_ups.py makes it).
        [due] = await bot.store.follow_ups()
        await bot.store.set_follow_up(due.model_copy(
            update={"state": FollowUpState.WAITING, "asked_at": None}))
        await bot.stop()
    finally:
        synapse.delete_ratelimit_override(matrix_bot.user.user_id)
    assert teller.bodies(room, ASKED) == []

    bot = await matrix_bot.start()
    await teller.wait_for_message(room, says(ASKED), timeout=30)  # from the outbox
    await tick(bot)
    await tick(bot)
    [noted] = await bot.store.follow_ups()
    assert noted.state is FollowUpState.ASKED
    await talk(teller, room, "still going", "What's happened since you told us?")
    assert len(teller.bodies(room, ASKED)) == 1  # anything sent twice would be before this
    assert await bot.store.pending_replies(Platform(bot.adapter.name)) == []


async def test_forget_me_cancels_a_planned_follow_up(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    clock = FakeClock()
    bot, teller, room = await told(matrix_bot, matrix_person, clock)
    await talk(teller, room, "forget me", "Do you want me to erase everything")
    await talk(teller, room, "yes", "Done. I've erased 1 story")
    assert await bot.store.follow_ups(list(FollowUpState)) == []
    assert await bot.store.list_stories() == [] and await bot.store.updates_to() == []
    clock.advance(weeks=5)
    await tick(bot)
    clock.advance(weeks=2)  # nor a reminder
    await tick(bot)
    assert await bot.store.follow_ups(list(FollowUpState)) == []
    await talk(teller, room, "my stories", "I don't keep any stories from you.")
    assert teller.bodies(room, ASKED) == []  # anything asked would have come before
    assert not any("gentle nudge" in body for body in teller.bodies(room))


async def test_a_follow_up_due_in_quiet_hours_is_asked_after_them_across_summer_time(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    clock = FakeClock(datetime(2026, 3, 1, 7, 30, tzinfo=UTC))  # 07:30 GMT, four weeks
    bot, teller, room = await told(matrix_bot, matrix_person, clock)  # before summer time
    clock._now = datetime(2026, 3, 29, 7, 45, tzinfo=UTC)  # due at 07:30; 08:45 BST: quiet
    await tick(bot)
    clock._now = datetime(2026, 3, 29, 7, 59, tzinfo=UTC)  # 08:59 BST (07:59 GMT the day before)
    await tick(bot)
    [waiting] = await bot.store.follow_ups()
    assert waiting.state is FollowUpState.WAITING and waiting.due_at < clock.now()
    assert await bot.store.pending_replies(Platform(bot.adapter.name)) == []  # nothing to send
    clock._now = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST: quiet hours are over
    await tick(bot)
    await teller.wait_for_message(room, says(ASKED), timeout=20)
    [asked] = await bot.store.follow_ups()
    assert asked.asked_at == clock.now()
    await talk(teller, room, "it stopped", "What's happened since you told us?")
    assert len(teller.bodies(room, ASKED)) == 1
