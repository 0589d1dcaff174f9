"""The storage contract for safeguarding alerts and missed stories, over every store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.types import (
    Alert,
    AuditEntry,
    EventId,
    MissedStory,
    Platform,
    UserId,
    Verdict,
)
from storage.base import Store

pytestmark = pytest.mark.store_contract

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEST = Platform("test")


def alert(who: str = "@a", event: str | None = "$1", **extra: object) -> Alert:
    return Alert(at=T0, platform=TEST, participant=UserId(who),
                 event_id=EventId(event) if event else None, concern="self-harm",
                 text="I hurt myself, ring me on [phone number]", **extra)


def missed(who: str = "@a", story_id: int = 4) -> MissedStory:
    return MissedStory(at=T0, platform=TEST, participant=UserId(who), story_id=story_id,
                       concern="abuse", text="He hits me.", marked_by="test:@mod")


def entry(action: str) -> AuditEntry:
    return AuditEntry(at=T0, actor="test:@mod", action=action)


async def test_an_alert_is_stored_with_a_new_number_and_read_back(store: Store) -> None:
    first = await store.record_alert(alert(event="$1"))
    second = await store.record_alert(alert(event="$2", source="model", score=0.91))
    assert first.id is not None and second.id is not None and second.id > first.id
    assert await store.get_alert(first.id) == first
    got = await store.get_alert(second.id)
    assert got is not None and (got.source, got.score) == ("model", 0.91)
    assert (first.source, first.score, first.verdict) == ("rules", None, None)
    assert [a.id for a in await store.recent_alerts()] == [second.id, first.id]


async def test_the_same_event_raises_one_alert(store: Store) -> None:
    first = await store.record_alert(alert(event="$1"))
    again = await store.record_alert(alert(event="$1"))
    assert again == first
    assert len(await store.recent_alerts()) == 1


async def test_a_verdict_is_saved_with_its_audit_entry(store: Store) -> None:
    saved = await store.record_alert(alert())
    judged = saved.model_copy(update={"verdict": Verdict.FALSE_ALARM, "verdict_by": "test:@mod",
                                      "verdict_at": T0 + timedelta(hours=1)})
    await store.judge_alert(judged, entry("alert false alarm"))
    assert saved.id is not None and await store.get_alert(saved.id) == judged
    assert await store.judged_alerts() == [judged]
    assert [e.action for e in await store.audit_entries()] == ["alert false alarm"]


async def test_a_missed_story_is_stored_once_per_story(store: Store) -> None:
    saved = await store.mark_missed(missed(), entry("story missed"))
    assert saved.id is not None
    assert await store.missed_of_story(4) == saved
    assert await store.missed_of_story(5) is None
    assert await store.missed_stories() == [saved]


async def test_forgetting_a_person_erases_their_alerts_and_labels(store: Store) -> None:
    await store.record_alert(alert("@a", "$1"))
    other = await store.record_alert(alert("@b", "$2"))
    await store.mark_missed(missed("@a", 4), entry("story missed"))
    kept = await store.mark_missed(missed("@b", 5), entry("story missed"))
    await store.forget(TEST, UserId("@a"), None, entry("erasure"))
    assert await store.recent_alerts() == [other]
    assert await store.missed_stories() == [kept]


async def test_an_erased_alert_number_is_never_given_again(store: Store) -> None:
    first = await store.record_alert(alert("@a", "$1"))
    await store.forget(TEST, UserId("@a"), None, entry("erasure"))
    second = await store.record_alert(alert("@b", "$2"))
    assert first.id is not None and second.id is not None and second.id > first.id


async def test_a_deleted_message_leaves_its_alert_without_words(store: Store) -> None:
    first = await store.record_alert(alert("@a", "$1"))
    other = await store.record_alert(alert("@a", "$2"))
    await store.unsay_alert(TEST, EventId("$1"))
    assert first.id is not None and other.id is not None
    assert await store.get_alert(first.id) == first.model_copy(update={"text": None})
    assert await store.get_alert(other.id) == other
