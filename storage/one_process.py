"""Leases for a store that only one process uses (memory, SQLite): granted at once, since no
other process could hold them. Within the process, callers keep their own locks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class OneProcess:
    shared = False

    async def take_lease(self, name: str) -> bool:
        return True

    async def holds(self, name: str) -> bool:
        return True

    @asynccontextmanager
    async def exclusive(self, name: str, wait: bool = True) -> AsyncIterator[bool]:
        yield True
