"""Leases and exclusive sections across processes sharing one PostgreSQL database: session
advisory locks, all held on one connection of this process's own (not the pool's).

A lock is held by the connection that took it, and PostgreSQL lets it go the moment that
connection ends: when the process stops, is killed, or its machine is cut off (once the
server notices the connection is gone). Another process's next try then takes it. Names are
hashed to a lock key (``hashtext``); two names with the same hash only wait for each other.

* ``take_lease``: ``pg_try_advisory_lock``, kept until the process ends (a scheduled job's).
* ``exclusive``: taken for a block and let go after it (a conversation, a room's outbox).
  Waiting is trying again after a short pause, doubling, so that one connection serves every
  conversation of the process at once and none waits on another's lock.
* ``holds``: whether the lock is still held, asked by long work under it (``bot/leading.py``).
* ``fence``: every write made inside ``exclusive`` blocks checks, in its own transaction,
  that the lock connection still holds them, and rolls back if not (``LostLock``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import psycopg

from storage.postgres_pool import CONNECT_TIMEOUT

log = logging.getLogger(__name__)
LOCKS = 0x736C  # "sl": the first half of every key, so other users of the database's
# advisory locks (given one number) never meet ours
FIRST_PAUSE, LONGEST_PAUSE = 0.005, 0.2
"""Seconds between tries while another process holds what ``exclusive`` waits for."""
WHO = "storyloop worker {pid}"
"""The connection's ``application_name``: who holds what shows in ``pg_stat_activity``."""
HOLDER = ("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
          " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s"
          " AND l.objid::bigint = (hashtext(%s)::bigint & 4294967295)")
"""Who holds the lock of a name (``LOCKS``, the name): the application name of its worker."""
HELD = ("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND pid = pg_backend_pid() AND classid = %s"
        " AND objid::bigint = (hashtext(%s)::bigint & 4294967295))")
"""Whether this connection holds the lock of a name (``LOCKS``, the name)."""
FENCE = ("SELECT 1 / (count(*) = (SELECT count(DISTINCT hashtext(n))"
         " FROM unnest(%(names)s::text[]) n))::int"
         " FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = %(pid)s"
         " AND classid = %(locks)s AND objid::bigint IN"
         " (SELECT hashtext(n)::bigint & 4294967295 FROM unnest(%(names)s::text[]) n)")
"""Fails (division by zero, so the transaction it is in rolls back) unless the lock
connection (``pid``) holds the lock of every one of ``names``: checked by a write made
inside ``exclusive`` blocks just before it commits."""
INSIDE: ContextVar[tuple[tuple[object, str], ...]] = ContextVar("storyloop_inside", default=())
"""The ``exclusive`` blocks the running task is inside, each with the task that entered it: a
task started inside a block sees them too, but is not in them (it may outlive them)."""


class AdvisoryLocks:
    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._leases: set[str] = set()
        self._using = asyncio.Lock()
        self.round_trips = 0
        """Statements sent on the lock connection so far (``bench/workers.py`` counts them)."""

    async def close(self) -> None:
        """Let go of everything held: the connection ends."""
        if self._connection is not None:
            await self._connection.close()
        self._connection, self._leases = None, set()

    async def take_lease(self, name: str) -> bool:
        if name in self._leases and await self._alive():
            return True
        if await self._try(name):
            self._leases.add(name)
            return True
        return False

    @asynccontextmanager
    async def exclusive(self, name: str, wait: bool = True) -> AsyncIterator[bool]:
        pause = FIRST_PAUSE
        while not await self._try(name):
            if not wait:
                yield False
                return
            await asyncio.sleep(pause)  # another process is inside: try again shortly
            pause = min(LONGEST_PAUSE, pause * 2)
        inside = INSIDE.set((*INSIDE.get(), (asyncio.current_task(), name)))
        try:
            yield True
        finally:
            INSIDE.reset(inside)
            await self._unlock(name)

    def fence(self) -> tuple[str, dict[str, Any]] | None:
        """The check a write makes before it commits, when made inside ``exclusive``
        blocks: that this process still holds each of them (``FENCE``). A block whose lock
        fell with its connection then writes nothing, so no other process's write, made
        under the same lock taken meanwhile, is overwritten."""
        task = asyncio.current_task()
        names = [name for entered, name in INSIDE.get() if entered is task]
        if not names:
            return None
        connection = self._connection
        pid = 0 if connection is None or connection.closed else connection.info.backend_pid
        return FENCE, {"names": names, "pid": pid, "locks": LOCKS}

    async def holds(self, name: str) -> bool:
        """Asked on the connection that took the lock, never a new one: once that connection
        has fallen, its locks are gone, and so is everything this process held."""
        async with self._using:
            connection = self._connection
            if connection is None or connection.closed:
                return False
            self.round_trips += 1
            try:
                row = await (await connection.execute(HELD, (LOCKS, name))).fetchone()
                return bool(row and row[0])
            except psycopg.OperationalError:
                log.warning("lost the connection holding storyloop's locks")
            except asyncio.CancelledError:  # the check took too long: what it held is in doubt
                await self._drop()
                raise
            await self._drop()
            return False

    async def _try(self, name: str) -> bool:
        async with self._using:
            try:
                return await self._try_on(await self._connected(), name)
            except psycopg.OperationalError:  # the connection fell, and what it held
                log.warning("lost the connection holding storyloop's locks; reconnecting")
                await self._drop()
                return await self._try_on(await self._connected(), name)

    async def _try_on(self, connection: psycopg.AsyncConnection[Any], name: str) -> bool:
        self.round_trips += 1
        cursor = await connection.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))",
                                          (LOCKS, name))
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def _unlock(self, name: str) -> None:
        async with self._using:
            connection = self._connection
            if connection is None or connection.closed:
                return  # the connection ended, and the lock with it
            self.round_trips += 1
            try:
                await connection.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))",
                                         (LOCKS, name))
            except psycopg.OperationalError:  # it fell: whatever it held is let go already
                log.warning("lost the connection holding storyloop's locks")
                await self._drop()

    async def _alive(self) -> bool:
        """Whether the connection holding the leases still stands; if it fell, so did they."""
        async with self._using:
            connection = self._connection
            if connection is not None and not connection.closed:
                self.round_trips += 1
                try:
                    await connection.execute("SELECT 1")
                    return True
                except psycopg.OperationalError:
                    log.warning("lost the connection holding storyloop's leases")
            await self._drop()
            return False

    async def _connected(self) -> psycopg.AsyncConnection[Any]:
        if self._connection is None or self._connection.closed:
            await self._drop()
            self._connection = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, application_name=WHO.format(pid=os.getpid()),
                connect_timeout=int(CONNECT_TIMEOUT))
        return self._connection

    async def _drop(self) -> None:
        if self._connection is not None and not self._connection.closed:
            await self._connection.close()
        self._connection, self._leases = None, set()
