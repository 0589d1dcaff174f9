"""One scheduler for background work: jobs run, a failing job carries on, and stopping ends
every task it started. And one composition: what ``storyloop run`` schedules."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.compose import compose
from bot.core.config import Config, DigestConfig
from bot.scheduler import Job, Scheduler
from storage.base import Store
from storage.one_process import OneProcess


async def test_a_job_runs_at_once_and_a_failure_does_not_end_it(
        caplog: pytest.LogCaptureFixture) -> None:
    runs: list[int] = []
    twice = asyncio.Event()

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the first run fails")
        twice.set()

    scheduler = Scheduler()
    scheduler.add(Job("flaky", timedelta(0), flaky))
    scheduler.start()
    await asyncio.wait_for(twice.wait(), timeout=5)
    await scheduler.stop()
    assert runs[:2] == [0, 1]
    assert "the scheduled job 'flaky' failed" in caplog.text


async def test_stopping_cancels_and_awaits_every_task() -> None:
    scheduler = Scheduler()
    forever = asyncio.Event()
    task = scheduler.spawn("waits", forever.wait())
    scheduler.add(Job("idle", timedelta(hours=1), _nothing))
    scheduler.start()
    await scheduler.stop()
    assert task.cancelled()
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("storyloop-")]


class Granted(OneProcess):
    """Leases as a store shared by processes gives them: only those another process does
    not hold (``granted``); every ask noted."""

    shared = True

    def __init__(self) -> None:
        self.granted: set[str] = set()
        self.asked: list[str] = []
        self.asked_again = asyncio.Event()

    async def take_lease(self, name: str) -> bool:
        self.asked.append(name)
        if self.asked.count("job:digest") == 2:
            self.asked_again.set()
        return name in self.granted

    async def holds(self, name: str) -> bool:
        return name in self.granted


async def test_a_job_runs_only_while_its_lease_is_held_and_is_taken_up_when_granted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that does not hold a job's lease does not run it, and asks again shortly
    (another process died, say); a job run everywhere needs no lease."""
    monkeypatch.setattr("bot.scheduler.HANDOVER", 0)
    leases = Granted()
    ran = asyncio.Event()
    runs: list[str] = []

    async def digest() -> None:
        runs.append("digest")
        ran.set()

    async def sweep() -> None:
        runs.append("sweep")

    scheduler = Scheduler(leases)
    scheduler.add(Job("digest", timedelta(hours=1), digest))
    scheduler.add(Job("sweep", timedelta(hours=1), sweep, everywhere=True))
    scheduler.start()
    try:
        await asyncio.wait_for(leases.asked_again.wait(), timeout=10)
        assert runs == ["sweep"]
        leases.granted.add("job:digest")
        await asyncio.wait_for(ran.wait(), timeout=10)
    finally:
        await scheduler.stop()
    assert runs == ["sweep", "digest"]
    assert set(leases.asked) == {"job:digest"}


async def test_a_run_is_cancelled_when_its_process_loses_the_lease_midway(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lease lost while the job runs (its database connection fell): the run stops at
    the next check, and the lease is asked for again."""
    monkeypatch.setattr("bot.scheduler.HANDOVER", 0)
    leases = Granted()
    leases.granted.add("job:digest")
    started, stopped = asyncio.Event(), asyncio.Event()

    async def digest() -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # a long run: it ends only if cancelled
        finally:
            stopped.set()

    scheduler = Scheduler(leases)
    scheduler.add(Job("digest", timedelta(hours=1), digest))
    scheduler.start()
    try:
        await asyncio.wait_for(started.wait(), timeout=10)
        asked = len(leases.asked)
        leases.granted.clear()
        await asyncio.wait_for(stopped.wait(), timeout=10)
        await asyncio.wait_for(leases.asked_again.wait(), timeout=10)
    finally:
        await scheduler.stop()
    assert len(leases.asked) > asked
    assert "lost the lock of 'job:digest'" in caplog.text
    assert scheduler.held == set()


async def _nothing() -> None:
    return None


async def test_run_schedules_retention_always_and_the_digest_when_configured(store: Store) -> None:
    plain = compose(Config(), store)
    jobs = ["outbox", "follow_ups", "introductions", "retention"]
    assert [job.name for job in plain.scheduler.jobs] == jobs
    assert plain.desk is None
    with_digest = compose(Config(digest=DigestConfig()), store)
    assert [job.name for job in with_digest.scheduler.jobs] == [*jobs, "digest"]
    assert with_digest.desk is not None
    assert with_digest.app.commands is not None and with_digest.app.commands.knows("digest")
