"""The storage contract for follow-ups and their updates, run against every store: one per
story, states kept, a reminder written with its notice, an update recorded with its
follow-up answered, stopped by the teller, erased when they are forgotten (migration 9)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.follow_ups import FollowUp, FollowUpState, Outcome, StoryUpdate
from bot.core.types import AuditEntry, OutgoingMessage, RoomId, StoryStatus, UserId
from storage.base import Store
from storage.ports import Notice
from storage.sqlite import SQLiteStore

from .test_response_storage import TEST, told
from .test_storage import T0

pytestmark = pytest.mark.store_contract

A, B = UserId("@a"), UserId("@b")


def follow_up(story_id: int, who: UserId = A, days: int = 28) -> FollowUp:
    return FollowUp(story_id=story_id, platform=TEST, participant=who,
                    due_at=T0 + timedelta(days=days))


def update(follow: FollowUp, outcome: Outcome = Outcome.STILL_GOING) -> StoryUpdate:
    assert follow.id is not None
    return StoryUpdate(story_id=follow.story_id, follow_up_id=follow.id,
                       at=T0 + timedelta(days=29), outcome=outcome,
                       since="Mondays are calmer now.", learned="Ask the receptionists first.")


async def test_a_story_has_one_follow_up_kept_as_planned(store: Store) -> None:
    [first, second] = await told(store, "It was slow.", "It was slower.")
    planned = await store.plan_follow_up(follow_up(first))
    assert planned is not None and planned.id is not None
    assert await store.plan_follow_up(follow_up(first, days=3)) is None
    other = await store.plan_follow_up(follow_up(second))
    assert other is not None and other.id != planned.id
    assert await store.follow_ups() == [planned, other]
    assert await store.follow_ups(story_ids=[second]) == [other]
    assert await store.follow_ups([FollowUpState.ANSWERED]) == []


async def test_a_reminder_is_saved_with_its_notice_to_the_teller(store: Store) -> None:
    [story_id] = await told(store, "It was slow.")
    planned = await store.plan_follow_up(follow_up(story_id))
    assert planned is not None
    at = T0 + timedelta(days=35)
    reminded = planned.model_copy(update={"state": FollowUpState.REMINDED,
                                          "asked_at": T0 + timedelta(days=28),
                                          "reminded_at": at})
    nudge = OutgoingMessage(room_id=RoomId("!r"), text="Just checking in")
    await store.set_follow_up(reminded, Notice(TEST, A, nudge))
    assert await store.follow_ups() == [reminded]
    [queued] = await store.pending_replies(TEST)
    assert queued.message.text == "Just checking in"


async def test_an_update_is_linked_pending_and_answers_its_follow_up(store: Store) -> None:
    [story_id] = await told(store, "It was slow.")
    planned = await store.plan_follow_up(follow_up(story_id))
    assert planned is not None
    saved = await store.record_update(update(planned))
    assert saved.id is not None and saved.status is StoryStatus.PENDING
    assert await store.updates_to([story_id]) == [saved]
    assert await store.follow_ups() == []
    [answered] = await store.follow_ups([FollowUpState.ANSWERED])
    assert answered.id == planned.id
    approved = saved.model_copy(update={"status": StoryStatus.APPROVED})
    await store.judge_update(approved, AuditEntry(at=T0, actor="mod", action="approve update"))
    assert await store.updates_to() == [approved]
    assert (await store.audit_entries(1))[0].action == "approve update"


async def test_stop_follow_ups_stops_only_the_tellers_open_ones(store: Store) -> None:
    [mine, theirs] = await told(store, "It was slow.", "It was slower.")
    planned = await store.plan_follow_up(follow_up(mine))
    assert planned is not None and await store.plan_follow_up(follow_up(theirs, B))
    assert await store.stop_follow_ups(TEST, A) == 1
    assert await store.stop_follow_ups(TEST, A) == 0
    assert [f.participant for f in await store.follow_ups()] == [B]
    [stopped] = await store.follow_ups([FollowUpState.STOPPED])
    assert stopped.id == planned.id


async def test_forgetting_the_teller_erases_their_follow_ups_and_updates(store: Store) -> None:
    [story_id] = await told(store, "It was slow.")
    planned = await store.plan_follow_up(follow_up(story_id))
    assert planned is not None
    await store.record_update(update(planned))
    await store.forget(TEST, A, None, AuditEntry(at=T0, actor="storyteller", action="erasure"))
    states = list(FollowUpState)
    assert await store.follow_ups(states) == [] and await store.updates_to() == []


async def test_retired_stories_are_no_longer_followed_up(store: Store) -> None:
    [story_id] = await told(store, "It was slow.")
    planned = await store.plan_follow_up(follow_up(story_id))
    assert planned is not None
    await store.record_update(update(planned))
    await store.plan_follow_up(follow_up(story_id))
    entry = AuditEntry(at=T0, actor="retention", action="retire")
    await store.retire_stories(T0 + timedelta(days=1), delete=False, entry=entry)
    assert await store.follow_ups(list(FollowUpState)) == []
    assert len(await store.updates_to()) == 1  # anonymised: the story and its update stay


async def test_follow_ups_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    await store.open()
    [story_id] = await told(store, "It was slow.")
    planned = await store.plan_follow_up(follow_up(story_id))
    assert planned is not None
    await store.close()
    again = SQLiteStore(path)
    await again.open()
    try:
        assert await again.follow_ups() == [planned]
    finally:
        await again.close()


