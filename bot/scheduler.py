"""Background work, in one place: every job and task ``storyloop run`` starts is held here
(strong references, so none is lost to the garbage collector) and cancelled cleanly on stop.

A job runs at once and then every ``every``; a failure is logged and the job runs again at its
next turn. What must survive a restart is never a timer here: it is a deadline in the store
that a job sweeps (STYLE.md 15).

Several processes may share one database (``storyloop run`` started N times): each job then
runs in one of them at a time, the one holding its lease (``storage.ports.Leases``). The
others try for the lease every ``LEASE_RETRY`` and take the job over within that time once
its holder has died. With one process (SQLite, memory) the lease is always granted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

log = logging.getLogger(__name__)
LEASE_RETRY = timedelta(seconds=2)
Lease = Callable[[str], Awaitable[bool]]
"""Whether this process holds the lease of that name (taking it if free)."""


async def always(name: str) -> bool:
    """The lease of a process alone on its database: always held."""
    return True


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]
    everywhere: bool = False
    """Run in every process, without a lease: work that is safe side by side."""


class Scheduler:
    def __init__(self, lease: Lease = always) -> None:
        self.lease = lease
        self.held: set[str] = set()
        """The jobs this process runs now (holds the leases of)."""
        self.jobs: list[Job] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, job: Job) -> None:
        """Run ``job`` periodically once the scheduler starts (or at once, if it has)."""
        self.jobs.append(job)
        if self._tasks:
            self.spawn(f"storyloop-{job.name}", self._repeat(job))

    def start(self) -> None:
        for job in self.jobs:
            self.spawn(f"storyloop-{job.name}", self._repeat(job))

    def spawn(self, name: str, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``work`` in the background, held until it ends or the scheduler stops."""
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        """Cancel everything still running and wait until it has ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _repeat(self, job: Job) -> None:
        while True:
            if await self._held(job):
                try:
                    await job.run()
                except Exception:
                    log.exception("the scheduled job %r failed; it runs again in %s",
                                  job.name, job.every)
                await asyncio.sleep(job.every.total_seconds())  # the job's period
            else:
                await asyncio.sleep(min(job.every, LEASE_RETRY).total_seconds())

    async def _held(self, job: Job) -> bool:
        """Whether this process runs ``job`` now: it holds the job's lease."""
        if job.everywhere:
            return True
        try:
            held = await self.lease(f"job:{job.name}")
        except Exception:
            log.exception("cannot tell whether this process holds the lease of job %r",
                          job.name)
            held = False
        if self.lease is always:
            return held
        if held and job.name not in self.held:
            log.info("this process runs the scheduled job %r now", job.name)
        elif not held and job.name in self.held:
            log.warning("this process no longer runs the scheduled job %r", job.name)
        (self.held.add if held else self.held.discard)(job.name)
        return held
