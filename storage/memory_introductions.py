"""The memory store's introductions (``storage.ports.Introductions``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection

from bot.core.introductions import Introduction, IntroductionState, Side
from bot.core.types import AuditEntry
from storage.ports import Notice


class MemoryIntroductions:
    """Mixed into ``MemoryStore``, which gives ``audit`` and ``_notify``."""

    def __init__(self) -> None:
        self._introductions: dict[int, Introduction] = {}
        self._introduction_ids = itertools.count(1)

    async def audit(self, entry: AuditEntry) -> None:
        raise NotImplementedError  # given by the store

    def _notify(self, notice: Notice | None) -> None:
        raise NotImplementedError  # given by the store

    async def save_introduction(self, introduction: Introduction,
                                notices: tuple[Notice, ...] = (),
                                entry: AuditEntry | None = None) -> Introduction:
        new_id = introduction.id or next(self._introduction_ids)
        stored = self._introductions.get(new_id)
        if stored is not None:  # never a side erased meanwhile, nor a withdrawal undone
            kept = {s.story_id for s in stored.sides}
            state = (stored.state if stored.state is IntroductionState.WITHDRAWN
                     else introduction.state)
            introduction = introduction.model_copy(update={"state": state, "sides": tuple(
                s for s in introduction.sides if s.story_id in kept)})
        elif introduction.id is not None:
            return introduction  # erased meanwhile
        self._introductions[new_id] = saved = introduction.model_copy(update={"id": new_id})
        for notice in notices:
            self._notify(notice)
        if entry is not None:
            await self.audit(entry)
        return saved

    async def introductions(self, states: Collection[IntroductionState] | None = None,
                            ) -> list[Introduction]:
        return [i for _, i in sorted(self._introductions.items())
                if states is None or i.state in states]

    def _drop_sides(self, gone: Callable[[Side], bool]) -> None:
        """Erase the sides ``gone`` picks; withdraw what is left with one side, its line
        erased; forget an introduction with no side left."""
        kept: dict[int, Introduction] = {}
        for number, intro in self._introductions.items():
            sides = tuple(s for s in intro.sides if not gone(s))
            if not sides:
                continue
            if len(sides) < 2:
                state = (IntroductionState.WITHDRAWN
                         if intro.state is IntroductionState.PROPOSED else intro.state)
                intro = intro.model_copy(update={"state": state, "sides": tuple(
                    s.model_copy(update={"line": None}) for s in sides)})
            kept[number] = intro
        self._introductions = kept
