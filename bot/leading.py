"""Work only one worker may do at a time (a scheduled job, the Matrix sync), kept to the worker
that holds its lock for as long as the work runs, not only when it starts.

A worker holds such a lock on its own database connection (``storage.ports.Leases``). If that
connection falls while the worker lives (the database restarted, a firewall dropped an idle
connection), the lock is gone and another worker takes it at its next try. So work under a
lock asks every ``CHECK_EVERY`` whether its worker still holds it, and is cancelled the moment
the answer is no, or is not given within ``CHECK_TIMEOUT`` (the database cannot be reached).
A worker that takes over work another worker was doing waits ``HANDOVER`` first: by then the
one it takes over from has stopped, whichever way it lost the lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

CHECK_EVERY = 1.0
"""Seconds between two checks that the worker still holds the lock of what it runs."""
CHECK_TIMEOUT = 2.0
"""Seconds a check may take; one that takes longer counts as the lock lost."""
HANDOVER = CHECK_EVERY + CHECK_TIMEOUT
"""Seconds a worker taking over waits before it starts: its predecessor has stopped by then."""

Holds = Callable[[str], Awaitable[bool]]
"""Whether this worker still holds the lock of that name (``Leases.holds``)."""


class LostHold(Exception):
    """The worker lost the lock of what it was running, and stopped it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
        """The lock lost."""


async def while_held(holds: Holds, name: str, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` while this worker holds ``name``: its result, or ``LostHold`` once the
    lock is lost (the work cancelled first, so nothing of it runs beside a successor's)."""
    if not await _still_holds(holds, name):
        raise _lost(name)
    task = asyncio.ensure_future(work())
    try:
        while True:
            done, _ = await asyncio.wait([task], timeout=CHECK_EVERY)
            if done:
                return task.result()
            if not await _still_holds(holds, name):
                raise _lost(name)
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _lost(name: str) -> LostHold:
    log.error("this worker lost the lock of %r (its connection to the database fell); it "
              "stops that work, which the worker holding it now does", name)
    return LostHold(name)


async def _still_holds(holds: Holds, name: str) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return await holds(name)
    except TimeoutError:
        log.warning("could not tell within %s s whether this worker holds %r", CHECK_TIMEOUT,
                    name)
    except Exception:
        log.exception("could not tell whether this worker holds %r", name)
    return False
