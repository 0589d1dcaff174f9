"""The storage contract for responses and changes, run against every store: numbered, kept
with their audit entry and the notice to the teller (theirs in the reply outbox), erased
with their story; then what only SQLite has to prove (changes are append-only)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.core.loop import ChangeStatus, Response, StoryChange
from bot.core.types import AuditEntry, OutgoingMessage, Platform, RoomId, UserId
from storage.base import Store
from storage.ports import Notice
from storage.sqlite import SQLiteStore

from .test_storage import KEY, T0, conversation, story, turn

pytestmark = pytest.mark.store_contract

TEST = Platform("test")


async def told(store: Store, *situations: str) -> list[int]:
    for n, situation in enumerate(situations):
        await store.save_turn(turn(conversation("done"), f"$s{n}", story(situation)))
    return [s.id for s in await store.list_stories() if s.id is not None]


def response(story_id: int, text: str = "Thank you; we have added a call-back list.",
             at_minutes: int = 0) -> Response:
    return Response(story_id=story_id, at=T0 + timedelta(minutes=at_minutes),
                    by="test:@pals", signed="Riverside PALS", text=text, relayed=True)


def change(story_id: int, status: ChangeStatus = ChangeStatus.MADE,
           what: str = "A call-back list", at_minutes: int = 0) -> StoryChange:
    return StoryChange(story_id=story_id, at=T0 + timedelta(minutes=at_minutes),
                       by="test:@mod", status=status, what=what)


def entry(action: str) -> AuditEntry:
    return AuditEntry(at=T0, actor="test:@mod", action=action, target="story #1")


def notice(text: str) -> Notice:
    return Notice(TEST, KEY.user_id, OutgoingMessage(room_id=KEY.room_id, text=text))


async def test_responses_are_numbered_audited_and_queued_for_the_teller(store: Store) -> None:
    first, second = await told(store, "Phones engaged.", "No parking.")
    saved = await store.add_response(response(first), entry("respond"), notice("Relayed."))
    await store.add_response(response(second, "We are looking at parking.", 1), entry("respond"))
    assert saved.id == 1 and saved.signed == "Riverside PALS"
    assert [r.text for r in await store.responses_to([first])] == [
        "Thank you; we have added a call-back list."]
    assert [r.story_id for r in await store.responses_to()] == [first, second]
    assert [e.action for e in await store.audit_entries()] == ["respond", "respond"]
    [queued] = await store.pending_replies(TEST)
    assert queued.message.text == "Relayed." and queued.message.room_id == KEY.room_id


async def test_changes_come_back_in_order_and_by_time(store: Store) -> None:
    [first] = await told(store, "Phones engaged.")
    await store.add_change(change(first, ChangeStatus.PLANNED, "A call-back list"),
                           entry("change planned"))
    await store.add_change(change(first, what="A call-back list, every morning",
                                  at_minutes=60), entry("change made"), notice("Changed."))
    changes = await store.changes_to([first])
    assert [(c.id, c.status) for c in changes] == [(1, ChangeStatus.PLANNED),
                                                   (2, ChangeStatus.MADE)]
    assert [c.id for c in await store.changes_to(since=T0 + timedelta(minutes=30))] == [2]
    assert await store.changes_to([first + 1]) == []


async def test_forgetting_the_teller_erases_responses_changes_and_unsent_notices(
        store: Store) -> None:
    [first] = await told(store, "Phones engaged.")
    await store.add_response(response(first), entry("respond"), notice("Relayed."))
    await store.add_change(change(first), entry("change made"), notice("Changed."))
    await store.forget(TEST, UserId("@a"), None, entry("erasure"))
    assert await store.responses_to() == [] and await store.changes_to() == []
    assert await store.pending_replies(TEST, KEY.room_id) == []


async def test_retention_that_deletes_a_story_deletes_what_answered_it(store: Store) -> None:
    [first] = await told(store, "Phones engaged.")
    await store.add_response(response(first), entry("respond"))
    await store.add_change(change(first), entry("change made"))
    await store.retire_stories(T0, delete=True, entry=entry("retention"))  # none older
    assert len(await store.responses_to()) == 1 and len(await store.changes_to()) == 1
    await store.retire_stories(T0 + timedelta(days=1), delete=True, entry=entry("retention"))
    assert await store.responses_to() == [] and await store.changes_to() == []


async def test_a_change_cannot_be_edited_or_deleted_while_its_story_is_kept(
        sqlite_store: SQLiteStore) -> None:
    [first] = await told(sqlite_store, "Phones engaged.")
    await sqlite_store.add_change(change(first), entry("change made"))
    with sqlite3.connect(sqlite_store.path) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE story_changes SET what = 'something else'")
        with pytest.raises(sqlite3.IntegrityError, match="kept while its story is"):
            db.execute("DELETE FROM story_changes")
    [kept] = await sqlite_store.changes_to()
    assert kept.what == "A call-back list"


async def test_responses_survive_a_restart(sqlite_store: SQLiteStore) -> None:
    [first] = await told(sqlite_store, "Phones engaged.")
    await sqlite_store.add_response(response(first), entry("respond"), notice("Relayed."))
    await sqlite_store.close()
    again = SQLiteStore(sqlite_store.path)
    await again.open()
    try:
        [kept] = await again.responses_to([first])
        assert kept.relayed and kept.at == T0
        [queued] = await again.pending_replies(TEST, RoomId(KEY.room_id))
        assert queued.message.text == "Relayed."
    finally:
        await again.close()
