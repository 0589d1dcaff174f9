"""The SQL stores' introductions (``storage.ports.Introductions``): SQLite's, and
PostgreSQL's through ``storage/postgres_rows.py``. A side's ``rowid`` keeps the order sides
were first saved in (SQLite's own; a column of that name in PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from bot.core.introductions import Answer, Introduction, IntroductionState, Side
from bot.core.types import AuditEntry, Platform, UserId
from storage import sqlite_rows as sql
from storage.ports import Notice
from storage.sqlite_rows import Statements

_SIDE = "story_id, platform, user_id, answer, line, asked_at"
SAVE_SIDE = (f"INSERT INTO introduction_sides (introduction_id, {_SIDE}) "
             "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (introduction_id, story_id) DO UPDATE SET "
             "answer = excluded.answer, line = excluded.line, asked_at = excluded.asked_at")
INSERT = "INSERT INTO introductions (at, by, state) VALUES (?, ?, ?) RETURNING id"
UPDATE = "UPDATE introductions SET state = ? WHERE id = ? AND state <> 'withdrawn'"
UPDATE_SIDE = ("UPDATE introduction_sides SET answer = ?, line = ?, asked_at = ? "
               "WHERE introduction_id = ? AND story_id = ?")
"""A side erased meanwhile (forget me) is not written back, nor a withdrawal undone."""
SELECT = ("SELECT i.id, i.at, i.by, i.state, "
          f"{', '.join('s.' + c for c in _SIDE.split(', '))} FROM introductions i "
          "JOIN introduction_sides s ON s.introduction_id = i.id")


def withdrawing() -> Statements:
    """Introductions left with fewer than two sides are withdrawn, and the lines of the
    sides left erased: run after sides are deleted, in the same transaction."""
    lonely = ("SELECT id FROM introductions WHERE (SELECT count(*) FROM introduction_sides "
              "WHERE introduction_id = introductions.id) < 2")
    return [(f"UPDATE introductions SET state = 'withdrawn' WHERE id IN ({lonely}) "
             "AND state = 'proposed'", ()),
            (f"UPDATE introduction_sides SET line = NULL WHERE introduction_id IN ({lonely})",
             ()),
            ("DELETE FROM introductions WHERE id NOT IN "
             "(SELECT introduction_id FROM introduction_sides)", ())]


def forgetting(platform: Platform, participant: UserId) -> Statements:
    """Erase a person's sides of every introduction, and withdraw those introductions."""
    return [("DELETE FROM introduction_sides WHERE platform = ? AND user_id = ?",
             (platform, participant)), *withdrawing()]


def retiring() -> Statements:
    """After stories are retired: no side for a story gone or no longer anyone's."""
    anonymous = ("SELECT s.id FROM stories s JOIN participants p ON p.id = s.participant_id "
                 "WHERE p.platform = 'anonymous'")
    return [("DELETE FROM introduction_sides WHERE story_id NOT IN (SELECT id FROM stories) "
             f"OR story_id IN ({anonymous})", ()), *withdrawing()]


def _along(notices: tuple[Notice, ...], entry: AuditEntry | None,
           at: datetime) -> Statements:
    statements: Statements = [] if entry is None else [(sql.SAVE_AUDIT, sql.audit_row(entry))]
    for notice in notices:
        statements += [(sql.SAVE_REPLY, row) for row in sql.reply_rows(
            notice.platform, notice.participant, notice.message.room_id, (notice.message,),
            entry.at if entry is not None else at)]
    return statements


class SQLiteIntroductions:
    """Mixed into each SQL store (SQLite's, PostgreSQL's), which gives the reader and the
    writes."""

    @property
    def reader(self) -> sql.Reader:
        raise NotImplementedError  # given by the store

    async def _write(self, statements: Statements, durable: bool = True) -> None:
        raise NotImplementedError  # given by the store

    async def _insert(self, first: tuple[str, tuple[Any, ...]],
                      then: Callable[[int], Statements]) -> int:
        raise NotImplementedError  # given by the store

    async def save_introduction(self, introduction: Introduction,
                                notices: tuple[Notice, ...] = (),
                                entry: AuditEntry | None = None) -> Introduction:
        """The introduction, then all its sides, the notices and the audit entry, at once."""
        def along(introduction_id: int) -> Statements:
            return [*((SAVE_SIDE, (introduction_id, *_side_row(side)))
                      for side in introduction.sides),
                    *_along(notices, entry, introduction.at)]

        if introduction.id is None:
            head = (_iso(introduction.at), introduction.by, introduction.state.value)
            new_id = await self._insert((INSERT, head), along)
            return introduction.model_copy(update={"id": new_id})
        sides = [(UPDATE_SIDE, (*_side_row(side)[3:], introduction.id, side.story_id))
                 for side in introduction.sides]
        await self._write([(UPDATE, (introduction.state.value, introduction.id)), *sides,
                           *_along(notices, entry, introduction.at)])
        return introduction

    async def introductions(self, states: Collection[IntroductionState] | None = None,
                            ) -> list[Introduction]:
        where, args = "", tuple[str, ...]()
        if states is not None:
            args = tuple(s.value for s in states)
            where = f"WHERE i.state IN ({', '.join('?' * len(args)) or 'NULL'})"
        rows = await self.reader.execute_fetchall(
            f"{SELECT} {where} ORDER BY i.id, s.rowid", args)
        return [_introduction(list(group)) for _, group in groupby(rows, key=lambda r: r[0])]


def _side_row(side: Side) -> tuple[Any, ...]:
    return (side.story_id, side.platform, side.participant, side.answer.value, side.line,
            None if side.asked_at is None else _iso(side.asked_at))


def _introduction(rows: list[Any]) -> Introduction:
    first = rows[0]
    return Introduction(
        id=first[0], at=sql.moment(first[1]), by=first[2],
        state=IntroductionState(first[3]),
        sides=tuple(Side(story_id=r[4], platform=Platform(r[5]), participant=UserId(r[6]),
                         answer=Answer(r[7]), line=r[8],
                         asked_at=sql.maybe_moment(r[9]))
                    for r in rows))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()
