"""The PostgreSQL store's connections: a pool of psycopg 3 async connections.

Reads take a connection for one statement. Each write is one transaction on one connection,
its statements sent together (psycopg's pipeline mode: one round trip, not one per statement).
The schema is brought up to date once, at ``open``, on a connection of its own holding an
advisory lock, so that processes starting together migrate one after the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.core.errors import LostLock, StorageError
from storage.migrate import migrate, schema_version
from storage.migrations import POSTGRESQL
from storage.postgres_migrations import MIGRATIONS
from storage.postgres_rows import pg
from storage.sqlite_rows import Statements

T = TypeVar("T")
Work = Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]
"""One transaction's work on a connection; it may return what the database gave back."""
MIGRATION_LOCK = 0x73746F72796C6F6F  # "storyloo", as a number: pg_advisory_lock's key
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for the server at ``open`` before saying it cannot be reached."""
POOL_SIZE = 8


Fence = Callable[[], tuple[str, dict[str, Any]] | None]
"""The statement a transaction runs last, which fails if it must not commit (or None)."""


class Database:
    def __init__(self, url: str, name: str, fence: Fence = lambda: None) -> None:
        self.url, self.name, self.fence = url, name, fence
        """``name`` says which database in errors and the log, without its password."""
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None

    async def open(self) -> None:
        try:
            await asyncio.to_thread(self._migrate)
        except psycopg.OperationalError as exc:
            raise _not_connected(self.name, exc) from exc
        self._pool = AsyncConnectionPool(
            self.url, min_size=1, max_size=POOL_SIZE, open=False, name="storyloop",
            kwargs={"autocommit": True}, configure=_in_utc)
        try:
            await self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout as exc:
            await self.close()
            raise _not_connected(self.name, exc) from exc

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        self._pool = None

    @property
    def pool(self) -> AsyncConnectionPool[psycopg.AsyncConnection[Any]]:
        if self._pool is None:
            raise StorageError("the store is not open; call open() first")
        return self._pool

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT))

    def _migrate(self) -> None:
        with self._connect() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                migrate(connection, POSTGRESQL, name=self.name, migrations=MIGRATIONS)
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    async def schema_version(self) -> int:
        def read() -> int:
            with self._connect() as connection:
                return schema_version(connection, POSTGRESQL)

        return await asyncio.to_thread(read)

    async def execute_fetchall(self, sql: str,
                               parameters: Iterable[Any] | None = None) -> list[Any]:
        """One statement of the shared SQL (``?`` placeholders); its rows."""
        async with self.pool.connection() as connection:
            cursor = await connection.execute(pg(sql), None if parameters is None
                                              else tuple(parameters))
            return await cursor.fetchall() if cursor.description else []

    async def transaction(self, work: Work[T], durable: bool = True) -> T:
        """``work`` in one transaction, committed whole or rolled back whole if it raises.
        ``durable=False``: the commit does not wait for the disk (``synchronous_commit``
        off for this transaction alone); a crash of the server may lose it, never corrupt."""
        async with self.pool.connection() as connection, connection.transaction():
            if not durable:
                await connection.execute("SET LOCAL synchronous_commit = off")
            done = await work(connection)
            if (fence := self.fence()) is not None:
                try:
                    await connection.execute(*fence)
                except psycopg.errors.DivisionByZero:
                    raise LostLock("a lock this write was made under was lost (the database "
                                   "connection holding it fell): nothing was written") from None
            return done


def executing(statements: Statements) -> Work[None]:
    """Run each statement in order, sent together."""
    async def write(connection: psycopg.AsyncConnection[Any]) -> None:
        async with connection.pipeline(), connection.cursor() as cursor:
            for statement, params in statements:
                await cursor.execute(pg(statement), params)

    return write


def inserting(first: tuple[str, tuple[Any, ...]], then: Callable[[int], Statements]) -> Work[int]:
    """``first`` inserts a row and returns its new id (``RETURNING id``); ``then(id)`` follows
    in the same transaction, which returns the id."""
    async def write(connection: psycopg.AsyncConnection[Any]) -> int:
        new_id = await returned(connection, *first)
        assert new_id is not None
        await executing(then(new_id))(connection)
        return new_id

    return write


async def returned(connection: psycopg.AsyncConnection[Any], statement: str,
                   params: tuple[Any, ...]) -> int | None:
    """Run ``statement``; the number in the first column of its first row, if it gave one."""
    cursor = await connection.execute(pg(statement), params)
    row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def _in_utc(connection: psycopg.AsyncConnection[Any]) -> None:
    """Times come back in UTC, as the SQLite store gives them."""
    await connection.execute("SET TIME ZONE 'UTC'")


LOGIN_REFUSED = {"28000", "28P01"}
"""SQLSTATEs of a login the server refused: no such role or not allowed; a wrong password."""


def _not_connected(name: str, exc: Exception) -> StorageError:
    """What went wrong connecting to ``name``, in libpq's own last words (never the URL)."""
    reason = str(exc).rsplit(" failed: ", 1)[-1].strip()
    refused = getattr(exc, "sqlstate", None) in LOGIN_REFUSED or "password" in reason
    if refused:
        return StorageError(f"{name} refused the login: {reason} (give its password in the "
                            f"environment as PGPASSWORD, or in ~/.pgpass)")
    return StorageError(f"cannot reach {name}: {reason}")
