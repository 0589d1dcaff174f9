"""A configured moderators' room is a group room even with two members in it: the bot does not
greet it with the story welcome, does not take a moderator's chat there for a story, and
takes its commands. Checked on rooms made on a real Synapse, as the bot's client sees them
(``room_facts`` reads the room's id and canonical alias)."""

from __future__ import annotations

import uuid
from pathlib import Path

from nio import RoomCreateResponse

from adapters.matrix.events import Me, RoomFacts, joined, messages
from adapters.matrix.invites import group_rooms, room_facts
from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config, MatrixConfig, StorageConfig
from storage.open import open_store
from tests.conftest import PSEUDONYMS

from .people import Person, PersonFactory

WELCOME = "Hi, I'm storyloop"


def _app(tmp_path: Path, bot: str, moderator: str, rooms: tuple[str, ...]) -> tuple[App, Config]:
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'bot.db'}"),
                    matrix=MatrixConfig(homeserver="http://127.0.0.1:1", user_id=bot,
                                        moderators=(moderator,), moderator_rooms=rooms))
    store = open_store(config.storage.url)
    return compose(config, store, clock=FakeClock(), pseudonymise=PSEUDONYMS).app, config


async def _room_of_two(person: Person, bot: Person, alias: str | None) -> str:
    response = await person.client.room_create(alias=alias, invite=[bot.user_id])
    assert isinstance(response, RoomCreateResponse)
    await bot.join(response.room_id)
    await person.wait_for_join(response.room_id, bot.user_id)
    return str(response.room_id)


def test_a_configured_room_of_two_is_a_group_room() -> None:
    assert RoomFacts("!m:x", 2).is_direct
    assert not RoomFacts("!m:x", 2, group=True).is_direct
    greeted = joined(RoomFacts("!m:x", 2, group=True), "@mod:x", invited_direct=True,
                     now=FakeClock().now())
    assert not greeted.is_direct


async def test_the_moderators_room_is_not_greeted_as_a_direct_chat(
        matrix_person: PersonFactory, tmp_path: Path) -> None:
    moderator, bot = await matrix_person(), await matrix_person()
    localpart = f"mods-{uuid.uuid4().hex[:8]}"
    room_id = await _room_of_two(moderator, bot, localpart)
    alias = f"#{localpart}:localhost"
    app, config = _app(tmp_path, bot.user_id, moderator.user_id, (alias,))
    await app.store.open()
    try:
        assert config.matrix is not None
        facts = room_facts(bot.client.rooms[room_id], group_rooms(config.matrix))
        assert facts == RoomFacts(room_id, 2, group=True)
        assert await app.handle(joined(facts, moderator.user_id, True, app.clock.now())) == []
        await moderator.send(room_id, "morning all, anything new?")
        await moderator.send(room_id, "!stories pending")
        said = [await bot.wait_for_message(room_id) for _ in range(2)]
        chat, command = messages(said, facts, Me(bot.user_id))
        assert not chat.is_direct and await app.handle(chat) == []
        [reply] = await app.handle(command)
        assert reply.text == "Waiting for a moderator: none."
    finally:
        await app.store.close()


async def test_a_direct_chat_of_two_is_still_greeted(
        matrix_person: PersonFactory, tmp_path: Path) -> None:
    person, bot = await matrix_person(), await matrix_person()
    room_id = await person.create_dm(bot.user_id, encrypted=False)
    await bot.join(room_id)
    app, config = _app(tmp_path, bot.user_id, "@someone:localhost", ("!elsewhere:localhost",))
    await app.store.open()
    try:
        assert config.matrix is not None
        facts = room_facts(bot.client.rooms[room_id], group_rooms(config.matrix))
        assert facts.is_direct
        [welcome] = await app.handle(joined(facts, person.user_id, True, app.clock.now()))
        assert welcome.text.startswith(WELCOME)
    finally:
        await app.store.close()
