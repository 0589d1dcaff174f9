"""The storage contract, run against every store; then what only SQLite has to prove."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.errors import SchemaTooNewError
from bot.core.types import (
    AuditEntry,
    Consent,
    Conversation,
    ConversationKey,
    DigestRecord,
    DigestStatus,
    EventId,
    Platform,
    Role,
    RoomId,
    Story,
    StoryStatus,
    UserId,
)
from storage.base import Store, TurnWrite
from storage.migrations import LATEST
from storage.sqlite import SQLiteStore

pytestmark = pytest.mark.store_contract

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
KEY = ConversationKey(platform=Platform("test"), room_id=RoomId("!r"), user_id=UserId("@a"))


def conversation(state: str = "situation", **answers: str) -> Conversation:
    return Conversation(key=KEY, flow="story", state=state, answers=dict(answers),
                        history=["welcome", "consent"], updated_at=T0)


def story(situation: str = "It was slow.", at: datetime = T0, **extra: object) -> Story:
    return Story(platform=Platform("test"), participant=UserId("@a"), flow="story",
                 situation=situation, role=Role.CITIZEN, themes=("access", "my own"),
                 consent=Consent(store=True, wording_version="v1", given_at=at),
                 created_at=at, updated_at=at, **extra)


def audit_entry() -> AuditEntry:
    return AuditEntry(at=T0, actor="tester", action="test")


def turn(conv: Conversation, event: str | None, story: Story | None = None) -> TurnWrite:
    return TurnWrite(conv, Platform("test"), EventId(event) if event else None, story)


async def test_a_saved_conversation_loads_back_as_it_was(store: Store) -> None:
    conv = conversation(situation="phones", consent="yes")
    assert await store.save_turn(turn(conv, "$1"))
    loaded = await store.load_turn(KEY, EventId("$2"))
    assert not loaded.seen and loaded.conversation == conv


async def test_an_event_is_processed_once(store: Store) -> None:
    assert await store.save_turn(turn(conversation("tried"), "$1"))
    assert (await store.load_turn(KEY, EventId("$1"))).seen
    assert not await store.save_turn(turn(conversation("outcome"), "$1"))
    loaded = await store.load_turn(KEY, None)
    assert loaded.conversation is not None and loaded.conversation.state == "tried"


async def test_a_finished_turn_stores_its_story_with_its_themes(store: Store) -> None:
    assert await store.save_turn(turn(conversation("done"), "$1", story(tried="a rota")))
    [saved] = await store.list_stories()
    assert saved.id is not None and saved.tried == "a rota"
    assert saved.themes == ("access", "my own") and saved.status is StoryStatus.PENDING
    assert saved.model_copy(update={"id": None}) == story(tried="a rota")


async def test_stories_filter_by_status_and_date(store: Store) -> None:
    for n, when in enumerate((T0, T0 + timedelta(days=8))):
        await store.save_turn(turn(conversation(), f"$s{n}", story(f"story {n}", when)))
    assert [s.situation for s in await store.list_stories(since=T0 + timedelta(days=1))] == [
        "story 1"]
    assert await store.list_stories(status=StoryStatus.APPROVED) == []
    assert len(await store.list_stories(status=StoryStatus.PENDING)) == 2


async def test_adapter_state_round_trips(store: Store) -> None:
    assert await store.get_value("matrix.next_batch") is None
    await store.set_value("matrix.next_batch", "s1")
    await store.set_value("matrix.next_batch", "s2")
    assert await store.get_value("matrix.next_batch") == "s2"
    await store.set_value("matrix.next_batch", "s3", durable=False)  # bookkeeping, lightly
    assert await store.get_value("matrix.next_batch") == "s3"


async def test_an_erased_story_id_is_never_given_again(store: Store) -> None:
    """Story 3 was the newest when its teller asked to be forgotten; a digest or a moderator
    may still know it as 3, so the next story is 4."""
    ann, bob = UserId("@ann"), UserId("@bob")
    for n, teller in enumerate((ann, bob, bob, UserId("@cat"))):
        if n == 3:
            assert await store.forget(Platform("test"), bob, None, audit_entry()) == 2
        await store.save_turn(turn(conversation(), None, story(f"story {n}").model_copy(
            update={"participant": teller})))
    assert [(s.id, s.situation) for s in await store.list_stories()] == [
        (1, "story 0"), (4, "story 3")]
    assert await store.get_story(3) is None


async def test_the_consent_keeps_the_language_it_was_given_in(store: Store) -> None:
    welsh = story().consent.model_copy(update={"locale": "cy"})
    await store.save_turn(turn(conversation(), None, story().model_copy(update={"consent": welsh})))
    [saved] = await store.list_stories()
    assert saved.consent.locale == "cy"
    assert saved.id is not None and await store.get_story(saved.id) == saved


async def test_a_new_digest_is_numbered_with_its_stories_and_outbox(store: Store) -> None:
    first = await store.save_digest(DigestRecord(created_at=T0))
    second = await store.save_digest(
        DigestRecord(status=DigestStatus.APPROVED, created_at=T0, decided_at=T0),
        audit_entry(), story_ids=(7, 8), outbox=((Platform("test"), "!staff"),))
    assert first.id is not None and second.id is not None and second.id != first.id
    assert await store.get_digest(second.id) == second
    assert await store.carried_story_ids() == {7, 8}
    assert [(i.digest_id, i.room_id) for i in await store.unsent()] == [(second.id, "!staff")]
    assert [e.action for e in await store.audit_entries()] == ["test"]


async def test_many_turns_at_once_are_all_written(store: Store) -> None:
    import asyncio

    keys = [KEY.model_copy(update={"user_id": UserId(f"@u{n}")}) for n in range(50)]
    convs = [conversation().model_copy(update={"key": k}) for k in keys]
    results = await asyncio.gather(
        *(store.save_turn(turn(c, f"$m{n}")) for n, c in enumerate(convs)),
        store.save_turn(turn(convs[0], "$m0")))
    assert sorted(results) == [False] + [True] * 50
    assert results[0] != results[-1], "the same event is written once, by either"
    for k in keys:
        assert (await store.load_turn(k, None)).conversation is not None


async def test_stories_finished_together_each_get_their_own_id_and_themes(
        store: Store) -> None:
    import asyncio

    tellers = [UserId(f"@t{n}") for n in range(5)]
    await asyncio.gather(*(
        store.save_turn(TurnWrite(
            conversation("done").model_copy(update={"key": KEY.model_copy(update={"user_id": u})}),
            Platform("test"), EventId(f"$s{n}"),
            story(f"Story {n}").model_copy(update={"participant": u, "themes": (f"t{n}",)})))
        for n, u in enumerate(tellers)))
    stored = await store.list_stories()
    assert sorted(s.id for s in stored if s.id is not None) == [1, 2, 3, 4, 5]
    assert {(s.participant, s.situation, s.themes) for s in stored} == {
        (u, f"Story {n}", (f"t{n}",)) for n, u in enumerate(tellers)}


# SQLite only
async def test_migrations_build_the_schema_from_an_empty_file(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "new.db")
    await store.open()
    assert await store.schema_version() == LATEST
    await store.close()
    with sqlite3.connect(tmp_path / "new.db") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"participants", "conversations", "stories", "story_themes",
            "processed_events"} <= tables
    assert mode == "wal"


async def test_opening_twice_does_not_migrate_again(tmp_path: Path) -> None:
    for _ in range(2):
        store = SQLiteStore(tmp_path / "again.db")
        await store.open()
        await store.save_turn(turn(conversation(), None, story()))
        await store.close()
    store = SQLiteStore(tmp_path / "again.db")
    await store.open()
    assert len(await store.list_stories()) == 2
    await store.close()


async def test_a_database_from_a_newer_storyloop_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(SchemaTooNewError, match="upgrade storyloop"):
        await SQLiteStore(path).open()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1


async def test_a_failing_turn_writes_nothing_and_the_store_carries_on(
        sqlite_store: SQLiteStore) -> None:
    broken = Consent.model_construct(store=True, wording_version=None, given_at=T0)  # type: ignore[arg-type]
    bad = story().model_copy(update={"consent": broken})  # breaks a NOT NULL constraint
    with pytest.raises(sqlite3.IntegrityError):
        await sqlite_store.save_turn(turn(conversation("done"), "$bad", bad))
    assert not (await sqlite_store.load_turn(KEY, EventId("$bad"))).seen
    assert (await sqlite_store.load_turn(KEY, None)).conversation is None
    assert await sqlite_store.save_turn(turn(conversation(), "$good"))


async def test_a_light_write_is_kept_and_the_turns_after_it_are_durable_again(
        tmp_path: Path) -> None:
    path = tmp_path / "light.db"
    store = SQLiteStore(path)
    await store.open()
    await store.set_value("matrix.next_batch", "s9", durable=False)
    synchronous = await store._writes.run(
        lambda db: db.execute("PRAGMA synchronous").fetchone()[0])
    assert synchronous == 2, "FULL: a turn written next waits for the disk"
    await store.close()
    again = SQLiteStore(path)
    await again.open()
    assert await again.get_value("matrix.next_batch") == "s9"
    await again.close()


async def test_an_old_event_is_refused_even_when_memory_has_forgotten_it(
        sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    for n in range(12):  # more events than the store remembers per conversation
        assert await sqlite_store.save_turn(turn(conversation(f"s{n}"), f"$old{n}"))
    assert not (await sqlite_store.load_turn(KEY, EventId("$old0"))).seen  # only the key knows
    assert not await sqlite_store.save_turn(turn(conversation("replayed"), "$old0"))
    reopened = SQLiteStore(tmp_path / "stories.db")
    await reopened.open()
    loaded = await reopened.load_turn(KEY, EventId("$old0"))
    await reopened.close()
    assert loaded.seen and loaded.conversation is not None
    assert loaded.conversation.state == "s11"


async def test_closing_the_store_ends_its_write_thread(tmp_path: Path) -> None:
    import threading

    store = SQLiteStore(tmp_path / "t.db")
    await store.open()
    assert any(t.name.startswith("storyloop-sqlite") for t in threading.enumerate())
    await store.close()
    assert not any(t.name.startswith("storyloop-sqlite") for t in threading.enumerate())
