"""The SQLite store's responses and changes (``storage.ports.Responses``)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from bot.core.loop import ChangeStatus, Response, StoryChange
from bot.core.types import AuditEntry
from storage import sqlite_rows as sql
from storage.ports import Notice
from storage.sqlite_rows import Statements

_RESPONSE = "id, story_id, at, by, signed, text, relayed"
_CHANGE = "id, story_id, at, by, status, what"
SAVE_RESPONSE = (f"INSERT INTO story_responses ({_RESPONSE.removeprefix('id, ')}) "
                 "VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
SAVE_CHANGE = (f"INSERT INTO story_changes ({_CHANGE.removeprefix('id, ')}) "
               "VALUES (?, ?, ?, ?, ?) RETURNING id")


def erasing() -> Statements:
    """Erase what answered stories that are gone: run after stories are deleted, in the
    same transaction (a change may be deleted only once its story is)."""
    gone = "story_id NOT IN (SELECT id FROM stories)"
    return [(f"DELETE FROM story_responses WHERE {gone}", ()),
            (f"DELETE FROM story_changes WHERE {gone}", ())]


class SQLiteResponses:
    """Mixed into ``SQLiteStore``, which gives the reader and the writes."""

    @property
    def reader(self) -> sql.Reader:
        raise NotImplementedError  # given by the store

    async def _insert(self, first: tuple[str, tuple[Any, ...]],
                      then: Callable[[int], Statements]) -> int:
        raise NotImplementedError  # given by the store

    async def add_response(self, response: Response, entry: AuditEntry,
                           notice: Notice | None = None) -> Response:
        values = (response.story_id, _iso(response.at), response.by, response.signed,
                  response.text, response.relayed)
        new_id = await self._insert((SAVE_RESPONSE, values), lambda _: _along(entry, notice))
        return response.model_copy(update={"id": new_id})

    async def add_change(self, change: StoryChange, entry: AuditEntry,
                         notice: Notice | None = None) -> StoryChange:
        values = (change.story_id, _iso(change.at), change.by, change.status.value, change.what)
        new_id = await self._insert((SAVE_CHANGE, values), lambda _: _along(entry, notice))
        return change.model_copy(update={"id": new_id})

    async def responses_to(self, story_ids: Collection[int] | None = None) -> list[Response]:
        where, args = _of(story_ids)
        rows = await self.reader.execute_fetchall(
            f"SELECT {_RESPONSE} FROM story_responses {where} ORDER BY id", args)
        return [Response(id=r[0], story_id=r[1], at=sql.moment(r[2]), by=r[3],
                         signed=r[4], text=r[5], relayed=bool(r[6])) for r in rows]

    async def changes_to(self, story_ids: Collection[int] | None = None,
                         since: datetime | None = None) -> list[StoryChange]:
        where, args = _of(story_ids)
        if since is not None:
            where = f"{where} {'AND' if where else 'WHERE'} at >= ?"
            args = (*args, _iso(since))
        rows = await self.reader.execute_fetchall(
            f"SELECT {_CHANGE} FROM story_changes {where} ORDER BY id", args)
        return [StoryChange(id=r[0], story_id=r[1], at=sql.moment(r[2]), by=r[3],
                            status=ChangeStatus(r[4]), what=r[5]) for r in rows]


def _along(entry: AuditEntry, notice: Notice | None) -> Statements:
    """The audit entry, and the notice to the teller as theirs in the reply outbox."""
    statements: Statements = [(sql.SAVE_AUDIT, sql.audit_row(entry))]
    if notice is not None:
        statements += [(sql.SAVE_REPLY, row) for row in sql.reply_rows(
            notice.platform, notice.participant, notice.message.room_id, (notice.message,),
            entry.at)]
    return statements


def _of(story_ids: Collection[int] | None) -> tuple[str, tuple[Any, ...]]:
    if story_ids is None:
        return "", ()
    ids = tuple(story_ids)
    return f"WHERE story_id IN ({', '.join('?' * len(ids)) or 'NULL'})", ids


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()
