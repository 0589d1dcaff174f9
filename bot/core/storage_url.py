"""Where the store is, as a URL: ``sqlite:///relative.db``, ``sqlite:////absolute.db``,
``postgresql://user@host:5432/database`` (or ``postgres://``) or ``memory://``.
Checked when the config is read (so a bad one is named at start) and again by
``storage.open.open_store``, which opens what it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.core.errors import ConfigError

KEY = "storage.url"
DEFAULT = "sqlite:///storyloop.db"
SUPPORTED = ("sqlite:///relative/file.db, sqlite:////absolute/file.db, "
             "postgresql://user@host:5432/database or memory://")
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class SQLiteFile:
    path: Path


@dataclass(frozen=True)
class InMemory:
    """A store that keeps nothing once the process ends."""


@dataclass(frozen=True)
class PostgresServer:
    """A database on a PostgreSQL server, reached with libpq's URL as given (its password,
    if any, is not shown by ``repr``: better kept in ``~/.pgpass`` or ``PGPASSWORD``)."""

    url: str = field(repr=False)
    database: str
    host: str


def parse_storage_url(url: str) -> SQLiteFile | InMemory | PostgresServer:
    """What ``url`` names; a :class:`ConfigError` for ``storage.url`` if nothing we support."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise ConfigError(KEY, f"{url!r} is not a storage URL; use {SUPPORTED}")
    if scheme.lower() == "sqlite":
        return SQLiteFile(_sqlite_file(url, rest))
    if scheme.lower() in POSTGRES_SCHEMES:
        return _postgres_server(url)
    if scheme.lower() == "memory" and not rest:
        return InMemory()
    if scheme.lower() == "memory":
        raise ConfigError(KEY, f"{url!r}: memory:// takes nothing after it")
    raise ConfigError(KEY, f"{scheme!r} storage is not supported (in {url!r}); use {SUPPORTED}")


def _sqlite_file(url: str, rest: str) -> Path:
    """The file after ``sqlite://``: an empty host, then the path (``/`` first if absolute)."""
    host, slash, file = rest.partition("/")
    if host or not slash:
        raise ConfigError(KEY, f"{url!r} names a host; SQLite URLs have three slashes before "
                          "a relative path and four before an absolute one, like "
                          "sqlite:///storyloop.db")
    if not file or file.endswith("/"):
        raise ConfigError(KEY, f"{url!r} names no database file, like sqlite:///storyloop.db")
    if file == ":memory:":
        raise ConfigError(KEY, f"{url!r}: for a store kept in memory, use memory://")
    if "?" in file or "#" in file:
        raise ConfigError(KEY, f"{url!r}: options after the file name are not supported")
    return Path(file)


def _postgres_server(url: str) -> PostgresServer:
    """A libpq URL that names its database; the host may be empty (the local socket)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # checks it is a number
    except ValueError as exc:
        raise ConfigError(KEY, f"{_shown(url)} is not a PostgreSQL URL ({exc}); use one like "
                          "postgresql://storyloop@127.0.0.1:5432/storyloop") from None
    database = parts.path.removeprefix("/")
    if not database or "/" in database:
        raise ConfigError(KEY, f"{_shown(url)} names no database; put it after the host, like "
                          "postgresql://storyloop@127.0.0.1:5432/storyloop")
    if parts.fragment:
        raise ConfigError(KEY, f"{_shown(url)}: a PostgreSQL URL has no '#' part")
    host = parts.hostname or "the local socket"
    return PostgresServer(url, database, host if port is None else f"{host}:{port}")


def _shown(url: str) -> str:
    """``url`` quoted for an error, with its password (if any) left out."""
    return repr(shown(url))


def shown(url: str) -> str:
    """``url`` with its password (if it has one) as ``***``: to print or log."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return url.replace(f":{password}@", ":***@", 1) if password else url
