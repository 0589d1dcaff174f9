"""One lock per conversation, held only while someone needs it (idle conversations cost none).

Within the process it is an ``asyncio.Lock``; ``across``, if given, is then held too, against
other processes sharing the database (``storage.ports.Leases.exclusive``): so that only one
waiter per key in each process asks for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

Across = Callable[[Hashable], AbstractAsyncContextManager[object]]


class KeyedLocks:
    def __init__(self, across: Across | None = None) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}
        self.across = across

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._across(key):
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def _across(self, key: Hashable) -> AbstractAsyncContextManager[object]:
        return nullcontext() if self.across is None else self.across(key)

    def __len__(self) -> int:
        return len(self._locks)
