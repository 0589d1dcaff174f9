"""Closing the loop on a real Synapse: a moderator answers a story and marks a change made
by command in the moderators' room, and the teller, who agreed to be contacted, reads both
in their encrypted direct chat, once each, redacted."""

from __future__ import annotations

from bot.core.types import Platform

from .bot import BotFactory, says, talk
from .people import PersonFactory

STORY = [("yes", "Is that OK?"), ("yes", "What's been happening?"),
         ("The phone line is engaged every Monday morning.", "tried something"),
         ("We started a call-back list.", "What happened after"),
         ("Calmer Mondays.", "spread"), ("skip", "four short extra"), ("no", "Which of these"),
         ("1", "Which service"), ("skip", "Nearly done"), ("citizen", "What else is OK"),
         ("3", "happy to be introduced"), ("no", "Shall I send it?"),
         ("yes", "your story is saved")]


async def test_a_response_and_a_change_reach_the_teller_in_their_direct_chat(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    moderator, colleague = await matrix_person(), await matrix_person()
    mods = await moderator.create_dm(colleague.user_id, encrypted=False)
    await colleague.join(mods)
    bot = await matrix_bot.start(moderators=(moderator.user_id,), moderator_rooms=(mods,))
    await moderator.client.room_invite(mods, bot.user_id)
    await moderator.wait_for_join(mods, bot.user_id, timeout=20)
    teller = await matrix_person(encrypted=True)
    room = await teller.create_dm(bot.user_id, encrypted=True)
    await teller.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in STORY:
        await talk(teller, room, line, expect)
    kept = await talk(moderator, mods,
                      '!story respond 1 "Thank you. Ring 07700 900123 and we call back."',
                      "is kept, and sent to its teller")
    assert "[phone removed]" in kept
    answer = await teller.wait_for_message(room, says("from the storyloop team"), timeout=20)
    assert answer.decrypted and "Ring [phone removed] and we call back." in answer.body
    await talk(moderator, mods, '!story change 1 made "A call-back list on Mondays"',
               "its teller has been told")
    change = await teller.wait_for_message(room, says("Something has changed"), timeout=20)
    assert "A call-back list on Mondays" in change.body
    mine = await talk(teller, room, "my stories", "Here's what I keep from you")
    assert "Change made: A call-back list on Mondays" in mine
    from_bot = [e for e in teller.seen if e.sender == bot.user_id and e.room_id == room
                and e.body.startswith(("An answer to the story", "Something has changed"))]
    assert len(from_bot) == 2  # once each
    assert await bot.store.pending_replies(Platform(bot.adapter.name)) == []
