"""Closing the loop on a real Synapse, as far as the staff room: a moderator marks a change
made by command, the teller's follow-up weeks later (an injected clock) is approved, and the
digest a moderator approves is posted to the staff room with "You said, we did" (the change,
redacted, and the count of changes made) and "How experiments went" (the update), once."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.core.types import StoryStatus

from .bot import BotFactory, digest_bot, says, staff_rooms, talk
from .people import PersonFactory
from .test_matrix_follow_ups import ASKED, tick
from .test_matrix_responses import STORY

SHARED = [*STORY[:10], ("1, 3", "happy to be introduced"), *STORY[11:]]
"""The story, its teller agreeing to weekly summaries and to be contacted."""
EXPERIMENT = "Weeks later: still going. What they learned: Ask the receptionists first."


async def test_a_change_made_and_an_approved_follow_up_reach_the_staff_digest(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    rooms = await staff_rooms(matrix_person)
    moderator, mods, nurse, ward = rooms.moderator, rooms.mods, rooms.nurse, rooms.ward
    clock = FakeClock()  # a Monday, 09:00 in London
    matrix_bot.clock = clock
    bot = await digest_bot(matrix_bot, rooms)
    teller = await matrix_person(encrypted=True)
    room = await teller.create_dm(bot.user_id, encrypted=True)
    await teller.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in SHARED:
        await talk(teller, room, line, expect)
    await talk(moderator, mods, "!story approve 1", "Story #1 is approved")
    await talk(moderator, mods, '!story change 1 made "A call-back list; ring 07700 900123"',
               "its teller has been told")
    await teller.wait_for_message(room, says("Something has changed"), timeout=20)

    await tick(bot)
    clock.advance(weeks=4)
    await tick(bot)
    await teller.wait_for_message(room, says(ASKED), timeout=20)
    await talk(teller, room, "still going", "What's happened since you told us?")
    await talk(teller, room, "Mondays are calmer now.", "what have you learned")
    await talk(teller, room, "Ask the receptionists first.", "I've added this to your story")
    draft = await talk(moderator, mods, "!digest draft", "Draft digest #1")
    assert "You said, we did" in draft and "How experiments went" not in draft  # pending
    await talk(moderator, mods, "!update approve 1", "Update #1 is now approved.")
    [update] = await bot.store.updates_to()
    assert update.status is StoryStatus.APPROVED
    assert EXPERIMENT in await talk(moderator, mods, "!digest draft", "Draft digest")
    await talk(moderator, mods, "!digest approve", "posted to 1 of 1 staff rooms", wait=30)

    digest = await nurse.wait_for_message(ward, says("You said, we did"), timeout=20)
    assert digest.decrypted
    body, html = digest.source["content"]["body"], digest.source["content"]["formatted_body"]
    assert "1 change made because of stories since the last digest (1 in all)." in body
    assert "We did: A call-back list; ring [phone removed]." in body and "07700" not in body
    assert "How experiments went" in body and EXPERIMENT in body
    assert "<h3>You said, we did</h3>" in html and "<h3>How experiments went</h3>" in html
    await teller.wait_for_message(room, says("in this week's digest"), timeout=20)
    await talk(moderator, mods, "!digest preview", "There is no draft digest")
    assert len(nurse.bodies(ward, "You said, we did")) == 1  # posted once
    assert len(teller.bodies(room, "in this week's digest")) == 1
