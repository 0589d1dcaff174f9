"""storyloop on a real Synapse, each person played by a real matrix-nio client."""

from __future__ import annotations

import sqlite3

from .bot import BotFactory, says, talk
from .people import PersonFactory

SITUATION = "The surgery phone line is engaged from 8am every Monday and people give up."
ATTEMPT = "The practice manager started a call-back list and texts people a time slot."


async def test_an_encrypted_direct_chat_collects_a_whole_story(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    alice = await matrix_person(encrypted=True)
    room = await alice.create_dm(bot.user_id, encrypted=True)
    greeting = await alice.wait_for_message(room, says("Shall we start?"), timeout=20)
    assert greeting.decrypted and greeting.source["content"]["msgtype"] == "m.notice"
    for line, expect in [("yes", "Is that OK?"), ("yes", "What's been happening?"),
                         (SITUATION, "tried something"), (ATTEMPT, "What happened after"),
                         ("Calmer Mondays.", "spread"), ("skip", "four short extra"),
                         ("no", "Which of these"), ("1, 3", "Which service"),
                         ("skip", "Nearly done"), ("staff", "What else is OK"),
                         ("1, 2", "Shall I send it?"),
                         ("yes", "your story is saved")]:
        await talk(alice, room, line, expect)
    [story] = await bot.store.list_stories()
    assert (story.situation, story.tried, story.platform) == (SITUATION, ATTEMPT, "matrix")
    assert story.themes == ("access", "communication")
    assert story.consent.digest and story.consent.quote and not story.consent.contact


async def test_choices_by_number_and_by_words_in_a_plain_room(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    bob = await matrix_person()
    room = await bob.create_dm(bot.user_id, encrypted=False)
    greeting = await bob.wait_for_message(room, says("Shall we start?"), timeout=20)
    assert "1. Yes, let's start\n2. Not now" in greeting.body
    assert "<ol><li>Yes, let&#x27;s start</li><li>Not now</li></ol>" in greeting.formatted_body
    await talk(bob, room, "1", "Is that OK?")
    await talk(bob, room, "Yes, that's OK", "What's been happening?")
    await talk(bob, room, SITUATION, "tried something")
    await talk(bob, room, "A call-back list was set up.", "Who tried it?")
    await talk(bob, room, "someone else", "What happened after")
    for line, expect in [("skip", "spread"), ("skip", "four short extra"),
                         ("2", "Which of these"), ("skip", "Which service"),
                         ("skip", "Nearly done"), ("4", "What else is OK"),
                         ("none", "Shall I send it?"),
                         ("Yes, send it", "your story is saved")]:
        await talk(bob, room, line, expect)
    [story] = await bot.store.list_stories()
    assert story.tried_by is not None and story.tried_by.value == "someone else"
    assert story.role.value == "rather not say"


async def test_messages_sent_while_the_bot_is_down_are_answered_once_after_restart(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    carol = await matrix_person()
    room = await carol.create_dm(bot.user_id, encrypted=False)
    await carol.wait_for_message(room, says("Shall we start?"), timeout=20)
    await talk(carol, room, "yes", "Is that OK?")
    await bot.stop()
    await carol.send(room, "yes")
    await carol.send(room, SITUATION)
    bot = await matrix_bot.start()
    await carol.wait_for_message(room, says("What's been happening?"), timeout=20)
    await carol.wait_for_message(room, says("tried something"), timeout=20)
    await talk(carol, room, "status", "We're on question")
    from_bot = [s.body for s in carol.seen if s.sender == bot.user_id]
    assert from_bot[-1].startswith("We're on question")  # status repeats the question
    from_bot = from_bot[:-1]
    assert sum("Shall we start?" in b for b in from_bot) == 1  # nothing replayed
    assert sum("Is that OK?" in b for b in from_bot) == 1
    assert sum("What's been happening?" in b for b in from_bot) == 1
    assert sum("tried something" in b for b in from_bot) == 1


async def test_an_event_fed_twice_is_answered_once(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    dan = await matrix_person()
    room = await dan.create_dm(bot.user_id, encrypted=False)
    await dan.wait_for_message(room, says("Shall we start?"), timeout=20)
    event_id = await dan.send(room, "yes")
    await dan.wait_for_message(room, says("Is that OK?"))
    client = bot.adapter.client
    assert client is not None
    fetched = await client.room_get_event(room, event_id)
    again = await bot.adapter.process_room(client.rooms[room], [fetched.event])
    assert again == []
    await talk(dan, room, "yes", "What's been happening?")
    from_bot = [s.body for s in dan.seen if s.sender == bot.user_id]
    assert sum("Is that OK?" in b for b in from_bot) == 1
    with sqlite3.connect(bot.path) as db:
        rows = db.execute("SELECT count(*) FROM processed_events WHERE event_id = ?",
                          (event_id,)).fetchone()[0]
    assert rows == 1


async def test_replies_survive_the_bots_rate_limit_in_order(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    erin = await matrix_person()
    room = await erin.create_dm(bot.user_id, encrypted=False)
    await erin.wait_for_message(room, says("Shall we start?"), timeout=20)
    matrix_bot.synapse.override_ratelimit(bot.user_id, messages_per_second=1, burst_count=1)
    try:
        await talk(erin, room, "yes", "Is that OK?")
        await talk(erin, room, "yes", "What's been happening?")
        await erin.send(room, SITUATION)
        await erin.send(room, "help")
        for words in ("tried something", "I mean: has anyone", "These always work"):
            await erin.wait_for_message(room, says(words), timeout=30)
    finally:
        matrix_bot.synapse.delete_ratelimit_override(bot.user_id)
    from_bot = [s.body for s in erin.seen if s.sender == bot.user_id]
    expected = ["Shall we start?", "Is that OK?", "What's been happening?", "tried something",
                "I mean: has anyone", "These always work"]
    assert len(from_bot) == len(expected)
    for body, words in zip(from_bot, expected, strict=True):
        assert words in body


async def test_the_bot_recovers_when_the_homeserver_restarts(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    fay = await matrix_person()
    room = await fay.create_dm(bot.user_id, encrypted=False)
    await fay.wait_for_message(room, says("Shall we start?"), timeout=20)
    matrix_bot.synapse.restart()
    await talk(fay, room, "yes", "Is that OK?", wait=30)
    assert not bot.task.done()


async def test_html_and_mentions_in_a_story_are_harmless_in_replies(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    gus = await matrix_person()
    room = await gus.create_dm(bot.user_id, encrypted=False)
    await gus.wait_for_message(room, says("Shall we start?"), timeout=20)
    await talk(gus, room, "yes", "Is that OK?")
    await talk(gus, room, "yes", "What's been happening?")
    nasty = "<a href='https://evil.example'>click</a> @room the ward is understaffed"
    await talk(gus, room, nasty, "tried something")
    await talk(gus, room, "back", "What's been happening?")
    echo = await gus.wait_for_message(room, says("You said"))
    content = echo.source["content"]
    assert "<a href" not in content["formatted_body"]
    assert "&lt;a href=&#x27;https://evil.example&#x27;&gt;" in content["formatted_body"]
    assert "@room" not in content["body"] and "@\u2060room" in content["body"]
    assert content["m.mentions"] == {}


async def test_moderator_commands_are_refused_to_others_in_a_group_room(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    moderator = await matrix_person()
    bot = await matrix_bot.start(moderators=(moderator.user_id,))
    hal = await matrix_person()
    room = await moderator.create_dm(bot.user_id, encrypted=False)  # becomes a group room:
    await moderator.client.room_invite(room, hal.user_id)
    await hal.join(room)
    await moderator.wait_for_join(room, hal.user_id)
    await hal.send(room, "!status")
    refusal = await hal.wait_for_message(room, says("only moderators"), timeout=20)
    assert "Commands you can use: help" in refusal.body
    await moderator.send(room, "!status")
    status = await moderator.wait_for_message(room, says("storyloop is running"), timeout=20)
    assert "0 pending" in status.body
    await hal.send(room, f"{bot.user_id} hello, can I tell you something?")
    offer = await hal.wait_for_message(room, says("direct message"), timeout=20)
    assert offer.sender == bot.user_id
    assert await bot.store.list_stories() == []
