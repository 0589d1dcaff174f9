"""The PostgreSQL store's follow-ups: the SQLite store's (``storage/sqlite_follow_ups.py``),
with the three writes that read back what they did done on a psycopg connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

from bot.core.follow_ups import FollowUp, FollowUpState, StoryUpdate
from bot.core.types import Platform, UserId
from storage import postgres_pool as db
from storage import sqlite_follow_ups as follow_ups
from storage.postgres_rows import pg
from storage.sqlite_follow_ups import SQLiteFollowUps

Connection = psycopg.AsyncConnection[Any]


class PostgresFollowUps(SQLiteFollowUps):
    async def _run(self, work: Callable[[Connection], Awaitable[db.T]]) -> db.T:
        raise NotImplementedError  # given by the store

    async def plan_follow_up(self, follow_up: FollowUp) -> FollowUp | None:
        values = follow_ups.planned_values(follow_up)

        async def write(connection: Connection) -> int | None:
            return await db.returned(connection, follow_ups.PLAN, values)

        new_id = await self._run(write)
        return None if new_id is None else follow_up.model_copy(update={"id": new_id})

    async def record_update(self, update: StoryUpdate) -> StoryUpdate:
        async def write(connection: Connection) -> int | None:
            new_id = await db.returned(connection, follow_ups.SAVE_UPDATE,
                                       follow_ups.update_values(update))
            await connection.execute(pg(follow_ups.ANSWERED),
                                     (FollowUpState.ANSWERED.value, update.follow_up_id))
            return new_id

        return update.model_copy(update={"id": await self._run(write)})

    async def stop_follow_ups(self, platform: Platform, participant: UserId) -> int:
        async def write(connection: Connection) -> int:
            cursor = await connection.execute(pg(follow_ups.STOP), (
                FollowUpState.STOPPED.value, platform, participant))
            return cursor.rowcount

        return await self._run(write)
