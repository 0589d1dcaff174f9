"""The reply outbox's storage contract, run against every store: replies are written with the
turn that owes them, come back in order, are deleted once sent, and go when their person is
forgotten; then what only SQLite has to prove (they survive a restart, sent words are gone)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.types import EventId, OutgoingMessage, Platform, RoomId, UserId
from storage.base import Store, TurnWrite
from storage.sqlite import SQLiteStore

from .test_storage import KEY, T0, audit_entry, conversation

TEST = Platform("test")
MODS = RoomId("!mods")


def said(*texts: str, room: RoomId = KEY.room_id) -> tuple[OutgoingMessage, ...]:
    return tuple(OutgoingMessage(room_id=room, text=t) for t in texts)


def turn(event: str | None, *replies: OutgoingMessage, state: str = "situation") -> TurnWrite:
    return TurnWrite(conversation(state), TEST, EventId(event) if event else None,
                     replies=replies)


async def texts(store: Store, room: RoomId | None = None) -> list[str]:
    return [r.message.text for r in await store.pending_replies(TEST, room)]


async def test_replies_are_written_with_their_turn_and_come_back_in_order(store: Store) -> None:
    assert await store.save_turn(turn("$1", *said("Thank you.", "What's been happening?")))
    assert await store.save_turn(turn("$2", *said("Has anyone tried?"),
                                      *said("Someone may need care.", room=MODS)))
    assert await texts(store) == ["Thank you.", "What's been happening?", "Has anyone tried?",
                                  "Someone may need care."]
    assert await texts(store, KEY.room_id) == [
        "Thank you.", "What's been happening?", "Has anyone tried?"]
    assert await texts(store, MODS) == ["Someone may need care."]
    assert await store.pending_replies(Platform("other")) == []


async def test_a_sent_reply_is_gone_and_the_next_one_is_first(store: Store) -> None:
    await store.save_turn(turn("$1", *said("one", "two", "three")))
    first, second, _ = await store.pending_replies(TEST)
    await store.reply_sent(second.id)
    await store.reply_sent(first.id)
    await store.reply_sent(first.id)  # confirmed twice (a retry): harmless
    assert await texts(store) == ["three"]


async def test_each_reply_has_its_own_delivery_id_the_same_on_every_load(store: Store) -> None:
    await store.save_turn(turn("$1", *said("one", "one")))
    once = [r.delivery_id for r in await store.pending_replies(TEST)]
    again = [r.delivery_id for r in await store.pending_replies(TEST, KEY.room_id)]
    assert once == again and len(set(once)) == 2
    await store.reply_sent((await store.pending_replies(TEST))[0].id)
    await store.save_turn(turn("$2", *said("two")))
    newest = (await store.pending_replies(TEST))[-1]
    assert newest.delivery_id not in once


async def test_a_duplicate_turn_writes_no_replies(store: Store) -> None:
    assert await store.save_turn(turn("$1", *said("once")))
    assert not await store.save_turn(turn("$1", *said("once"), state="tried"))
    assert await texts(store) == ["once"]


async def test_a_noted_event_writes_its_replies_once(store: Store) -> None:
    offer = said("Shall we talk in a direct chat?", room=RoomId("!group"))
    assert await store.record_event(TEST, EventId("$g"), T0, offer)
    assert not await store.record_event(TEST, EventId("$g"), T0, offer)
    assert await texts(store) == ["Shall we talk in a direct chat?"]


async def test_forgetting_a_person_erases_their_unsent_replies_not_others(
        store: Store) -> None:
    await store.save_turn(turn("$1", *said("You said: my GP never calls back."),
                               *said("Someone may need care.", room=MODS)))
    other = conversation().model_copy(update={"key": KEY.model_copy(
        update={"user_id": UserId("@b"), "room_id": RoomId("!b")})})
    await store.save_turn(TurnWrite(other, TEST, EventId("$2"),
                                    replies=said("Hello Bea.", room=RoomId("!b"))))
    confirm = said("I've erased everything.")
    await store.forget(TEST, KEY.user_id, EventId("$3"), audit_entry(), confirm)
    assert await texts(store) == ["Someone may need care.", "Hello Bea.",
                                  "I've erased everything."]


# SQLite only
async def test_unsent_replies_survive_a_restart_and_sent_words_are_not_kept(
        tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    store = SQLiteStore(path)
    await store.open()
    await store.save_turn(turn("$1", *said("You said: the phone line is engaged.", "Next?")))
    await store.close()
    store = SQLiteStore(path)
    await store.open()
    first, second = await store.pending_replies(TEST)
    assert (first.message.text, second.message.text) == (
        "You said: the phone line is engaged.", "Next?")
    await store.reply_sent(first.id)
    await store.close()
    with sqlite3.connect(path) as db:
        kept = [row[0] for row in db.execute("SELECT message FROM reply_outbox")]
    assert len(kept) == 1 and "phone line" not in kept[0] and "Next?" in kept[0]
