"""``open_store(url)``: the store a storage URL names.

    sqlite:///relative/file.db    SQLite, relative to the working directory
    sqlite:////absolute/file.db   SQLite, an absolute path
    postgresql://user@host:5432/database   PostgreSQL (also postgres://): libpq's URL
    memory://                     in memory, gone when the process ends (tests, trying out)

Anything else is a :class:`ConfigError` for ``storage.url``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.storage_url import InMemory, PostgresServer, SQLiteFile, parse_storage_url
from storage.base import Store
from storage.memory import MemoryStore
from storage.postgres import PostgresStore
from storage.sqlite import SQLiteStore

STORES: dict[type[Any], Callable[[Any], Store]] = {
    SQLiteFile: lambda where: SQLiteStore(where.path),
    InMemory: lambda where: MemoryStore(),
    PostgresServer: lambda where: PostgresStore(
        where.url, f"PostgreSQL database {where.database!r} at {where.host}"),
}
"""Each kind of store, by the kind of place its URL names (``bot/core/storage_url.py``)."""


def open_store(url: str) -> Store:
    """The store ``url`` names, ready to ``open()`` (which connects and migrates); the caller
    ``close()``s it."""
    where = parse_storage_url(url)
    return STORES[type(where)](where)
