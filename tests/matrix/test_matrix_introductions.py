"""Introductions on a real Synapse: two tellers who agreed to be contacted and to be
introduced; a moderator proposes it by command in the moderators' room; each is asked in
their own encrypted direct chat, and only once both say yes does each read the other's line,
once."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.core.introductions import IntroductionState
from bot.core.types import Platform

from .bot import BotFactory, RunningBot, says, talk
from .people import Person, PersonFactory
from .test_matrix_responses import STORY

WILLING = [*STORY[:-3], ("3", "happy to be introduced"), ("yes", "Shall I send it?"),
           ("yes", "your story is saved")]
"""A story whose teller may be contacted and would be happy to be introduced."""
INVITED = "Would you like to be introduced?"
ANN_LINE = "I'm Ann, I set up the call-back list: ann.r@example.org"
BOB_LINE = "Bob here, we tried text reminders. I'm @bob on the forum."


async def moderated(matrix_bot: BotFactory, matrix_person: PersonFactory,
                    ) -> tuple[RunningBot, Person, str]:
    """The bot on a Monday at 09:00 in London (not in quiet hours), with a moderator in the
    moderators' room."""
    moderator, colleague = await matrix_person(), await matrix_person()
    mods = await moderator.create_dm(colleague.user_id, encrypted=False)
    await colleague.join(mods)
    matrix_bot.clock = FakeClock()
    bot = await matrix_bot.start(moderators=(moderator.user_id,), moderator_rooms=(mods,))
    await moderator.client.room_invite(mods, bot.user_id)
    await moderator.wait_for_join(mods, bot.user_id, timeout=20)
    return bot, moderator, mods


async def teller(matrix_person: PersonFactory, bot_user: str) -> tuple[Person, str]:
    person = await matrix_person(encrypted=True)
    room = await person.create_dm(bot_user, encrypted=True)
    await person.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in WILLING:
        await talk(person, room, line, expect)
    return person, room


async def test_both_say_yes_and_each_reads_the_others_line_once(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot, moderator, mods = await moderated(matrix_bot, matrix_person)
    assert bot.introductions is not None
    ann, ann_room = await teller(matrix_person, bot.user_id)
    bob, bob_room = await teller(matrix_person, bot.user_id)
    listing = await talk(moderator, mods, "!connections", "#1 and #2")
    assert "Propose one with !connect N M" in listing
    await talk(moderator, mods, "!connect 1 2", "Introduction #1 proposed")
    await bot.introductions.tick()
    for person, room in ((ann, ann_room), (bob, bob_room)):
        invite = await person.wait_for_message(room, says(INVITED), timeout=20)
        assert invite.decrypted
    await talk(ann, ann_room, "yes", "What would you like me to pass on")
    await talk(ann, ann_room, ANN_LINE, "Shall I?")
    await talk(ann, ann_room, "yes", "I'll let you know if they say yes too")
    await talk(bob, bob_room, "yes please", "What would you like me to pass on")
    shown = await talk(bob, bob_room, BOB_LINE, "Shall I?")
    assert BOB_LINE in shown  # shown back exactly as written
    await talk(bob, bob_room, "pass it on", "I'll let you know if they say yes too")
    to_ann = await ann.wait_for_message(ann_room, says("said yes too"), timeout=20)
    to_bob = await bob.wait_for_message(bob_room, says("said yes too"), timeout=20)
    assert BOB_LINE in to_ann.body and ANN_LINE not in to_ann.body
    assert ANN_LINE in to_bob.body and BOB_LINE not in to_bob.body
    await bot.introductions.tick()
    await talk(ann, ann_room, "my stories", "Here's what I keep from you")  # later than both
    for person, room, line in ((ann, ann_room, BOB_LINE), (bob, bob_room, ANN_LINE)):
        from_bot = [e for e in person.seen if e.room_id == room and e.sender == bot.user_id]
        assert sum(INVITED in e.body for e in from_bot) == 1
        assert sum(line in e.body for e in from_bot) == 1
    [made] = await bot.store.introductions()
    assert made.state is IntroductionState.MADE and all(s.line is None for s in made.sides)
    assert await bot.store.pending_replies(Platform(bot.adapter.name)) == []


async def test_a_no_reveals_nothing_and_forget_me_withdraws_the_next_one(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot, moderator, mods = await moderated(matrix_bot, matrix_person)
    assert bot.introductions is not None
    ann, ann_room = await teller(matrix_person, bot.user_id)
    bob, bob_room = await teller(matrix_person, bot.user_id)
    cat, cat_room = await teller(matrix_person, bot.user_id)
    await talk(moderator, mods, "!connect 1 2", "Introduction #1 proposed")
    await talk(moderator, mods, "!connect 1 3", "Introduction #2 proposed")
    await bot.introductions.tick()
    await ann.wait_for_message(ann_room, says(INVITED), timeout=20)
    await bob.wait_for_message(bob_room, says(INVITED), timeout=20)
    await talk(ann, ann_room, "yes", "What would you like me to pass on")
    await talk(ann, ann_room, ANN_LINE, "Shall I?")
    await talk(ann, ann_room, "yes", "I'll let you know if they say yes too")
    await talk(bob, bob_room, "no thanks", "Nothing is passed on")
    await ann.wait_for_message(ann_room, says("didn't go ahead"), timeout=20)
    await bot.introductions.tick()  # Ann is free now: asked about Cat
    await cat.wait_for_message(cat_room, says(INVITED), timeout=20)
    await ann.wait_for_message(ann_room, says(INVITED), timeout=20)  # the second one
    await talk(ann, ann_room, "yes", "What would you like me to pass on")
    await talk(ann, ann_room, ANN_LINE, "Shall I?")
    await talk(ann, ann_room, "yes", "I'll let you know if they say yes too")
    await talk(cat, cat_room, "forget me", "can't be undone")
    await talk(cat, cat_room, "yes", "I've erased 1 story")
    declined, withdrawn = await bot.store.introductions()
    assert (declined.state, withdrawn.state) == (IntroductionState.DECLINED,
                                                 IntroductionState.WITHDRAWN)
    assert all(s.line is None for i in (declined, withdrawn) for s in i.sides)
    await talk(bob, bob_room, "my stories", "Here's what I keep from you")
    for person in (bob, cat):
        assert not any(ANN_LINE in e.body for e in person.seen)
