"""The SQLite store's one write connection, on a thread of its own.

Each transaction goes to that thread whole, as one function call, and comes back once it is
committed: one trip across threads per transaction, however many statements it holds.

Why not through aiosqlite, as the reads are: aiosqlite sends every statement on its own trip,
and a grouped write is eight or nine of them (BEGIN, the events, the conversations, the
stories' participants, ids and themes, COMMIT). Each trip waits for the busy event loop to come
back to the writer, so on a loaded bot a commit took three milliseconds of waiting for a
fraction of a millisecond of work (``bench/pipeline.py`` measured it).

Privacy: the database and its ``-wal`` and ``-shm`` files are readable by their owner only
(0600; SQLite gives the ``-wal`` and ``-shm`` the database file's mode), and deleted rows are
overwritten with zeros (``secure_delete``). ``scrub`` copies the WAL into the database and
empties it, so after an erasure no old copy of the erased words is left in either file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from bot.core.errors import StorageError
from storage import sqlite_rows as sql
from storage.sqlite_rows import Statements

log = logging.getLogger(__name__)
T = TypeVar("T")
PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON",
           "busy_timeout = 5000", "wal_autocheckpoint = 0", "secure_delete = ON")
"""Durable commits (FULL), no automatic checkpoint inside a commit (the store runs its own,
off the write path), and deleted content overwritten, not just unlinked."""
OWNER_ONLY = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


class Writer:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None

    async def open(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyloop-sqlite")
        self._connection = await self._call(self._connect)

    def _connect(self) -> sqlite3.Connection:
        owner_only(self.path)
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in PRAGMAS:
            connection.execute(f"PRAGMA {pragma}")
        return connection

    async def close(self) -> None:
        if self._thread is None:
            return
        if self._connection is not None:
            await self._call(self._connection.close)
        self._thread.shutdown(wait=True)
        self._thread = self._connection = None

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(connection)`` on the writer's thread."""
        connection = self._connection
        if connection is None:
            raise StorageError("the store is not open; call open() first")
        return await self._call(lambda: work(connection))

    async def _call(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work)

    async def scrub(self) -> bool:
        """Copy the WAL into the database and empty it (``wal_checkpoint(TRUNCATE)``), so
        erased rows leave no copy behind; False if a reader held it up (logged)."""
        def checkpoint(connection: sqlite3.Connection) -> bool:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return not busy

        done = await self.run(checkpoint)
        if not done:
            log.warning("could not empty the WAL of %s after an erasure; the next checkpoint "
                        "will", self.path)
        return done

    async def transaction(self, work: Transaction, durable: bool = True) -> int | None:
        """``work`` in one transaction; what it returns (an id the database gave, say).
        ``durable=False``: committed without waiting for the disk (``synchronous=NORMAL``
        for this transaction alone). It survives a crash of the process, and is on disk
        with the next durable commit (the WAL is written in order); only a power cut
        before then can lose it. For bookkeeping that costs nothing to lose: about a
        quarter of a millisecond of CPU and a few of waiting saved on each."""
        if durable:
            return await self.run(lambda connection: _in_transaction(connection, work))
        return await self.run(lambda connection: _lightly(connection, work))

    async def turns(self, events: Sequence[tuple[Any, ...]],
                    conversations: Sequence[tuple[Any, ...]],
                    stories: Sequence[NewStory], replies: Sequence[tuple[Any, ...]] = ()) -> None:
        """Processed events, conversations, finished stories and the replies they owe (the
        outbox), committed together."""
        def write(connection: sqlite3.Connection) -> None:
            connection.executemany(sql.SAVE_EVENT, events)
            connection.executemany(sql.SAVE_CONVERSATION, conversations)
            if stories:
                _insert_stories(connection, stories)
            connection.executemany(sql.SAVE_REPLY, replies)

        await self.run(lambda connection: _in_transaction(connection, write))


NewStory = tuple[tuple[Any, ...], tuple[str, str], tuple[str, ...]]
"""A story to insert: its column values, its teller (platform, pseudonym) and its themes."""
Transaction = Callable[[sqlite3.Connection], int | None]
"""One transaction's work on the write connection; it may return an id the database gave."""


def executing(statements: Statements) -> Transaction:
    """Run each statement in order."""
    def write(connection: sqlite3.Connection) -> None:
        for statement, params in statements:
            connection.execute(statement, params)

    return write


def inserting(first: tuple[str, tuple[Any, ...]], then: Callable[[int], Statements]) -> Transaction:
    """``first`` inserts a row and returns its new id (``RETURNING id``); ``then(id)`` follows
    in the same transaction, which returns the id."""
    def write(connection: sqlite3.Connection) -> int:
        [(new_id,)] = connection.execute(*first).fetchall()
        executing(then(int(new_id)))(connection)
        return int(new_id)

    return write


def _in_transaction(connection: sqlite3.Connection,
                    work: Callable[[sqlite3.Connection], T]) -> T:
    """``work`` committed whole, or rolled back whole if it raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work(connection)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


def _lightly(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work`` committed without flushing to disk; commits after it flush again."""
    connection.execute("PRAGMA synchronous = NORMAL")
    try:
        return _in_transaction(connection, work)
    finally:
        connection.execute("PRAGMA synchronous = FULL")


def _insert_stories(connection: sqlite3.Connection, stories: Sequence[NewStory]) -> None:
    """Each story is numbered by the database as it is inserted; its themes follow."""
    connection.executemany(sql.SAVE_PARTICIPANT, [teller for _, teller, _ in stories])
    for values, teller, themes in stories:
        [(story_id,)] = connection.execute(sql.SAVE_STORY, (*values, *teller)).fetchall()
        connection.executemany(sql.SAVE_THEME, [
            (story_id, position, theme) for position, theme in enumerate(themes)])


def owner_only(path: Path) -> None:
    """Make the database file readable by its owner only, creating it empty (which SQLite
    takes as a new database) if it is not there; its side files too, if they exist."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, OWNER_ONLY)
    os.close(fd)
    for file in (path, *(path.with_name(path.name + end) for end in SIDE_FILES)):
        if file.exists() and file.stat().st_mode & 0o777 != OWNER_ONLY:
            os.chmod(file, OWNER_ONLY)
