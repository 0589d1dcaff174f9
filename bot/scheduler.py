"""Background work, in one place: every job and task ``storyloop run`` starts is held here
(strong references, so none is lost to the garbage collector) and cancelled cleanly on stop.

A job runs at once and then every ``every``; a failure is logged and the job runs again at its
next turn. What must survive a restart is never a timer here: it is a deadline in the store
that a job sweeps (STYLE.md 15).

Several processes may share one database (``storyloop run`` started N times): each job then
runs in one of them at a time, the one holding its lease (``storage.ports.Leases``). The
others try for the lease every ``LEASE_RETRY`` and take the job over within that time once
its holder has died. A run is cancelled if its process loses the lease while it runs, and a
process that has just taken a lease waits ``bot.leading.HANDOVER`` before its first run, so
no run of a job overlaps another's (``bot/leading.py``). With one process (SQLite, memory)
the lease is always granted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.leading import HANDOVER, LostHold, while_held
from storage.ports import Leases

log = logging.getLogger(__name__)
LEASE_RETRY = timedelta(seconds=2)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]
    everywhere: bool = False
    """Run in every process, without a lease: work that is safe side by side."""


class Scheduler:
    def __init__(self, leases: Leases | None = None) -> None:
        self.leases = leases if leases is not None and leases.shared else None
        """Who runs which job, when processes share the store; None: this one runs all."""
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
                    await self._run(job)
                except LostHold:  # logged; the lease is asked for again, as others do
                    self.held.discard(job.name)
                    await asyncio.sleep(LEASE_RETRY.total_seconds())  # as others retry
                    continue
                except Exception:
                    log.exception("the scheduled job %r failed; it runs again in %s",
                                  job.name, job.every)
                await asyncio.sleep(job.every.total_seconds())  # the job's period
            else:
                await asyncio.sleep(min(job.every, LEASE_RETRY).total_seconds())

    async def _run(self, job: Job) -> None:
        if self.leases is None or job.everywhere:
            await job.run()
            return
        if job.name not in self.held:  # newly taken: its last holder may not know yet
            self.held.add(job.name)
            await asyncio.sleep(HANDOVER)  # the time it has to notice and stop
        await while_held(self.leases.holds, _lease(job), job.run)

    async def _held(self, job: Job) -> bool:
        """Whether this process runs ``job`` now: it holds the job's lease."""
        if job.everywhere or self.leases is None:
            return True
        try:
            held = await self.leases.take_lease(_lease(job))
        except Exception:
            log.exception("cannot tell whether this process holds the lease of job %r",
                          job.name)
            held = False
        if held and job.name not in self.held:
            log.info("this process runs the scheduled job %r now", job.name)
        elif not held and job.name in self.held:
            log.warning("this process no longer runs the scheduled job %r", job.name)
            self.held.discard(job.name)
        return held


def _lease(job: Job) -> str:
    return f"job:{job.name}"
