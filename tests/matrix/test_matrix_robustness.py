"""What Matrix throws at a bot: edits, redactions, unwanted invites, failing handlers, and
running as a real ``storyloop run`` process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from nio import RoomRedactResponse, RoomSendResponse

from bot.commands import Command, CommandContext
from bot.core.types import ConversationKey, Platform, RoomId, UserId

from .bot import PASSWORD_ENV, BotFactory, says, talk
from .people import Person, PersonFactory
from .synapse import Synapse

SITUATION = "The surgery phone line is engaged from 8am every Monday and people give up."


async def started(bot_user: str, person: Person) -> str:
    room = await person.create_dm(bot_user, encrypted=False)
    await person.wait_for_message(room, says("Shall we start?"), timeout=20)
    await talk(person, room, "yes", "Is that OK?")
    await talk(person, room, "yes", "What's been happening?")
    return room


async def edit(person: Person, room: str, event_id: str, text: str) -> None:
    content = {"msgtype": "m.text", "body": f"* {text}",
               "m.new_content": {"msgtype": "m.text", "body": text},
               "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}}
    response = await person.client.room_send(room, "m.room.message", content)
    assert isinstance(response, RoomSendResponse)


async def test_an_edit_of_an_unanswered_message_uses_the_new_text(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    ivy = await matrix_person()
    room = await started(bot.user_id, ivy)
    await bot.stop()
    first = await ivy.send(room, "The phone line is bad")
    await edit(ivy, room, first, SITUATION)
    bot = await matrix_bot.start()
    await ivy.wait_for_message(room, says("tried something"), timeout=20)
    await talk(ivy, room, "back", "What's been happening?")
    assert [s.body for s in ivy.seen if "You said" in s.body] == [
        f"Of course. You said: \u201c{SITUATION}\u201d"]


async def test_deleting_a_message_removes_its_answer(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    jon = await matrix_person()
    room = await started(bot.user_id, jon)
    event_id = await jon.send(room, SITUATION)
    await jon.wait_for_message(room, says("tried something"))
    redacted = await jon.client.room_redact(room, event_id, reason="too personal")
    assert isinstance(redacted, RoomRedactResponse)
    await jon.wait_for_message(room, says("taken out the message you deleted"))
    pseudonym = bot.app.pseudonymise(Platform("matrix"), UserId(jon.user_id))
    key = ConversationKey(platform=Platform("matrix"), room_id=RoomId(room), user_id=pseudonym)
    conversation = (await bot.store.load_turn(key, None)).conversation
    assert conversation is not None and "situation" not in conversation.answers
    assert SITUATION not in str(conversation.answers)


async def test_invites_from_people_not_allowed_are_not_joined(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    kay, lee = await matrix_person(), await matrix_person()
    bot = await matrix_bot.start(allowed_inviters=(lee.user_id,))
    refused = await kay.client.room_create(is_direct=True, invite=[bot.user_id])
    allowed = await lee.create_dm(bot.user_id, encrypted=False)
    await lee.wait_for_message(allowed, says("Shall we start?"), timeout=20)
    client = bot.adapter.client
    assert client is not None and refused.room_id not in client.rooms


async def test_a_failing_handler_gets_a_kind_reply_and_the_bot_carries_on(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    moderator = await matrix_person()
    bot = await matrix_bot.start(moderators=(moderator.user_id,))

    async def broken(ctx: CommandContext) -> str:
        raise RuntimeError("a bug in a command")

    assert bot.app.commands is not None
    bot.app.commands.add(Command("broken", "always fails", broken))
    other = await matrix_person()
    room = await moderator.create_dm(bot.user_id, encrypted=False)
    await moderator.client.room_invite(room, other.user_id)
    await other.join(room)
    await moderator.send(room, "!broken")
    await moderator.wait_for_message(room, says("Sorry, something went wrong"), timeout=20)
    await talk(moderator, room, "!status", "storyloop is running")
    assert not bot.task.done()


async def test_storyloop_run_talks_on_matrix_and_stops_on_sigterm(
        synapse: Synapse, matrix_person: PersonFactory, tmp_path: Path) -> None:
    bot_user = synapse.register()
    config = tmp_path / "storyloop.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "run.db"}"\n\n[matrix]\nhomeserver = "{synapse.url}"\n'
        f'user_id = "{bot_user.user_id}"\npassword_env = "{PASSWORD_ENV}"\n'
        f'store_path = "{tmp_path / "store"}"\n')
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("storyloop")), "--config", str(config), "run",
        env={**os.environ, PASSWORD_ENV: bot_user.password}, stderr=asyncio.subprocess.PIPE)
    try:
        mia = await matrix_person(encrypted=True)
        room = await mia.create_dm(bot_user.user_id, encrypted=True)
        await mia.wait_for_message(room, says("Shall we start?"), timeout=30)
        await talk(mia, room, "yes", "Is that OK?")
    finally:
        proc.send_signal(signal.SIGTERM)  # the process this test started
        _, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()
    assert (tmp_path / "store" / "login.json").exists()
    log = stderr.decode()  # at INFO: what the bot did, not every library's every step
    assert "joined !" in log and "in sync with the homeserver" in log
    assert "handling event of type" not in log and "Finished processing state" not in log


async def test_safeguarding_help_arrives_at_once_and_moderators_are_told_without_the_words(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    moderator = await matrix_person()
    other = await matrix_person()
    mods_room = await moderator.create_dm(other.user_id, encrypted=False)
    await other.join(mods_room)
    bot = await matrix_bot.start(moderator_rooms=(mods_room,))
    await moderator.client.room_invite(mods_room, bot.user_id)
    nia = await matrix_person(encrypted=True)
    room = await nia.create_dm(bot.user_id, encrypted=True)
    await nia.wait_for_message(room, says("Shall we start?"), timeout=20)
    await talk(nia, room, "yes", "Is that OK?")
    await talk(nia, room, "yes", "What's been happening?")
    await nia.send(room, "I've been hurting myself again since the clinic closed.")
    await nia.wait_for_message(room, says("116 123"))
    await nia.wait_for_message(room, says("no rush"))
    alert = await moderator.wait_for_message(mods_room, says("may need a moderator's care"))
    assert "hurting" not in alert.body and "clinic" not in alert.body


async def test_a_redacted_preview_and_forget_me_on_matrix(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    oli = await matrix_person(encrypted=True)
    room = await oli.create_dm(bot.user_id, encrypted=True)
    await oli.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in [("yes", "Is that OK?"), ("yes", "What's been happening?"),
                         ("My GP at M1 1AE never calls back on 0161 496 0000.",
                          "tried something"),
                         ("nobody has tried anything", "What would help?"),
                         ("skip", "four short extra"), ("no", "Which of these"),
                         ("skip", "Which service"), ("skip", "Nearly done"),
                         ("citizen", "What else is OK")]:
        await talk(oli, room, line, expect)
    review = await talk(oli, room, "none", "Shall I send it?")
    assert "[postcode removed]" in review and "0161" not in review
    await talk(oli, room, "yes", "your story is saved")
    assert len(await bot.store.list_stories()) == 1
    await talk(oli, room, "forget me", "can't be undone")
    await talk(oli, room, "yes", "I've erased 1 story")
    assert await bot.store.list_stories() == []
    [entry] = await bot.store.audit_entries()
    assert entry.action == "erasure" and entry.target is None


async def test_a_malformed_relation_is_read_as_plain_words_and_the_bot_carries_on(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    pat = await matrix_person()
    room = await started(bot.user_id, pat)
    odd = {"msgtype": "m.text", "body": SITUATION, "m.relates_to": "not an object"}
    response = await pat.client.room_send(room, "m.room.message", odd)
    assert isinstance(response, RoomSendResponse)
    await pat.wait_for_message(room, says("tried something"), timeout=20)
    await talk(pat, room, "back", "What's been happening?")
    assert not bot.task.done()
