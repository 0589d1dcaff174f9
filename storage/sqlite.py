"""The default store: one SQLite file, in WAL mode.

Reads go through aiosqlite, on a connection of their own. Writes are grouped: turns that arrive
while a commit is under way wait and are committed together in the next transaction, sent whole
to the write connection's thread (``storage/sqlite_writer.py``), and each caller hears back
only once its turn is durable (``synchronous=FULL``). One busy conversation or a thousand,
every reply follows its write.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.core.errors import StorageError
from bot.core.types import (
    Conversation,
    ConversationKey,
    EventId,
    OutgoingMessage,
    Platform,
    UserId,
)
from storage import sqlite_rows as sql
from storage import sqlite_writer as writes
from storage.base import Loaded, TurnWrite
from storage.migrate import migrate, schema_version
from storage.migrations import SQLITE
from storage.one_process import OneProcess
from storage.sqlite_alerts import SQLiteAlerts
from storage.sqlite_follow_ups import SQLiteFollowUps
from storage.sqlite_introductions import SQLiteIntroductions
from storage.sqlite_loop import SQLiteResponses
from storage.sqlite_queries import SQLQueries
from storage.sqlite_rows import Statements
from storage.sqlite_writer import NewStory, Transaction, Writer

log = logging.getLogger(__name__)
CHECKPOINT_EVERY = 500
"""Turns written between WAL checkpoints."""
RECENT_EVENTS = 8
RECENT_CONVERSATIONS = 2000
"""Conversations kept in memory after they are written (about 1 KiB each)."""
T = TypeVar("T")
W = TypeVar("W")


class SQLiteStore(SQLiteAlerts, SQLiteResponses, SQLiteFollowUps, SQLiteIntroductions,
                  SQLQueries, OneProcess):
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._writes = Writer(self.path)
        """The one write connection: only the writer task below uses it."""
        self._reader: aiosqlite.Connection | None = None
        self._checkpointer: aiosqlite.Connection | None = None
        self._checkpoint: asyncio.Task[None] | None = None
        self._turns_since_checkpoint = 0
        self._recent: OrderedDict[ConversationKey, _Recent] = OrderedDict()
        """Conversations as last committed, newest last: most messages continue one of these."""
        self._turns: list[tuple[TurnWrite, asyncio.Future[bool]]] = []
        self._transactions: list[tuple[tuple[Transaction, bool], asyncio.Future[int | None]]] = []
        """Other transactions, each with whether it must be durable at once."""
        self._sent: list[tuple[int, asyncio.Future[None]]] = []
        """Outbox rows confirmed sent: deleted together, in one transaction."""
        """Everything to write: turns (grouped), then other transactions in order. Only the
        writer task touches the write connection."""
        self._writer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @property
    def reader(self) -> aiosqlite.Connection:
        """A second connection, for reads: WAL lets it read while the writer commits."""
        if self._reader is None:
            raise StorageError("the store is not open; call open() first")
        return self._reader

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            await self._writes.open()
            await self._migrate()
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            await self._reader.execute("PRAGMA query_only = ON")
            self._checkpointer = await aiosqlite.connect(self.path, isolation_level=None)
        except BaseException:
            await self.close()
            raise
        self._writer = asyncio.create_task(self._write_loop(), name="storyloop-sqlite-writer")

    async def close(self) -> None:
        for task in (self._writer, self._checkpoint):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._writer = self._checkpoint = None
        for connection in (self._checkpointer, self._reader):
            if connection is not None:
                await connection.close()
        self._reader = self._checkpointer = None
        await self._writes.close()

    async def schema_version(self) -> int:
        return await self._writes.run(lambda db: schema_version(db, SQLITE))

    async def _migrate(self) -> None:
        await self._writes.run(lambda db: migrate(db, SQLITE, name=str(self.path)))

    # Conversations
    async def load_turn(self, key: ConversationKey, event_id: EventId | None) -> Loaded:
        """A recently written conversation comes from memory, with the last few events that
        changed it. An older event seen long ago is refused by the primary key in
        ``save_turn``."""
        if (recent := self._recent.get(key)) is not None:
            self._recent.move_to_end(key)
            return Loaded(event_id in recent.events, recent.conversation)
        params = (key.platform, event_id, key.platform, key.room_id, key.user_id)
        [row] = await self.reader.execute_fetchall(sql.LOAD, params)  # one trip to the thread
        seen, flow = bool(row[0]), row[1]
        return Loaded(seen, None if flow is None else sql.conversation(key, row))

    async def save_turn(self, turn: TurnWrite) -> bool:
        return await self._enqueue(self._turns, turn)

    async def _write(self, statements: Statements, durable: bool = True) -> None:
        """One transaction of other writes, in turn with the turns."""
        await self._enqueue(self._transactions, (writes.executing(statements), durable))

    async def _insert(self, first: tuple[str, tuple[Any, ...]],
                      then: Callable[[int], Statements]) -> int:
        """Insert a row, then ``then(its id)``, in one transaction; the id the database gave."""
        new_id = await self._enqueue(self._transactions, (writes.inserting(first, then), True))
        assert new_id is not None
        return new_id

    async def _transact(self, work: writes.Transaction) -> int | None:
        """One transaction of other writes, durable; what ``work`` returns."""
        return await self._enqueue(self._transactions, (work, True))

    async def _enqueue(self, queue: list[tuple[W, asyncio.Future[T]]], work: W) -> T:
        if self._writer is None or self._writer.done():
            raise StorageError("the store is not open; call open() first")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        queue.append((work, future))
        self._wake.set()
        return await future

    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            turns, self._turns = self._turns, []
            transactions, self._transactions = self._transactions, []
            sent, self._sent = self._sent, []
            if turns:
                await self._write_batch(turns)
            if sent:
                await self._delete_sent(sent)
            for (work, durable), future in transactions:
                await self._settle(future, self._writes.transaction(work, durable))

    async def _write_batch(self, batch: list[tuple[TurnWrite, asyncio.Future[bool]]]) -> None:
        try:
            await self._write_together([turn for turn, _ in batch])
        except sqlite3.IntegrityError:
            for turn, future in batch:  # find which turn broke the batch
                await self._settle(future, self._write_alone(turn))
        except Exception as exc:
            for _, future in batch:
                _set(future, exc)
        else:
            for turn, future in batch:
                self._remember(turn)
                _set(future, True)
        self._maybe_checkpoint(len(batch))

    async def _delete_sent(self, sent: list[tuple[int, asyncio.Future[None]]]) -> None:
        """Not durable at once: a deletion lost with a power cut means a reply sent again
        with the same delivery id, which the platform shows once."""
        statements = [("DELETE FROM reply_outbox WHERE id = ?", (n,)) for n, _ in sent]
        try:
            await self._writes.transaction(writes.executing(statements), durable=False)
        except Exception as exc:
            for _, future in sent:
                _set(future, exc)
        else:
            for _, future in sent:
                _set(future, None)

    def _remember(self, turn: TurnWrite) -> None:
        key = turn.conversation.key
        recent = self._recent.pop(key, None)
        events = recent.events if recent else deque(maxlen=RECENT_EVENTS)
        if turn.event_id is not None:
            events.append(turn.event_id)
        self._recent[key] = _Recent(turn.conversation, events)
        if len(self._recent) > RECENT_CONVERSATIONS:
            self._recent.popitem(last=False)

    def _maybe_checkpoint(self, turns: int) -> None:
        """Copy the WAL back into the database now and then, on a connection of its own.

        SQLite's automatic checkpoint would run inside a commit and hold up every reply
        waiting on it; a PASSIVE checkpoint elsewhere blocks neither writers nor readers.
        """
        self._turns_since_checkpoint += turns
        busy = self._checkpoint is not None and not self._checkpoint.done()
        if self._turns_since_checkpoint < CHECKPOINT_EVERY or busy or not self._checkpointer:
            return
        self._turns_since_checkpoint = 0
        self._checkpoint = asyncio.create_task(self._run_checkpoint(self._checkpointer),
                                               name="storyloop-sqlite-checkpoint")

    async def _run_checkpoint(self, connection: aiosqlite.Connection) -> None:
        try:
            await connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            log.warning("WAL checkpoint of %s failed; will try again", self.path, exc_info=True)

    async def _settle(self, future: asyncio.Future[T], write: Coroutine[Any, Any, T]) -> None:
        try:
            _set(future, await write)
        except Exception as exc:
            _set(future, exc)

    async def _write_together(self, turns: list[TurnWrite]) -> None:
        """All turns in one transaction: one trip to the writer's thread however many."""
        stories: list[NewStory] = [
            (sql.story_values(t.story), (t.story.platform, t.story.participant),
             tuple(t.story.themes)) for t in turns if t.story is not None]
        await self._writes.turns([sql.event_row(t) for t in turns if t.event_id is not None],
                                 [sql.conversation_row(t) for t in turns], stories,
                                 [row for t in turns for row in sql.turn_replies(t)])

    async def _write_alone(self, turn: TurnWrite) -> bool:
        """False if the turn's event was processed before; other failures are raised."""
        try:
            await self._write_together([turn])
            self._remember(turn)
        except sqlite3.IntegrityError:
            if turn.event_id is not None and await self._processed(turn.platform, turn.event_id):
                return False
            raise
        return True

    async def _processed(self, platform: Platform, event_id: EventId) -> bool:
        rows = await self.reader.execute_fetchall(
            "SELECT 1 FROM processed_events WHERE platform = ? AND event_id = ?",
            (platform, event_id))
        return bool(list(rows))

    async def record_event(self, platform: Platform, event_id: EventId, at: datetime,
                           replies: tuple[OutgoingMessage, ...] = ()) -> bool:
        if await self._processed(platform, event_id):
            return False
        event = (platform, event_id, at.astimezone(UTC).isoformat())
        rows = sql.reply_rows(platform, None, None, replies, at)
        try:
            await self._write([(sql.SAVE_EVENT, event),
                               *((sql.SAVE_REPLY, row) for row in rows)])
        except sqlite3.IntegrityError:  # noted meanwhile: its replies were written then
            return False
        return True

    # The reply outbox
    async def reply_sent(self, reply_id: int) -> None:
        """Deleted along with others confirmed at the same moment: one commit for many."""
        await self._enqueue(self._sent, reply_id)

    async def _erased(self, who: tuple[Platform, UserId] | None) -> None:
        """After ``forget`` (``who``) or retiring stories (None): what is kept in memory
        goes with them, and the WAL is emptied so that no copy of what was erased is left."""
        if who is None:
            self._recent.clear()  # some may be gone now: read them afresh
        else:
            self._recent = OrderedDict((k, v) for k, v in self._recent.items()
                                       if (k.platform, k.user_id) != who)
        await self._writes.scrub()


@dataclass(frozen=True)
class _Recent:
    conversation: Conversation
    events: deque[EventId]


def _set(future: asyncio.Future[T], outcome: T | Exception) -> None:
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
