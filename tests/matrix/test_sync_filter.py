"""What the bot's syncs bring it, on a real Synapse: everything it reads (invites, messages,
encrypted messages with their room keys, members joining and leaving) and nothing it does not
(its own replies coming back, typing notices, read receipts), so it is not woken for them.
And the people talking to it see no typing notice from it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    MatrixRoom,
    RoomMemberEvent,
    RoomMessageText,
    SyncResponse,
    TypingNoticeEvent,
)

from adapters.matrix import Backoff
from adapters.matrix.sync import SyncLoop, sync_token_key
from storage.open import open_store
from storage.ports import KeyValue

from .bot import BotFactory, says, talk
from .people import PersonFactory
from .synapse import Synapse

WAIT = 15.0


@dataclass
class Batches:
    """Every sync response the bot's sync loop handed over, and a way to wait for one."""

    got: list[SyncResponse] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, response: SyncResponse) -> None:
        self.got.append(response)
        self.changed.set()
        self.changed = asyncio.Event()

    async def until(self, found: Callable[[SyncResponse], bool], after: int = 0) -> int:
        """The index of the first batch from ``after`` on for which ``found`` holds."""
        async with asyncio.timeout(WAIT):
            while True:
                for n in range(after, len(self.got)):
                    if found(self.got[n]):
                        return n
                after = len(self.got)
                await self.changed.wait()

    def timeline(self, room_id: str, after: int = 0) -> list[Any]:
        rooms = [response.rooms.join.get(room_id) for response in self.got[after:]]
        return [event for info in rooms if info is not None for event in info.timeline.events]


@dataclass
class Listening:
    client: AsyncClient
    batches: Batches
    store: KeyValue

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)


@pytest.fixture
async def listening(synapse: Synapse, tmp_path: Path,
                    request: pytest.FixtureRequest) -> AsyncIterator[Listening]:
    """A bot account's client, its sync loop as the adapter runs it, handing each batch to
    ``Batches``."""
    user = synapse.register()
    store_dir = tmp_path / "bot-store"
    store_dir.mkdir()
    encrypted = bool(getattr(request, "param", False))
    client = AsyncClient(synapse.url, user.user_id, user.device_id, str(store_dir),
                         AsyncClientConfig(encryption_enabled=encrypted, max_timeouts=2,
                                           store_sync_tokens=False, max_limit_exceeded=0))
    client.restore_login(user.user_id, user.device_id, user.access_token)
    store = open_store("memory://")
    await store.open()
    batches, ready = Batches(), asyncio.Event()
    loop = SyncLoop(client, store, sync_token_key(user.user_id), handle=batches.handle,
                    backoff=Backoff(0.2, 1.0), ready=ready)
    task = asyncio.create_task(loop.run())
    await asyncio.wait_for(ready.wait(), WAIT)
    try:
        yield Listening(client, batches, store)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
        await store.close()


def invited(room_id: str, me: str) -> Callable[[SyncResponse], bool]:
    return lambda r: room_id in r.rooms.invite and any(
        isinstance(e, InviteMemberEvent) and e.state_key == me
        for e in r.rooms.invite[room_id].invite_state)


def member(room_id: str, who: str, membership: str) -> Callable[[SyncResponse], bool]:
    return lambda r: room_id in r.rooms.join and any(
        isinstance(e, RoomMemberEvent) and e.state_key == who and e.membership == membership
        for e in r.rooms.join[room_id].timeline.events)


def text(room_id: str, body: str) -> Callable[[SyncResponse], bool]:
    return lambda r: room_id in r.rooms.join and any(
        isinstance(e, RoomMessageText) and e.body == body
        for e in r.rooms.join[room_id].timeline.events)


async def test_invites_messages_and_members_coming_and_going_reach_the_bot(
        listening: Listening, matrix_person: PersonFactory) -> None:
    bot, batches = listening, listening.batches
    alice, carol = await matrix_person(), await matrix_person()
    room = await alice.create_dm(bot.user_id, encrypted=False)
    await batches.until(invited(room, bot.user_id))
    await bot.client.join(room)
    await batches.until(lambda r: room in r.rooms.join)
    assert set(bot.client.rooms[room].users) == {alice.user_id, bot.user_id}
    await alice.send(room, "hello there")
    await batches.until(text(room, "hello there"))
    await alice.client.room_invite(room, carol.user_id)
    await carol.join(room)
    await batches.until(member(room, carol.user_id, "join"))
    assert bot.client.rooms[room].member_count == 3  # no longer a direct chat
    await carol.client.room_leave(room)
    await batches.until(member(room, carol.user_id, "leave"))
    assert bot.client.rooms[room].member_count == 2
    assert await bot.store.get_value(sync_token_key(bot.user_id)) is not None


async def test_the_bots_own_replies_typing_and_receipts_do_not_wake_it(
        listening: Listening, matrix_person: PersonFactory) -> None:
    bot, batches = listening, listening.batches
    alice = await matrix_person()
    room = await alice.create_dm(bot.user_id, encrypted=False)
    await batches.until(invited(room, bot.user_id))
    await bot.client.join(room)
    await batches.until(lambda r: room in r.rooms.join)
    await alice.send(room, "first")
    seen = await batches.until(text(room, "first"))
    await bot.client.room_send(room, "m.room.message", {"msgtype": "m.notice", "body": "hi"})
    await alice.wait_for_message(room, says("hi"))
    await alice.client.room_typing(room, True, timeout=5_000)
    receipt_for = alice.seen[-1].event_id
    await alice.client.room_read_markers(room, receipt_for, receipt_for)
    await alice.send(room, "second")
    second = await batches.until(text(room, "second"), after=seen + 1)
    assert second == seen + 1, "the bot was woken between the two messages"
    events = batches.timeline(room, after=seen)
    assert [e.sender for e in events] == [alice.user_id, alice.user_id]
    assert not [r for r in batches.got if (info := r.rooms.join.get(room)) and info.ephemeral]


@pytest.mark.parametrize("listening", [True], indirect=True)
async def test_an_encrypted_message_and_its_room_key_reach_the_bot(
        listening: Listening, matrix_person: PersonFactory) -> None:
    bot, batches = listening, listening.batches
    alice = await matrix_person(encrypted=True)
    room = await alice.create_dm(bot.user_id, encrypted=True)
    await batches.until(invited(room, bot.user_id))
    await bot.client.join(room)
    await batches.until(lambda r: room in r.rooms.join)
    await alice.wait_for_join(room, bot.user_id)
    await alice.send(room, "a secret")
    await batches.until(text(room, "a secret"))  # decrypted: its key came too


async def test_a_person_sees_no_typing_notice_while_the_bot_answers(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    bob = await matrix_person()
    typing: list[list[str]] = []

    async def on_typing(_room: MatrixRoom, event: TypingNoticeEvent) -> None:
        typing.append(list(event.users))

    bob.client.add_ephemeral_callback(on_typing, TypingNoticeEvent)
    room = await bob.create_dm(bot.user_id, encrypted=False)
    await bob.wait_for_message(room, says("Shall we start?"), timeout=20)
    await talk(bob, room, "yes", "Is that OK?")
    await talk(bob, room, "yes", "What's been happening?")
    assert not [users for users in typing if bot.user_id in users]
