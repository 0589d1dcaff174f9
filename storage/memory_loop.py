"""The memory store's responses and changes (``storage.ports.Responses``)."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from datetime import datetime

from bot.core.loop import Response, StoryChange
from bot.core.types import AuditEntry
from storage.ports import Notice


class MemoryResponses:
    """Mixed into ``MemoryStore``, which gives ``audit`` and ``_notify``."""

    def __init__(self) -> None:
        self._responses: dict[int, Response] = {}
        self._response_ids = itertools.count(1)
        self._changes: dict[int, StoryChange] = {}
        self._change_ids = itertools.count(1)

    async def audit(self, entry: AuditEntry) -> None:
        raise NotImplementedError  # given by the store

    def _notify(self, notice: Notice | None) -> None:
        raise NotImplementedError  # given by the store

    async def add_response(self, response: Response, entry: AuditEntry,
                           notice: Notice | None = None) -> Response:
        new_id = next(self._response_ids)
        self._responses[new_id] = saved = response.model_copy(update={"id": new_id})
        await self.audit(entry)
        self._notify(notice)
        return saved

    async def add_change(self, change: StoryChange, entry: AuditEntry,
                         notice: Notice | None = None) -> StoryChange:
        new_id = next(self._change_ids)
        self._changes[new_id] = saved = change.model_copy(update={"id": new_id})
        await self.audit(entry)
        self._notify(notice)
        return saved

    async def responses_to(self, story_ids: Collection[int] | None = None) -> list[Response]:
        return [r for _, r in sorted(self._responses.items())
                if story_ids is None or r.story_id in story_ids]

    async def changes_to(self, story_ids: Collection[int] | None = None,
                         since: datetime | None = None) -> list[StoryChange]:
        return [c for _, c in sorted(self._changes.items())
                if (story_ids is None or c.story_id in story_ids)
                and (since is None or c.at >= since)]

    def _forget_responses(self, story_ids: Iterable[int | None]) -> None:
        """Erase what answered these stories: they are being erased."""
        gone = set(story_ids)
        self._responses = {n: r for n, r in self._responses.items() if r.story_id not in gone}
        self._changes = {n: c for n, c in self._changes.items() if c.story_id not in gone}
