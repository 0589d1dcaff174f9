"""The storage contract for introductions, run against every store: ids given once, both
sides kept with their answers and lines, saved at once with the notices and the audit entry;
forgetting one side withdraws it and erases the other's line; retired stories leave it;
the consent to be introduced is kept with the story (migration 10)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.introductions import Answer, Introduction, IntroductionState, Side
from bot.core.types import AuditEntry, Consent, OutgoingMessage, RoomId, UserId
from storage.base import Store
from storage.ports import Notice
from storage.sqlite import SQLiteStore

from .test_response_storage import TEST, told
from .test_storage import T0, conversation, story, turn

pytestmark = pytest.mark.store_contract

A, B = UserId("@a"), UserId("@b")
LINE = "I'm Ann: ann@example.org"


def proposed(first: int, second: int) -> Introduction:
    return Introduction(at=T0, by="test:@mod", sides=(
        Side(story_id=first, platform=TEST, participant=A),
        Side(story_id=second, platform=TEST, participant=B)))


async def test_an_introduction_is_kept_with_both_sides_and_its_audit(store: Store) -> None:
    [first, second] = await told(store, "It was slow.", "It was slower.")
    entry = AuditEntry(at=T0, actor="test:@mod", action="introduce", target="stories #1 #2")
    saved = await store.save_introduction(proposed(first, second), entry=entry)
    assert saved.id is not None
    assert await store.introductions() == [saved]
    assert await store.introductions([IntroductionState.MADE]) == []
    [audited] = await store.audit_entries()
    assert (audited.action, audited.target) == ("introduce", "stories #1 #2")
    other = await store.save_introduction(proposed(second, first))
    assert other.id != saved.id


async def test_answers_lines_and_notices_are_saved_at_once(store: Store) -> None:
    [first, second] = await told(store, "It was slow.", "It was slower.")
    saved = await store.save_introduction(proposed(first, second))
    ann = saved.sides[0].model_copy(update={"answer": Answer.YES, "line": LINE,
                                            "asked_at": T0 + timedelta(hours=1)})
    answered = saved.with_side(ann)
    await store.save_introduction(answered)
    assert await store.introductions() == [answered]
    made = answered.model_copy(update={"state": IntroductionState.MADE, "sides": tuple(
        s.model_copy(update={"answer": Answer.YES, "line": None}) for s in answered.sides)})
    notice = Notice(TEST, B, OutgoingMessage(room_id=RoomId("!b"), text=LINE))
    await store.save_introduction(made, (notice,), AuditEntry(
        at=T0, actor="storyloop", action="introduction made"))
    assert await store.introductions() == [made]
    [queued] = await store.pending_replies(TEST)
    assert queued.message.text == LINE


async def test_forgetting_one_side_withdraws_it_and_erases_the_others_line(
        store: Store) -> None:
    [first, second] = await told(store, "It was slow.", "It was slower.")
    saved = await store.save_introduction(proposed(first, second))
    yes = saved.sides[0].model_copy(update={"answer": Answer.YES, "line": LINE})
    await store.save_introduction(saved.with_side(yes))
    await store.forget(TEST, B, None, AuditEntry(at=T0, actor="storyteller", action="erasure"))
    [withdrawn] = await store.introductions()
    assert withdrawn.state is IntroductionState.WITHDRAWN
    assert [(s.participant, s.answer, s.line) for s in withdrawn.sides] == [(A, Answer.YES, None)]
    await store.forget(TEST, A, None, AuditEntry(at=T0, actor="storyteller", action="erasure"))
    assert await store.introductions() == []


async def test_a_retired_story_leaves_its_introductions(store: Store) -> None:
    [first, second] = await told(store, "It was slow.", "It was slower.")
    await store.save_introduction(proposed(first, second))
    entry = AuditEntry(at=T0, actor="retention", action="retire")
    await store.retire_stories(T0 + timedelta(days=1), delete=False, entry=entry)
    assert await store.introductions() == []  # both stories anonymised: no side is left


async def test_the_consent_to_be_introduced_is_kept_with_the_story(store: Store) -> None:
    willing = story("We tried a call-back list.").model_copy(update={"consent": Consent(
        store=True, contact=True, introduce=True, wording_version="v1", given_at=T0)})
    await store.save_turn(turn(conversation("done"), "$w", willing))
    await told(store, "It was slow.")
    assert [s.consent.introduce for s in await store.list_stories()] == [True, False]


async def test_introductions_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    await store.open()
    [first, second] = await told(store, "It was slow.", "It was slower.")
    saved = await store.save_introduction(proposed(first, second))
    await store.close()
    again = SQLiteStore(path)
    await again.open()
    try:
        assert await again.introductions() == [saved]
    finally:
        await again.close()


async def test_a_stale_save_never_brings_back_a_forgotten_side(store: Store) -> None:
    [first, second] = await told(store, "It was slow.", "It was slower.")
    saved = await store.save_introduction(proposed(first, second))
    read_before = saved.with_side(saved.sides[0].model_copy(
        update={"answer": Answer.YES, "line": LINE}))
    await store.forget(TEST, B, None, AuditEntry(at=T0, actor="storyteller", action="erasure"))
    await store.save_introduction(read_before.model_copy(
        update={"state": IntroductionState.MADE}))  # decided on what it read before
    [after] = await store.introductions()
    assert after.state is IntroductionState.WITHDRAWN
    assert [s.participant for s in after.sides] == [A]
