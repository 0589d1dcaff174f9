"""Issue 12 through the running bot, end to end on a real Synapse: a 32,000-character review
reaches the person in full (the adapter sends every part of ``render.contents_for``), and a
moderators' room of two is not greeted as a direct chat (``invites.room_facts``)."""

from __future__ import annotations

import uuid

from nio import RoomCreateResponse

from .bot import BotFactory, says, talk
from .people import PersonFactory
from .test_matrix_limits import _text

WELCOME = "Hi, I'm storyloop"


async def test_a_32000_character_review_reaches_the_person_through_the_bot(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    ann = await matrix_person()
    room = await ann.create_dm(bot.user_id, encrypted=False)
    await ann.wait_for_message(room, says("Shall we start?"), timeout=20)
    await talk(ann, room, "yes", "Is that OK?")
    await talk(ann, room, "yes", "What's been happening?")
    long = [_text(6500, seed) for seed in range(5)]
    for answer, expect in ((long[0], "tried something"), (long[1], "What happened"),
                           (long[2], "spread"), (long[3], "four short extra questions"),
                           ("no", "Which of these"), ("1, 3", "service or place"),
                           (long[4], "Nearly done"), ("staff", "What else is OK")):
        await talk(ann, room, answer, expect)
    await talk(ann, room, "1, 3", "happy to be introduced")
    await ann.send(room, "no")
    await ann.send(room, "!help")  # answered after the review, so the review came first
    await ann.wait_for_message(room, says("Commands you can use"), timeout=20)
    bodies = "\n".join(s.body for s in ann.seen if s.sender == bot.user_id)
    assert "Here's your story" in bodies
    assert all(answer[-200:].split()[-1] in bodies for answer in long)


async def test_a_moderators_room_of_two_is_not_greeted_by_the_running_bot(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    moderator = await matrix_person()
    localpart = f"mods-{uuid.uuid4().hex[:8]}"
    bot = await matrix_bot.start(moderators=(moderator.user_id,),
                                 moderator_rooms=(f"#{localpart}:localhost",))
    response = await moderator.client.room_create(alias=localpart, invite=[bot.user_id])
    assert isinstance(response, RoomCreateResponse)
    room = response.room_id
    await moderator.wait_for_join(room, bot.user_id)
    await moderator.send(room, "!stories pending")
    await moderator.wait_for_message(room, says("Waiting for a moderator"), timeout=20)
    assert not [s for s in moderator.seen if s.room_id == room and WELCOME in s.body]
