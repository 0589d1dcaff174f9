"""The memory store's follow-ups and the updates they bring (``storage.ports.FollowUps``)."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable

from bot.core.follow_ups import OPEN_STATES, FollowUp, FollowUpState, StoryUpdate
from bot.core.types import AuditEntry, Platform, UserId
from storage.ports import Notice


class MemoryFollowUps:
    """Mixed into ``MemoryStore``, which gives ``audit`` and ``_notify``."""

    def __init__(self) -> None:
        self._follow_ups: dict[int, FollowUp] = {}
        self._follow_up_ids = itertools.count(1)
        self._updates: dict[int, StoryUpdate] = {}
        self._update_ids = itertools.count(1)

    async def audit(self, entry: AuditEntry) -> None:
        raise NotImplementedError  # given by the store

    def _notify(self, notice: Notice | None) -> None:
        raise NotImplementedError  # given by the store

    async def plan_follow_up(self, follow_up: FollowUp) -> FollowUp | None:
        if any(f.story_id == follow_up.story_id for f in self._follow_ups.values()):
            return None
        new_id = next(self._follow_up_ids)
        self._follow_ups[new_id] = saved = follow_up.model_copy(update={"id": new_id})
        return saved

    async def follow_ups(self, states: Collection[FollowUpState] = OPEN_STATES,
                         story_ids: Collection[int] | None = None) -> list[FollowUp]:
        return [f for _, f in sorted(self._follow_ups.items()) if f.state in states
                and (story_ids is None or f.story_id in story_ids)]

    async def set_follow_up(self, follow_up: FollowUp, notice: Notice | None = None) -> None:
        assert follow_up.id is not None
        if follow_up.id in self._follow_ups:
            self._follow_ups[follow_up.id] = follow_up
            self._notify(notice)

    async def record_update(self, update: StoryUpdate) -> StoryUpdate:
        new_id = next(self._update_ids)
        self._updates[new_id] = saved = update.model_copy(update={"id": new_id})
        asked = self._follow_ups.get(update.follow_up_id)
        if asked is not None:
            self._follow_ups[update.follow_up_id] = asked.model_copy(
                update={"state": FollowUpState.ANSWERED})
        return saved

    async def updates_to(self, story_ids: Collection[int] | None = None) -> list[StoryUpdate]:
        return [u for _, u in sorted(self._updates.items())
                if story_ids is None or u.story_id in story_ids]

    async def judge_update(self, update: StoryUpdate, entry: AuditEntry) -> None:
        assert update.id is not None
        if update.id in self._updates:
            self._updates[update.id] = update
            await self.audit(entry)

    async def stop_follow_ups(self, platform: Platform, participant: UserId) -> int:
        mine = [n for n, f in self._follow_ups.items() if f.state in OPEN_STATES
                and (f.platform, f.participant) == (platform, participant)]
        for n in mine:
            self._follow_ups[n] = self._follow_ups[n].model_copy(
                update={"state": FollowUpState.STOPPED})
        return len(mine)

    def _forget_follow_ups(self, platform: Platform, participant: UserId,
                           story_ids: Iterable[int | None]) -> None:
        """Erase a person's follow-ups, and the updates of their stories (being erased)."""
        self._follow_ups = {n: f for n, f in self._follow_ups.items()
                            if (f.platform, f.participant) != (platform, participant)}
        self._retire_follow_ups(set(story_ids), delete=True)

    def _retire_follow_ups(self, story_ids: set[int | None], delete: bool) -> None:
        """Stories retired: nobody is followed up about them; deleted, their updates go."""
        self._follow_ups = {n: f for n, f in self._follow_ups.items()
                            if f.story_id not in story_ids}
        if delete:
            self._updates = {n: u for n, u in self._updates.items()
                             if u.story_id not in story_ids}
