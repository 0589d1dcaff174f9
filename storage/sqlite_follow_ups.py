"""The SQLite store's follow-ups and the updates they bring (``storage.ports.FollowUps``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from bot.core.follow_ups import OPEN_STATES, FollowUp, FollowUpState, Outcome, StoryUpdate
from bot.core.types import AuditEntry, Platform, StoryStatus, UserId
from storage import sqlite_rows as sql
from storage.ports import Notice
from storage.sqlite_rows import Statements
from storage.sqlite_writer import Transaction

_FOLLOW_UP = "id, story_id, platform, user_id, due_at, state, asked_at, reminded_at"
_UPDATE = "id, story_id, follow_up_id, at, outcome, since, learned, status"
PLAN = ("INSERT INTO follow_ups (story_id, platform, user_id, due_at, state) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (story_id) DO NOTHING RETURNING id")
SET = "UPDATE follow_ups SET state = ?, asked_at = ?, reminded_at = ? WHERE id = ?"
SAVE_UPDATE = ("INSERT INTO story_updates (story_id, follow_up_id, at, outcome, since, learned, "
               "status) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
_OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATES)
ANSWERED = "UPDATE follow_ups SET state = ? WHERE id = ?"
STOP = (f"UPDATE follow_ups SET state = ? WHERE platform = ? AND user_id = ? "
        f"AND state IN ({_OPEN})")


def planned_values(follow_up: FollowUp) -> tuple[Any, ...]:
    return (follow_up.story_id, follow_up.platform, follow_up.participant,
            _iso(follow_up.due_at), follow_up.state.value)


def update_values(update: StoryUpdate) -> tuple[Any, ...]:
    return (update.story_id, update.follow_up_id, _iso(update.at), update.outcome.value,
            update.since, update.learned, update.status.value)


def forgetting(platform: Platform, participant: UserId) -> Statements:
    """Erase a person's follow-ups, and the updates of stories that are gone: run after
    their stories are deleted, in the same transaction."""
    return [("DELETE FROM follow_ups WHERE platform = ? AND user_id = ?", (platform, participant)),
            *retiring(delete=True)]


def retiring(delete: bool) -> Statements:
    """After stories are retired: no follow-up of a story gone or no longer anyone's, and,
    if they were deleted, none of their updates."""
    anonymous = ("SELECT s.id FROM stories s JOIN participants p ON p.id = s.participant_id "
                 "WHERE p.platform = 'anonymous'")
    statements: Statements = [
        ("DELETE FROM follow_ups WHERE story_id NOT IN (SELECT id FROM stories) "
         f"OR story_id IN ({anonymous})", ())]
    if delete:
        statements.append(("DELETE FROM story_updates WHERE story_id NOT IN "
                           "(SELECT id FROM stories)", ()))
    return statements


def _planning(values: tuple[Any, ...]) -> Transaction:
    def write(connection: sqlite3.Connection) -> int | None:
        found = connection.execute(PLAN, values).fetchall()
        return int(found[0][0]) if found else None

    return write


class SQLiteFollowUps:
    """Mixed into ``SQLiteStore``, which gives the reader and the writes."""

    @property
    def reader(self) -> sql.Reader:
        raise NotImplementedError  # given by the store

    async def _write(self, statements: Statements, durable: bool = True) -> None:
        raise NotImplementedError  # given by the store

    async def _transact(self, work: Transaction) -> int | None:
        raise NotImplementedError  # given by the store

    async def plan_follow_up(self, follow_up: FollowUp) -> FollowUp | None:
        new_id = await self._transact(_planning(planned_values(follow_up)))
        return None if new_id is None else follow_up.model_copy(update={"id": new_id})

    async def follow_ups(self, states: Collection[FollowUpState] = OPEN_STATES,
                         story_ids: Collection[int] | None = None) -> list[FollowUp]:
        wanted = tuple(s.value for s in states)
        where = f"WHERE state IN ({', '.join('?' * len(wanted)) or 'NULL'})"
        args: tuple[Any, ...] = wanted
        if story_ids is not None:
            ids = tuple(story_ids)
            where += f" AND story_id IN ({', '.join('?' * len(ids)) or 'NULL'})"
            args += ids
        rows = await self.reader.execute_fetchall(
            f"SELECT {_FOLLOW_UP} FROM follow_ups {where} ORDER BY id", args)
        return [FollowUp(id=r[0], story_id=r[1], platform=Platform(r[2]),
                         participant=UserId(r[3]), due_at=sql.moment(r[4]),
                         state=FollowUpState(r[5]), asked_at=sql.maybe_moment(r[6]),
                         reminded_at=sql.maybe_moment(r[7])) for r in rows]

    async def set_follow_up(self, follow_up: FollowUp, notice: Notice | None = None) -> None:
        statements: Statements = [(SET, (
            follow_up.state.value, _iso_or_none(follow_up.asked_at),
            _iso_or_none(follow_up.reminded_at), follow_up.id))]
        if notice is not None:
            statements += [(sql.SAVE_REPLY, row) for row in sql.reply_rows(
                notice.platform, notice.participant, notice.message.room_id, (notice.message,),
                follow_up.reminded_at or follow_up.asked_at or datetime.now(UTC))]
        await self._write(statements)

    async def record_update(self, update: StoryUpdate) -> StoryUpdate:
        def write(connection: sqlite3.Connection) -> int:
            [(new_id,)] = connection.execute(SAVE_UPDATE, update_values(update)).fetchall()
            connection.execute(ANSWERED, (FollowUpState.ANSWERED.value, update.follow_up_id))
            return int(new_id)

        new_id = await self._transact(write)
        return update.model_copy(update={"id": new_id})

    async def updates_to(self, story_ids: Collection[int] | None = None) -> list[StoryUpdate]:
        where, args = "", tuple[int, ...]()
        if story_ids is not None:
            ids = tuple(story_ids)
            where, args = f"WHERE story_id IN ({', '.join('?' * len(ids)) or 'NULL'})", ids
        rows = await self.reader.execute_fetchall(
            f"SELECT {_UPDATE} FROM story_updates {where} ORDER BY id", args)
        return [StoryUpdate(id=r[0], story_id=r[1], follow_up_id=r[2], at=sql.moment(r[3]),
                            outcome=Outcome(r[4]), since=r[5], learned=r[6],
                            status=StoryStatus(r[7])) for r in rows]

    async def judge_update(self, update: StoryUpdate, entry: AuditEntry) -> None:
        await self._write([("UPDATE story_updates SET status = ? WHERE id = ?",
                            (update.status.value, update.id)),
                           (sql.SAVE_AUDIT, sql.audit_row(entry))])

    async def stop_follow_ups(self, platform: Platform, participant: UserId) -> int:
        def write(connection: sqlite3.Connection) -> int:
            return connection.execute(
                STOP, (FollowUpState.STOPPED.value, platform, participant)).rowcount

        return await self._transact(write) or 0


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _iso_or_none(at: datetime | None) -> str | None:
    return None if at is None else _iso(at)

