"""Leases and exclusive sections across processes on one PostgreSQL database: two stores on
one database, as two workers would be (``storage/postgres_locks.py``); and two Apps on it
never applying two messages of one conversation at once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from bot.app import App
from bot.compose import compose
from bot.core.config import Config
from bot.core.errors import LostLock
from bot.core.types import Conversation, ConversationKey, EventId, Platform, RoomId, UserId
from bot.scheduler import Job, Scheduler
from storage.base import Loaded, TurnWrite
from storage.postgres import PostgresStore
from storage.postgres_locks import HOLDER, LOCKS, WHO
from tests.conftest import PSEUDONYMS, Chat


@pytest.fixture
async def two(postgres_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    first, second = PostgresStore(postgres_url, "test"), PostgresStore(postgres_url, "test")
    await first.open()
    await second.open()
    yield first, second
    await first.close()
    await second.close()


async def holder(url: str, name: str) -> str | None:
    async with await psycopg.AsyncConnection.connect(url) as connection:
        row = await (await connection.execute(HOLDER, (LOCKS, name))).fetchone()
        return None if row is None else str(row[0])


async def freed(url: str, name: str) -> None:
    """Wait until nobody holds ``name``'s lock. The server lets it go once the backend of the
    connection that held it has ended, a moment after that connection is closed."""
    async with asyncio.timeout(5), await psycopg.AsyncConnection.connect(url) as connection:
        await connection.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (LOCKS, name))
        await connection.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (LOCKS, name))


async def test_a_lease_is_held_by_one_store_until_it_closes_then_taken_over(
        two: tuple[PostgresStore, PostgresStore], postgres_url: str) -> None:
    first, second = two
    assert await first.take_lease("job:digest")
    assert await first.take_lease("job:digest")  # still held, not taken twice
    assert not await second.take_lease("job:digest")
    assert await second.take_lease("job:retention")  # another job: free
    assert await holder(postgres_url, "job:digest") == WHO.format(pid=os.getpid())
    await first.close()  # its connection ends, as a killed process's does
    await freed(postgres_url, "job:digest")
    assert await second.take_lease("job:digest")
    assert not await first.take_lease("job:retention")  # a closed store asks afresh: held


async def test_exclusive_keeps_out_the_other_store_until_the_holder_leaves(
        two: tuple[PostgresStore, PostgresStore]) -> None:
    first, second = two
    order: list[str] = []
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def hold() -> None:
        async with first.exclusive("outbox:slack:D1") as mine:
            assert mine
            inside.set()
            await leave.wait()
            order.append("first leaves")

    async def wait_for_it() -> None:
        async with second.exclusive("outbox:slack:D1") as mine:
            assert mine
            order.append("second enters")

    holding = asyncio.create_task(hold())
    await inside.wait()
    async with second.exclusive("outbox:slack:D1", wait=False) as mine:
        assert not mine
    async with second.exclusive("outbox:slack:D2", wait=False) as mine:
        assert mine
    waiting = asyncio.create_task(wait_for_it())
    done, _ = await asyncio.wait([waiting], timeout=0.3)
    assert not done, "the second store entered while the first was inside"
    leave.set()
    await asyncio.gather(holding, waiting)
    assert order == ["first leaves", "second enters"]


class Wrapped:
    """A real store, everything passed through but what a subclass defines."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class Watched(Wrapped):
    """A real store, watched: how many applications of one conversation (from loading it to
    saving it) are under way at once, across every store it watches."""

    inside = 0
    most = 0

    async def load_turn(self, key: ConversationKey, event_id: EventId | None) -> Loaded:
        loaded = await self.store.load_turn(key, event_id)
        Watched.inside += 1
        Watched.most = max(Watched.most, Watched.inside)
        return loaded

    async def save_turn(self, turn: TurnWrite) -> bool:
        try:
            return await self.store.save_turn(turn)
        finally:
            Watched.inside -= 1


async def test_two_apps_never_apply_two_messages_of_one_conversation_at_once(
        two: tuple[PostgresStore, PostgresStore]) -> None:
    """Each App has its own in-process locks, as each worker has: only the store's lock keeps
    them apart. Every message is applied on the conversation the one before left."""
    apps: list[App] = [compose(Config(), Watched(store),
                               pseudonymise=PSEUDONYMS).app for store in two]
    chats = [Chat(app) for app in apps]
    await chats[0].say("hi")
    words = [f"answer {n}" for n in range(12)]
    Watched.inside = Watched.most = 0
    answers = await asyncio.gather(*(chats[n % 2].say(word) for n, word in enumerate(words)))
    assert Watched.most == 1
    assert all(answers), "a message went unanswered"


async def cut_off(url: str, name: str) -> None:
    """End the database connection holding ``name``'s lock, as a restart of the database or a
    firewall dropping an idle connection would, while its process carries on."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        cursor = await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            " AND granted AND classid = %s"
            " AND objid::bigint = (hashtext(%s)::bigint & 4294967295)", (LOCKS, name))
        assert await cursor.fetchall() == [(True,)], f"nobody held {name}"


async def test_a_store_cut_off_from_its_locks_knows_it_no_longer_holds_them(
        two: tuple[PostgresStore, PostgresStore], postgres_url: str) -> None:
    first, second = two
    assert await first.take_lease("job:digest")
    assert await first.holds("job:digest")
    assert not await second.holds("job:digest")
    await cut_off(postgres_url, "job:digest")
    await freed(postgres_url, "job:digest")
    assert await second.take_lease("job:digest")
    assert not await first.holds("job:digest")
    assert not await first.take_lease("job:digest")


async def test_a_job_whose_process_loses_its_lease_never_runs_beside_the_next_run(
        two: tuple[PostgresStore, PostgresStore], postgres_url: str) -> None:
    """The first process's lock connection falls in the middle of a long run, while both
    processes ask for the lease (whichever takes it runs the job next): the first run is
    cancelled before the next begins."""
    events: list[str] = []
    started, again = asyncio.Event(), asyncio.Event()

    def job(who: str) -> Job:
        async def run() -> None:
            events.append(f"{who} starts")
            (again if started.is_set() else started).set()
            try:
                await asyncio.Event().wait()  # a long run: it ends only if cancelled
            finally:
                events.append(f"{who} stops")
        return Job("digest", timedelta(hours=1), run)

    schedulers = [Scheduler(store) for store in two]
    for scheduler, who in zip(schedulers, ["first", "second"], strict=True):
        scheduler.add(job(who))
    schedulers[0].start()
    try:
        await asyncio.wait_for(started.wait(), timeout=10)
        schedulers[1].start()
        await cut_off(postgres_url, "job:digest")
        await asyncio.wait_for(again.wait(), timeout=20)
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
    assert events[:2] == ["first starts", "first stops"]
    assert events[2] in {"first starts", "second starts"}


async def test_a_write_under_a_lock_lost_midway_writes_nothing(
        two: tuple[PostgresStore, PostgresStore], postgres_url: str) -> None:
    """Inside a conversation's block, the lock connection falls, and another process takes
    the lock and writes the conversation: the first process's write, made afterwards, is
    refused whole (``LostLock``) rather than overwriting it."""
    first, second = two
    key = ConversationKey(platform=Platform("slack"), room_id=RoomId("D1"),
                          user_id=UserId("U1"))

    def turn(event: str, state: str) -> TurnWrite:
        return TurnWrite(conversation=Conversation(key=key, flow="story", state=state,
                                                   updated_at=datetime.now(UTC)),
                         platform=key.platform, event_id=EventId(event))

    async with first.exclusive(f"conversation:{key}") as mine:
        assert mine
        assert await first.save_turn(turn("$1", "situation"))  # held: written
        await cut_off(postgres_url, f"conversation:{key}")
        async with second.exclusive(f"conversation:{key}") as theirs:
            assert theirs
            assert await second.save_turn(turn("$2", "tried"))
        with pytest.raises(LostLock):
            await first.save_turn(turn("$3", "consent"))
    loaded = await second.load_turn(key, EventId("$3"))
    assert loaded.conversation is not None and loaded.conversation.state == "tried"
    assert not loaded.seen  # the refused turn's event was not noted either: it may come again


class CutOffMidTurn(Wrapped):
    """A real store whose lock connection is ended (by the server) once, between loading a
    conversation and saving its turn: the worst moment."""

    def __init__(self, store: PostgresStore, url: str) -> None:
        super().__init__(store)
        self.url, self.cut = url, False

    async def load_turn(self, key: ConversationKey, event_id: EventId | None) -> Loaded:
        loaded = await self.store.load_turn(key, event_id)
        if not self.cut:
            self.cut = True
            await cut_off(self.url, f"conversation:{key}")
        return loaded


async def test_a_message_whose_lock_fell_midway_is_not_applied_and_the_person_is_told(
        two: tuple[PostgresStore, PostgresStore], postgres_url: str) -> None:
    """What the person sees: a kind "send that again"; nothing of that message stored; the
    next message carries on from where they were."""
    first, _ = two
    reference = Chat(compose(Config(), first, pseudonymise=PSEUDONYMS).app)
    await reference.say("hi")
    cut = CutOffMidTurn(first, postgres_url)
    chat = Chat(compose(Config(), cut, pseudonymise=PSEUDONYMS).app)
    [sorry] = await chat.say("yes")
    assert cut.cut
    assert "Could you send that again" in sorry.text
    loaded = await first.load_turn(chat.key, None)
    assert loaded.conversation is not None and loaded.conversation.state == "welcome"
    [asked] = await chat.say("yes")
    assert "Before you tell me anything" in asked.text
