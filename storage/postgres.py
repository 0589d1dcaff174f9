"""The PostgreSQL store, for an install that outgrows one SQLite file: ``storage.url =
"postgresql://user@host:5432/database"``.

It implements every port with the SQL the SQLite store uses (``storage/sqlite_queries.py`` and
the mixins it shares), turned into PostgreSQL's (``storage/postgres_rows.py``), over a pool of
psycopg 3 async connections (``storage/postgres_pool.py``). Every write that matters is one
transaction; an event is processed once because its (platform, id) is a primary key; ids are
identity columns, never given twice. Nothing is kept in memory between calls: several
processes may share one database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg

from bot.core.types import ConversationKey, EventId, OutgoingMessage, Platform, UserId
from storage import postgres_pool as db
from storage import sqlite_rows as sql
from storage.base import Loaded, TurnWrite
from storage.postgres_alerts import PostgresAlerts
from storage.postgres_follow_ups import PostgresFollowUps
from storage.postgres_locks import AdvisoryLocks
from storage.postgres_pool import Database, Work
from storage.postgres_rows import SAVE_EVENT_ONCE
from storage.sqlite_introductions import SQLiteIntroductions
from storage.sqlite_loop import SQLiteResponses
from storage.sqlite_queries import SQLQueries
from storage.sqlite_rows import Reader, Statements


class PostgresStore(PostgresAlerts, SQLiteResponses, PostgresFollowUps, SQLiteIntroductions,
                    SQLQueries):
    shared = True

    def __init__(self, url: str, name: str) -> None:
        self._locks = AdvisoryLocks(url)
        self._db = Database(url, name, self._locks.fence)
        self.take_lease = self._locks.take_lease
        self.exclusive = self._locks.exclusive
        self.holds = self._locks.holds

    @property
    def lock_round_trips(self) -> int:
        """Statements this process has sent on its lock connection (for the benchmark)."""
        return self._locks.round_trips

    @property
    def reader(self) -> Reader:
        return self._db

    async def open(self) -> None:
        await self._db.open()

    async def close(self) -> None:
        await self._locks.close()
        await self._db.close()

    async def schema_version(self) -> int:
        return await self._db.schema_version()

    async def _write(self, statements: Statements, durable: bool = True) -> None:
        await self._db.transaction(db.executing(statements), durable)

    async def _insert(self, first: tuple[str, tuple[Any, ...]],
                      then: Callable[[int], Statements]) -> int:
        return await self._db.transaction(db.inserting(first, then))

    async def _run(self, work: Work[db.T]) -> db.T:
        return await self._db.transaction(work)

    async def _erased(self, who: tuple[Platform, UserId] | None) -> None:
        """Nothing is kept in memory. Erased rows stay in the table's file until VACUUM
        (autovacuum's next pass) reuses their space."""

    # Conversations
    async def load_turn(self, key: ConversationKey, event_id: EventId | None) -> Loaded:
        params = (key.platform, event_id, key.platform, key.room_id, key.user_id)
        [row] = await self._db.execute_fetchall(sql.LOAD, params)
        return Loaded(bool(row[0]), None if row[1] is None else sql.conversation(key, row))

    async def save_turn(self, turn: TurnWrite) -> bool:
        try:
            return await self._db.transaction(_turn(turn))
        except _Seen:
            return False

    async def record_event(self, platform: Platform, event_id: EventId, at: datetime,
                           replies: tuple[OutgoingMessage, ...] = ()) -> bool:
        event = (platform, event_id, at.astimezone(UTC).isoformat())
        rows = sql.reply_rows(platform, None, None, replies, at)

        async def write(connection: psycopg.AsyncConnection[Any]) -> bool:
            if await db.returned(connection, SAVE_EVENT_ONCE, event) is None:
                return False  # noted before: its replies were written then
            await db.executing([(sql.SAVE_REPLY, row) for row in rows])(connection)
            return True

        return await self._db.transaction(write)

    async def reply_sent(self, reply_id: int) -> None:
        await self._write([("DELETE FROM reply_outbox WHERE id = ?", (reply_id,))],
                          durable=False)


class _Seen(Exception):
    """The turn's event was processed before."""


def _turn(turn: TurnWrite) -> Work[bool]:
    """A turn's event, conversation, finished story and replies, in one transaction; False,
    and nothing written, if its event was processed before."""
    async def write(connection: psycopg.AsyncConnection[Any]) -> bool:
        if turn.event_id is not None and await db.returned(
                connection, SAVE_EVENT_ONCE, sql.event_row(turn)) is None:
            raise _Seen  # rolls back: nothing written
        statements: Statements = [(sql.SAVE_CONVERSATION, sql.conversation_row(turn))]
        if (story := turn.story) is not None:
            teller = (story.platform, story.participant)
            statements.append((sql.SAVE_PARTICIPANT, teller))
        await db.executing(statements)(connection)
        after: Statements = [(sql.SAVE_REPLY, row) for row in sql.turn_replies(turn)]
        if story is not None:
            story_id = await db.returned(connection, sql.SAVE_STORY,
                                         (*sql.story_values(story), *teller))
            after += [(sql.SAVE_THEME, (story_id, n, theme))
                      for n, theme in enumerate(story.themes)]
        await db.executing(after)(connection)
        return True

    return write
