"""Several workers on one store: N processes, each its own App on the same database (as N
``storyloop run`` would be), together driving a fixed number of conversations through
``App.handle`` for a fixed time, each conversation sending its next message the moment the
last reply arrives. Used by ``bench/pipeline.py --store URL --workers 1,2,4``.

Each worker has its share of the conversations, in rooms of its own for this run (so that a
second run on the same database is not taken for Slack's retries). Messages/s is every
worker's messages over the time; p50/p99 over every message's latency; lock round trips per
message: statements each worker sent on its own lock connection (``storage/postgres_locks.py``)
for each message it handled (a conversation's lock taken and let go; sending the replies,
not measured here, takes a room's lock the same way).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from bench.pipeline import STORY
from bot.compose import compose
from bot.core.clock import SystemClock
from bot.core.config import Config
from bot.core.types import EventId, IncomingMessage, Platform, RoomId, UserId
from bot.features.privacy import Pseudonymiser
from bot.runner import settle_heap
from storage.open import open_store

KEY = b"benchmark pseudonym key, 32 bytes"


def measure(url: str, workers: int, conversations: int, seconds: float) -> dict[str, float]:
    """Messages/s and latency of ``workers`` processes on the store at ``url``."""
    run = uuid.uuid4().hex[:8]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    share = max(1, conversations // workers)
    results: Queue[tuple[list[float], int]] = context.Queue()
    processes = [context.Process(target=_worker, name=f"bench worker {w}",
                                 args=(url, f"{run}-{w}", share, seconds, barrier, results))
                 for w in range(workers)]
    for process in processes:
        process.start()
    parts = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(latency for part, _ in parts for latency in part)
    trips = sum(trips for _, trips in parts)
    return {
        "workers": workers,
        "messages": len(latencies),
        "lock_round_trips_per_message": round(trips / max(1, len(latencies)), 2),
        "messages_per_s": round(len(latencies) / seconds),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 2),
    }


def _worker(url: str, name: str, conversations: int, seconds: float, barrier: Barrier,
            results: Queue[tuple[list[float], int]]) -> None:
    results.put(asyncio.run(_drive(url, name, conversations, seconds, barrier)))


async def _drive(url: str, name: str, conversations: int, seconds: float,
                 barrier: Barrier) -> tuple[list[float], int]:
    """Every message's latency, and the statements sent on the lock connection (PostgreSQL;
    0 for a store of one process's own)."""
    store = open_store(url)
    await store.open()
    try:
        app = compose(Config(), store, clock=SystemClock(), pseudonymise=Pseudonymiser(KEY)).app
        settle_heap()
        latencies: list[float] = []
        await asyncio.to_thread(barrier.wait)  # every worker starts at once
        deadline = time.perf_counter() + seconds

        async def talk(n: int) -> None:
            sent = 0
            while time.perf_counter() < deadline:
                msg = IncomingMessage(
                    platform=Platform("bench"), room_id=RoomId(f"!dm-{name}-{n}"),
                    sender_id=UserId(f"@person-{name}-{n}:bench"),
                    event_id=EventId(f"${name}.{n}.{sent}"), text=STORY[sent % len(STORY)],
                    timestamp=app.clock.now())
                sent += 1
                started = time.perf_counter()
                replies = await app.handle(msg)
                assert replies, f"no reply to {msg.text!r}"
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(talk(n) for n in range(conversations)))
        return latencies, int(getattr(store, "lock_round_trips", 0))
    finally:
        await store.close()


def compare(url: str, counts: list[int], sqlite_url: str, conversations: int,
            seconds: float) -> dict[str, Any]:
    """``url`` with each count of workers, beside SQLite with one (one process's file)."""
    return {
        "store": {f"{n} worker{'s' if n > 1 else ''}": measure(url, n, conversations, seconds)
                  for n in counts},
        "sqlite": {"1 worker": measure(sqlite_url, 1, conversations, seconds),
                   "note": "SQLite is one process's file: one worker only"},
    }
