"""Leases and exclusive sections across processes on one PostgreSQL database: two stores on
one database, as two workers would be (``storage/postgres_locks.py``); and two Apps on it
never applying two messages of one conversation at once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from bot.app import App
from bot.compose import compose
from bot.core.config import Config
from bot.core.types import ConversationKey, EventId
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


class Watched:
    """A real store, watched: how many applications of one conversation (from loading it to
    saving it) are under way at once, across every store it watches."""

    inside = 0
    most = 0

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

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
