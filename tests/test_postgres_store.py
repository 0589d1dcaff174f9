"""What only the PostgreSQL store has to prove (the contract suites run it with the others):
its migrations, in the same numbered sequence as SQLite's; a failed write leaving nothing;
two stores on one database (as two processes would be) writing an event once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.core.errors import SchemaTooNewError, StorageError
from bot.core.types import Alert, AuditEntry, Consent, EventId, Platform, UserId
from storage.migrate import migrate, schema_version
from storage.migrations import LATEST, MIGRATIONS, POSTGRESQL, SQLITE, Migration
from storage.open import open_store
from storage.postgres import PostgresStore
from storage.postgres_migrations import MIGRATIONS as POSTGRES_MIGRATIONS
from storage.postgres_migrations import STATEMENTS
from storage.sqlite import SQLiteStore
from tests.postgres import Cluster

from .test_storage import KEY, T0, conversation, story, turn


@pytest.fixture
def empty(postgres: Cluster) -> Iterator[str]:
    """A database with nothing in it yet: its URL."""
    with postgres.database(migrated=False) as url:
        yield url


def opened(url: str) -> PostgresStore:
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    return store


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as db:
        return {r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_every_numbered_migration_has_its_postgresql_twin() -> None:
    lacking = sorted({m.version for m in MIGRATIONS} - set(STATEMENTS))
    assert not lacking, (f"migrations {lacking} have no PostgreSQL statements: write them in "
                         "storage/postgres_migrations.py under the same numbers")
    assert sorted(STATEMENTS) == [m.version for m in MIGRATIONS]


async def test_both_dialects_make_the_same_tables_and_columns(
        postgres_url: str, tmp_path: Path) -> None:
    """The twins agree: a column one has and the other lacks would fail only at run time."""
    path = tmp_path / "s.db"
    sqlite_store = SQLiteStore(path)
    await sqlite_store.open()
    await sqlite_store.close()
    with sqlite3.connect(path) as lite:
        names = [r[0] for r in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        in_sqlite = {(t, r[1]) for t in names
                     for r in lite.execute(f"PRAGMA table_info({t})")}
    lite.close()
    with psycopg.connect(postgres_url) as db:
        in_postgres = {(t, c) for t, c in db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name <> 'storyloop_schema'")}
    rowid = ("introduction_sides", "rowid")  # SQLite's own, a column in PostgreSQL
    assert rowid in in_postgres and in_postgres - {rowid} == in_sqlite


async def test_an_empty_database_is_migrated_once_and_keeps_what_is_written(
        empty: str) -> None:
    for n in range(2):
        store = opened(empty)
        await store.open()
        assert await store.schema_version() == LATEST
        assert await store.save_turn(turn(conversation(), f"$e{n}", story(f"Story {n}")))
        await store.close()
    assert {"participants", "stories", "reply_outbox", "follow_ups",
            "storyloop_schema"} <= tables(empty)
    store = opened(empty)
    await store.open()
    try:
        assert [s.situation for s in await store.list_stories()] == ["Story 0", "Story 1"]
    finally:
        await store.close()


async def test_two_processes_starting_at_once_migrate_one_after_the_other(
        empty: str) -> None:
    stores = [opened(empty), opened(empty)]
    await asyncio.gather(*(s.open() for s in stores))
    try:
        assert [await s.schema_version() for s in stores] == [LATEST, LATEST]
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_a_database_from_a_newer_storyloop_is_refused_untouched(empty: str) -> None:
    with psycopg.connect(empty, autocommit=True) as db:
        migrate(db, POSTGRESQL, migrations=POSTGRES_MIGRATIONS)
        db.execute(f"UPDATE storyloop_schema SET version = {LATEST + 1}")
    with pytest.raises(SchemaTooNewError, match="upgrade storyloop"):
        await opened(empty).open()
    with psycopg.connect(empty) as db:
        assert schema_version(db, POSTGRESQL) == LATEST + 1


def test_a_migration_without_its_postgresql_twin_is_refused_before_any_runs(
        empty: str) -> None:
    future = Migration(LATEST + 1, "only for SQLite", {SQLITE: ("SELECT 1",)})
    with psycopg.connect(empty, autocommit=True) as db:
        with pytest.raises(StorageError, match=rf"migrations \[{LATEST + 1}\] have no "
                                               "statements for postgresql"):
            migrate(db, POSTGRESQL, migrations=(*POSTGRES_MIGRATIONS, future))
        assert schema_version(db, POSTGRESQL) == 0


async def test_a_version_4_database_upgrades_with_its_stories(empty: str) -> None:
    with psycopg.connect(empty, autocommit=True) as db:
        assert migrate(db, POSTGRESQL, migrations=POSTGRES_MIGRATIONS[:4]) == 4
        db.execute("INSERT INTO participants (platform, user_id, created_at) "
                   "VALUES ('test', '@a', now())")
        db.execute("INSERT INTO stories (participant_id, flow, situation, role, consent_store, "
                   "consent_version, consent_at, status, created_at, updated_at, acted_name) "
                   "SELECT id, 'story', 'Before', 'staff', true, 'v1', %s, 'approved', %s, "
                   "%s, 'Sam' FROM participants", (T0, T0, T0))
    store = opened(empty)
    await store.open()
    try:
        assert await store.schema_version() == LATEST
        [before] = await store.list_stories()
        assert (before.id, before.acted_name, before.consent.locale) == (1, "Sam", "en")
        assert await store.save_turn(turn(conversation(), "$new", story("After")))
        assert [s.id for s in await store.list_stories()] == [1, 2]
    finally:
        await store.close()


async def test_the_audit_log_and_what_changed_are_append_only(postgres_url: str) -> None:
    store = opened(postgres_url)
    await store.open()
    await store.audit(AuditEntry(at=T0, actor="tester", action="test"))
    await store.close()
    with psycopg.connect(postgres_url) as db:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            db.execute("UPDATE audit_log SET actor = 'someone else'")
        db.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            db.execute("DELETE FROM audit_log")


async def test_a_failing_turn_writes_nothing_and_the_store_carries_on(
        postgres_url: str) -> None:
    store = opened(postgres_url)
    await store.open()
    try:
        broken = Consent.model_construct(store=True, wording_version=None, given_at=T0)  # type: ignore[arg-type]
        bad = story().model_copy(update={"consent": broken})  # breaks a NOT NULL constraint
        with pytest.raises(psycopg.errors.NotNullViolation):
            await store.save_turn(turn(conversation("done"), "$bad", bad))
        assert not (await store.load_turn(KEY, EventId("$bad"))).seen
        assert (await store.load_turn(KEY, None)).conversation is None
        assert await store.save_turn(turn(conversation(), "$good"))
    finally:
        await store.close()


async def test_two_stores_on_one_database_write_an_event_once(postgres_url: str) -> None:
    """As two workers would: each has its own pool; the event's key decides."""
    stores = [opened(postgres_url), opened(postgres_url)]
    await asyncio.gather(*(s.open() for s in stores))
    try:
        written = await asyncio.gather(*(
            s.save_turn(turn(conversation("done"), f"$e{n}", story(f"Told {n}")))
            for n in range(20) for s in stores))
        assert written.count(True) == 20
        assert sorted(s.id or 0 for s in await stores[0].list_stories()) == list(range(1, 21))
        noted = await asyncio.gather(*(
            s.record_event(Platform("test"), EventId("$reaction"), T0) for s in stores))
        assert sorted(noted) == [False, True]
        alerts = await asyncio.gather(*(s.record_alert(_alert()) for s in stores))
        assert alerts[0] == alerts[1] and alerts[0].id is not None
    finally:
        await asyncio.gather(*(s.close() for s in stores))


def _alert() -> Alert:
    return Alert(at=T0, platform=Platform("test"), participant=UserId("@a"),
                 event_id=EventId("$worry"), concern="self-harm", text="[redacted]")
