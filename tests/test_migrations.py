"""The migration runner, and migration 5 on a database the previous storyloop made."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.errors import SchemaTooNewError, StorageError
from bot.core.types import (
    AuditEntry,
    Consent,
    Conversation,
    ConversationKey,
    EventId,
    Platform,
    Role,
    RoomId,
    Story,
    StoryStatus,
    UserId,
)
from storage.base import TurnWrite
from storage.migrate import migrate, schema_version
from storage.migrations import LATEST, MIGRATIONS, SQLITE, Migration
from storage.sqlite import SQLiteStore

V4_DUMP = Path(__file__).parent / "data" / "storyloop-v4.sql"
"""Made by storyloop at e92fa85 (schema version 4) through its own store; see its header."""
T0 = datetime(2026, 4, 1, tzinfo=UTC)
MATRIX = Platform("matrix")


def v4_database(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(V4_DUMP.read_text())
    db.close()
    return path


@pytest.fixture
def connection() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    yield db
    db.close()


def new_story(who: str) -> TurnWrite:
    key = ConversationKey(platform=MATRIX, room_id=RoomId("!r"), user_id=UserId(who))
    story = Story(platform=MATRIX, participant=UserId(who), flow="story", situation="new",
                  role=Role.CITIZEN, themes=("digital",),
                  consent=Consent(store=True, wording_version="v3", locale="cy", given_at=T0),
                  created_at=T0, updated_at=T0)
    return TurnWrite(Conversation(key=key, flow="story", state="done", updated_at=T0), MATRIX,
                     EventId(f"$new-{who}"), story)


def tables(path: Path) -> dict[str, object]:
    """Every table's columns, foreign keys and indexes, and every trigger and index."""
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        shape: dict[str, object] = {name: (
            sorted(db.execute(f"PRAGMA table_info({name})").fetchall()),
            sorted(db.execute(f"PRAGMA foreign_key_list({name})").fetchall()),
        ) for name in names}
        shape["objects"] = db.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE "
                                      "type IN ('index', 'trigger') ORDER BY name").fetchall()
    db.close()
    return shape


def ann_key() -> ConversationKey:
    return ConversationKey(platform=MATRIX, room_id=RoomId("!roomp-ann"), user_id=UserId("p-ann"))


async def test_a_version_4_database_upgrades_with_everything_in_it(tmp_path: Path) -> None:
    store = SQLiteStore(v4_database(tmp_path / "v4.db"))
    await store.open()
    try:
        assert await store.schema_version() == LATEST == 10
        [ann, bob] = await store.list_stories()
        assert (ann.id, ann.status, ann.themes, ann.place) == (
            1, StoryStatus.APPROVED, ("access", "kindness"), "Ward 9")
        assert (bob.id, bob.acted_name, bob.themes) == (2, "Sam", ("digital",))
        assert bob.consent.digest and bob.consent.locale == "en" and not bob.consent.introduce
        assert await store.carried_story_ids() == {1}
        assert [i.room_id for i in await store.unsent()] == ["!staff"]
        assert [e.action for e in await store.audit_entries()] == [
            "erasure", "digest approve", "approve"]
        assert await store.get_value("matrix.next_batch") == "s42"
        loaded = await store.load_turn(ann_key(), EventId("$e1"))
        assert loaded.seen and loaded.conversation is not None
        assert loaded.conversation.state == "done"
    finally:
        await store.close()


async def test_after_the_upgrade_an_id_erased_before_it_stays_unused(tmp_path: Path) -> None:
    """Story 3 was erased before the upgrade, after the digest desk had told moderators of
    it: the first new story is 4."""
    store = SQLiteStore(v4_database(tmp_path / "v4.db"))
    await store.open()
    try:
        assert await store.save_turn(new_story("p-dan"))
        assert [s.id for s in await store.list_stories()] == [1, 2, 4]
        assert await store.get_story(3) is None
        erasure = AuditEntry(at=T0, actor="storyteller", action="erasure")
        assert await store.forget(MATRIX, UserId("p-dan"), None, erasure) == 1
        assert await store.save_turn(new_story("p-eve"))
        [*_, eve] = await store.list_stories()
        assert (eve.id, eve.consent.locale, eve.themes) == (5, "cy", ("digital",))
    finally:
        await store.close()


async def test_a_story_id_a_digest_carried_is_not_given_again(tmp_path: Path) -> None:
    path = v4_database(tmp_path / "v4.db")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM adapter_state WHERE key = 'digest:last_noticed_story'")
        db.execute("INSERT INTO digest_stories (digest_id, story_id) VALUES (1, 3)")
    db.close()
    store = SQLiteStore(path)
    await store.open()
    try:
        await store.save_turn(new_story("p-dan"))
        assert [s.id for s in await store.list_stories()] == [1, 2, 4]
    finally:
        await store.close()


async def test_the_upgraded_schema_is_the_one_a_new_database_gets(tmp_path: Path) -> None:
    """Also guards the rule that a shipped migration is never edited: 1 to 4 here are run
    afresh, the dump's were run by the previous storyloop."""
    for path in (v4_database(tmp_path / "old.db"), tmp_path / "new.db"):
        store = SQLiteStore(path)
        await store.open()
        await store.close()
    assert tables(tmp_path / "old.db") == tables(tmp_path / "new.db")


async def test_the_rebuilt_tables_keep_their_rules(tmp_path: Path) -> None:
    store = SQLiteStore(v4_database(tmp_path / "v4.db"))
    await store.open()
    await store.close()
    with sqlite3.connect(tmp_path / "v4.db") as db:
        db.execute("PRAGMA foreign_keys = ON")
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM audit_log")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            db.execute("INSERT INTO story_themes VALUES (99, 0, 'x')")
        db.execute("DELETE FROM stories WHERE id = 2")  # its themes go with it
        assert db.execute("SELECT story_id FROM story_themes").fetchall() == [(1,), (1,)]
        assert "AUTOINCREMENT" in db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'stories'").fetchone()[0]
    db.close()


def test_each_migration_commits_alone_and_a_failing_one_leaves_no_trace(
        connection: sqlite3.Connection) -> None:
    steps = [Migration(1, "a table", {SQLITE: ("CREATE TABLE a (x INTEGER)",)}),
             Migration(2, "fails halfway", {SQLITE: ("CREATE TABLE b (x INTEGER)",
                                                      "INSERT INTO nowhere VALUES (1)")})]
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        migrate(connection, SQLITE, migrations=steps)
    assert schema_version(connection, SQLITE) == 1
    names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert names == {"a"}


def test_a_migration_that_breaks_a_foreign_key_is_rolled_back(
        connection: sqlite3.Connection) -> None:
    steps = [Migration(1, "parent and child", {SQLITE: (
                 "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
                 "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))")}),
             Migration(2, "an orphan", {SQLITE: ("INSERT INTO child VALUES (7)",)})]
    with pytest.raises(StorageError, match=r"migration 2 .* inconsistent"):
        migrate(connection, SQLITE, migrations=steps)
    assert schema_version(connection, SQLITE) == 1
    assert connection.execute("SELECT count(*) FROM child").fetchone() == (0,)
    assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)  # restored


def test_migrations_not_written_for_the_dialect_are_refused_before_any_runs(
        connection: sqlite3.Connection) -> None:
    steps = [Migration(1, "sqlite", {SQLITE: ("CREATE TABLE a (x INTEGER)",)}),
             Migration(2, "postgresql only", {"postgresql": ("CREATE TABLE b (x INT)",)})]
    with pytest.raises(StorageError, match=r"migrations \[2\] have no statements for sqlite"):
        migrate(connection, SQLITE, migrations=steps)
    assert schema_version(connection, SQLITE) == 0


def test_a_dialect_with_no_migrations_is_named(connection: sqlite3.Connection) -> None:
    with pytest.raises(StorageError, match="'mysql'"):
        migrate(connection, "mysql")


def test_every_migration_is_written_for_sqlite_and_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST + 1))
    assert all(m.statements.get(SQLITE) for m in MIGRATIONS)


def test_a_newer_database_is_refused_untouched(connection: sqlite3.Connection) -> None:
    connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(SchemaTooNewError, match="upgrade storyloop"):
        migrate(connection, SQLITE, name="test.db")
    assert schema_version(connection, SQLITE) == LATEST + 1
    assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_migrating_twice_does_nothing_the_second_time(connection: sqlite3.Connection) -> None:
    assert migrate(connection, SQLITE) == LATEST
    before = connection.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert migrate(connection, SQLITE) == LATEST
    assert connection.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
