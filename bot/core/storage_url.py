"""Where the store is, as a URL: ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or
``memory://``. Checked when the config is read (so a bad one is named at start) and again by
``storage.open.open_store``, which opens what it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import ConfigError

KEY = "storage.url"
DEFAULT = "sqlite:///storyloop.db"
SUPPORTED = ("sqlite:///relative/file.db, sqlite:////absolute/file.db or memory:// "
             "(PostgreSQL comes in a later release)")


@dataclass(frozen=True)
class SQLiteFile:
    path: Path


@dataclass(frozen=True)
class InMemory:
    """A store that keeps nothing once the process ends."""


def parse_storage_url(url: str) -> SQLiteFile | InMemory:
    """What ``url`` names; a :class:`ConfigError` for ``storage.url`` if nothing we support."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise ConfigError(KEY, f"{url!r} is not a storage URL; use {SUPPORTED}")
    if scheme.lower() == "sqlite":
        return SQLiteFile(_sqlite_file(url, rest))
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
