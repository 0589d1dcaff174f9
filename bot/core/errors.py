"""Every error storyloop raises on purpose.

    StoryloopError
    ├── ConfigError            a setting is missing or wrong; names the key
    ├── CatalogueError         a word catalogue (.po) is missing or unreadable; names the file
    ├── StorageError           the database cannot be used as it is
    │   └── SchemaTooNewError  the database was written by a newer storyloop
    └── PlatformError          a chat platform refused or failed a request
        ├── RateLimited        the platform asked us to wait (``retry_after`` seconds)
        └── Unreachable        the platform could not be reached: try again later
"""

from __future__ import annotations


class StoryloopError(Exception):
    """Base of all storyloop errors."""


class ConfigError(StoryloopError):
    """A configuration value is missing or wrong. ``key`` is its dotted name."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class CatalogueError(StoryloopError):
    """A word catalogue cannot be used. ``where`` is its file (or the locale asked for)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class StorageError(StoryloopError):
    """The database cannot be used as it is."""


class LostLock(StorageError):
    """A write made under a lock found, before committing, that the lock was lost (its
    connection to the database fell): nothing of it was written."""


class SchemaTooNewError(StorageError):
    """The database schema is newer than this version of storyloop understands."""


class PlatformError(StoryloopError):
    """A chat platform refused or failed a request."""


class RateLimited(PlatformError):
    """The platform asked us to slow down."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(PlatformError):
    """The platform could not be reached (it is down, or the connection dropped): what was
    asked may or may not have happened, and is worth asking again."""
