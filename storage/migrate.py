"""Bring a database's schema up to date, outside any store class.

``migrate(connection, "sqlite")`` (or ``"postgresql"``) applies the numbered migrations of
``storage/migrations.py`` that the database lacks, each in a transaction of its own that also
records its version, using the statements written for that dialect. A database newer than this
code is refused untouched.

The connection is a DB-API one in autocommit mode (``sqlite3`` with ``isolation_level=None``;
psycopg with ``autocommit=True``): the runner begins and commits each transaction itself. It
blocks, so a store calls it on a thread of its own (the SQLite store: its writer thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.errors import SchemaTooNewError, StorageError
from storage.migrations import MIGRATIONS, POSTGRESQL, SQLITE, Migration

log = logging.getLogger(__name__)


class Cursor(Protocol):
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, /) -> Cursor: ...


@dataclass(frozen=True)
class Dialect:
    """How one kind of database begins a transaction, keeps its schema version, and checks
    itself before a migration commits."""

    name: str
    begin: str
    read_version: str
    write_version: str
    """With ``{version}`` where the number goes."""
    checks: tuple[str, ...] = ()
    """Queries that must find nothing before a migration commits."""
    around: Callable[[Connection], AbstractContextManager[None]] | None = None
    """Settings to change while migrating, restored afterwards."""
    prepare: tuple[str, ...] = ()
    """Run before the version is read (outside a transaction): where it is kept, made if
    missing."""


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Rebuilding a table drops the old one, which must not cascade to the rows that refer to
    it; the ``foreign_key_check`` before each commit keeps the references honest."""
    [(was_on,)] = connection.execute("PRAGMA foreign_keys").fetchall()
    connection.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction
    try:
        yield
    finally:
        connection.execute(f"PRAGMA foreign_keys = {'ON' if was_on else 'OFF'}")


DIALECTS: Mapping[str, Dialect] = {
    SQLITE: Dialect(SQLITE, begin="BEGIN IMMEDIATE", read_version="PRAGMA user_version",
                    write_version="PRAGMA user_version = {version}",
                    checks=("PRAGMA foreign_key_check",), around=_sqlite_foreign_keys_off),
    # One row, in a table of its own. The store holds an advisory lock while it migrates, so
    # that two processes starting at once migrate one after the other.
    POSTGRESQL: Dialect(
        POSTGRESQL, begin="BEGIN", read_version="SELECT version FROM storyloop_schema",
        write_version="UPDATE storyloop_schema SET version = {version}",
        prepare=("CREATE TABLE IF NOT EXISTS storyloop_schema (version integer NOT NULL)",
                 "INSERT INTO storyloop_schema (version) SELECT 0 WHERE NOT EXISTS "
                 "(SELECT 1 FROM storyloop_schema)")),
}


def migrate(connection: Connection, dialect: str, name: str = "the database",
            migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply what ``connection``'s database lacks; return its version now. ``name`` says
    which database, in errors and the log."""
    chosen = _dialect(dialect)
    version = schema_version(connection, chosen.name)
    pending = _pending(migrations, version, chosen, name)
    if not pending:
        return version
    with chosen.around(connection) if chosen.around else nullcontext():
        for migration in pending:
            _apply(connection, chosen, migration)
            log.info("%s: migrated to version %d, %s", name, migration.version,
                     migration.description)
    return pending[-1].version


def schema_version(connection: Connection, dialect: str) -> int:
    chosen = _dialect(dialect)
    for statement in chosen.prepare:
        connection.execute(statement)
    rows = connection.execute(chosen.read_version).fetchall()
    return int(rows[0][0]) if rows else 0


def _dialect(name: str) -> Dialect:
    if name not in DIALECTS:
        raise StorageError(f"no migrations are written for {name!r} databases; "
                           f"known: {', '.join(DIALECTS)}")
    return DIALECTS[name]


def _pending(migrations: Sequence[Migration], version: int, dialect: Dialect,
             name: str) -> list[Migration]:
    """The migrations to apply, checked before the first is: all or none can run."""
    latest = migrations[-1].version if migrations else 0
    if version > latest:
        raise SchemaTooNewError(
            f"{name} has schema version {version}, but this storyloop knows only up to "
            f"{latest}; upgrade storyloop or use another database")
    pending = [m for m in migrations if m.version > version]
    missing = [m.version for m in pending if dialect.name not in m.statements]
    if missing:
        raise StorageError(f"migrations {missing} have no statements for {dialect.name}")
    return pending


def _apply(connection: Connection, dialect: Dialect, migration: Migration) -> None:
    """One migration and its version number, committed together or not at all."""
    connection.execute(dialect.begin)
    try:
        for statement in migration.statements[dialect.name]:
            connection.execute(statement)
        _check(connection, dialect, migration)
        connection.execute(dialect.write_version.format(version=migration.version))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _check(connection: Connection, dialect: Dialect, migration: Migration) -> None:
    for check in dialect.checks:
        if found := connection.execute(check).fetchall():
            raise StorageError(f"migration {migration.version} ({migration.description}) "
                               f"would leave the database inconsistent: {check} found "
                               f"{found[:5]}")
