"""A follow-up on a real Synapse: four weeks (an injected clock) after a teller, who agreed to
be contacted, told of something tried, the scheduler's job asks them in their encrypted
direct chat how it went; their answers are kept as a pending update linked to the story."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.core.follow_ups import FollowUpState, Outcome
from bot.core.types import Platform, StoryStatus

from .bot import BotFactory, says, talk
from .people import PersonFactory
from .test_matrix_responses import STORY

ASKED = "A few weeks ago you told us about something you tried."


async def test_a_follow_up_falls_due_and_the_answers_are_kept_as_a_pending_update(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    clock = FakeClock()  # a Monday, 09:00 in London: not in quiet hours
    matrix_bot.clock = clock
    bot = await matrix_bot.start()
    assert bot.follow_ups is not None
    teller = await matrix_person(encrypted=True)
    room = await teller.create_dm(bot.user_id, encrypted=True)
    await teller.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in STORY:
        await talk(teller, room, line, expect)
    await bot.follow_ups.tick()
    [planned] = await bot.store.follow_ups()
    assert planned.state is FollowUpState.WAITING
    clock.advance(weeks=4)
    await bot.follow_ups.tick()
    asked = await teller.wait_for_message(room, says(ASKED), timeout=20)
    assert asked.decrypted
    await talk(teller, room, "still going", "What's happened since you told us?")
    await talk(teller, room, "Mondays are calmer now.", "what have you learned")
    await talk(teller, room, "Ask the receptionists first.", "I've added this to your story")
    [update] = await bot.store.updates_to()
    assert (update.story_id, update.outcome, update.status) == (
        planned.story_id, Outcome.STILL_GOING, StoryStatus.PENDING)
    assert update.since == "Mondays are calmer now."
    await bot.follow_ups.tick()  # answered: never asked again
    mine = await talk(teller, room, "my stories", "Here's what I keep from you")
    assert "Your update (waiting for a moderator): still going." in mine
    from_bot = [e for e in teller.seen if e.room_id == room and ASKED in e.body]
    assert len(from_bot) == 1
    assert await bot.store.pending_replies(Platform(bot.adapter.name)) == []
