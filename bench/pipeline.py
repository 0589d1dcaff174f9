"""How fast is one message through router -> flow -> SQLite, and what does an idle
conversation cost?  Prints JSON.

Three measurements, all through ``App.handle`` on a real SQLite file (WAL, synchronous=FULL),
and a reference to read them by:

Before timing, each conversation is moved a random number of messages into its story, so
that, as in life, they are at different points of it.

* ``saturated``: N conversations each send their next message the moment the last reply
  arrives. This is the most the pipeline can do; latency here is mostly queueing.
* ``paced``: the same N conversations, with people pausing between messages so that together
  they offer ``--rate`` messages a second. This is the target scenario: its latency is what a
  person waits for a reply.
* ``idle``: Python memory held per conversation parked mid-story (tracemalloc), and the bytes
  each takes on disk.
* ``reference``: no bot at all. Stdlib ``sqlite3`` on a fresh file in the same directory (WAL,
  synchronous=FULL, other settings left at SQLite's defaults), one thread inserting one
  ~200-byte row, about a conversation row, and committing it, row after row, for as long as
  each phase above. ``raw_sqlite_commits_per_s`` is how many durable commits this machine's
  disk allows; ``ratio_to_raw_sqlite`` is saturated messages/s divided by it, a figure that
  compares across machines. The store groups turns into one commit, so it can exceed 1.

    .venv/bin/python bench/pipeline.py [--conversations 1000] [--rate 5000] [--seconds 4]

With ``--store URL``, instead: several workers (``--workers 1,2,4``: separate processes, each
its own App, as several ``storyloop run`` would be) on the store at ``URL``, each count in
turn, beside SQLite with one worker, in the same run (``bench/workers.py``):

    .venv/bin/python bench/pipeline.py --store postgresql://... --workers 1,2,4
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bot.app import App
from bot.compose import compose
from bot.core.config import Config
from bot.core.types import EventId, IncomingMessage, Platform, RoomId, UserId
from bot.features.privacy import Pseudonymiser
from bot.runner import settle_heap
from storage.base import Store
from storage.open import open_store

STORY = [
    "hi", "yes", "yes",
    "The surgery phone line is engaged from 8am every Monday and people give up.",
    "The practice manager started a call-back list and texts people a time slot.",
    "Fewer angry calls; receptionists say Mondays feel calmer.",
    "Other practices could copy the template.", "no", "1, 3", "skip", "staff", "1", "yes",
]
RAW_ROW = ('{"flow": "story", "state": "tried", "draft": {"situation": "The surgery phone line '
           'is engaged from 8am every Monday and people give up.", "themes": ["access"]}, '
           '"updated_at": "2026-03-02T09:00:00+00:00"}')
"""About the size of one conversation row's data: the reference commits one per transaction."""


class Person:
    def __init__(self, app: App, n: int) -> None:
        self.app, self.n, self.sent = app, n, 0
        self.user = UserId(f"@person{n}:bench")

    async def send_next(self) -> float:
        text = STORY[self.sent % len(STORY)]
        msg = IncomingMessage(platform=Platform("bench"), room_id=RoomId(f"!dm{self.n}"),
                              sender_id=self.user, event_id=EventId(f"${self.n}.{self.sent}"),
                              text=text, timestamp=self.app.clock.now())
        self.sent += 1
        started = time.perf_counter()
        replies = await self.app.handle(msg)
        assert replies, f"no reply to {text!r}"
        return time.perf_counter() - started


async def open_app(path: Path) -> tuple[App, Store]:
    store = open_store(f"sqlite:///{path}")
    await store.open()
    app = compose(Config(), store, clock=_clock(),
                  pseudonymise=Pseudonymiser(b"benchmark pseudonym key, 32 bytes")).app
    settle_heap()  # as `storyloop run` does once it has started
    return app, store


def _clock() -> Any:
    from bot.core.clock import SystemClock

    return SystemClock()


async def spread_out(people: list[Person]) -> None:
    """Real conversations are at different points of their stories, not in lockstep: move
    each person a (seeded) random number of messages in before anything is timed."""
    rng = random.Random(7)
    for person in people:
        for _ in range(rng.randrange(len(STORY))):
            await person.send_next()


async def saturated(app: App, conversations: int, seconds: float) -> dict[str, float]:
    people = [Person(app, n) for n in range(conversations)]
    await spread_out(people)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def talk(person: Person) -> None:
        while time.perf_counter() < deadline:
            latencies.append(await person.send_next())

    started = time.perf_counter()
    await asyncio.gather(*(talk(p) for p in people))
    return summary(latencies, time.perf_counter() - started)


async def paced(app: App, conversations: int, rate: float, seconds: float) -> dict[str, float]:
    """Each person sends every ``conversations / rate`` seconds (their pause is the pacing)."""
    people = [Person(app, 10**6 + n) for n in range(conversations)]
    await spread_out(people)
    interval = conversations / rate
    latencies: list[float] = []
    started = time.perf_counter()

    async def talk(person: Person, offset: float) -> None:
        due = started + offset
        while due < started + seconds:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))  # a person pausing
            latencies.append(await person.send_next())
            due += interval

    await asyncio.gather(*(talk(p, interval * i / conversations) for i, p in enumerate(people)))
    result = summary(latencies, time.perf_counter() - started)
    result["offered_per_s"] = rate
    return result


def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "messages": len(ordered),
        "messages_per_s": round(len(ordered) / elapsed),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


async def idle(path: Path, conversations: int) -> dict[str, float]:
    """Start N conversations, leave each mid-story, and see what stays in memory."""
    app, store = await open_app(path)
    people = [Person(app, 2 * 10**6 + n) for n in range(conversations)]
    for person in people[:10]:  # warm up caches and code paths before measuring
        await person.send_next()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for batch in range(0, conversations, 500):
        await asyncio.gather(*(p.send_next() for p in people[batch:batch + 500]))
        await asyncio.gather(*(p.send_next() for p in people[batch:batch + 500]))
    del people
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    await store.close()
    return {"conversations": conversations,
            "bytes_in_memory_per_idle_conversation": round(max(0, after - before) / conversations,
                                                           1),
            "bytes_on_disk_per_conversation": round(_disk(path) / conversations)}


def _disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def raw_sqlite_commits_per_s(path: Path, seconds: float) -> float:
    """The reference: a fresh file, WAL, synchronous=FULL, one small row per commit."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        started = time.perf_counter()
        commits = 0
        while time.perf_counter() - started < seconds:
            connection.execute("BEGIN")
            connection.execute("INSERT INTO rows (data) VALUES (?)", (RAW_ROW,))
            connection.execute("COMMIT")
            commits += 1
        return commits / (time.perf_counter() - started)
    finally:
        connection.close()


def reference(raw_per_s: float, saturated: dict[str, float]) -> dict[str, float]:
    return {"raw_sqlite_commits_per_s": round(raw_per_s),
            "ratio_to_raw_sqlite": round(saturated["messages_per_s"] / raw_per_s, 2)}


def several(args: argparse.Namespace) -> dict[str, Any]:
    """``--store``: each count of workers on it, beside SQLite with one."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as bench/pipeline.py
    from bench.workers import compare

    with tempfile.TemporaryDirectory() as tmp:
        counts = [int(n) for n in args.workers.split(",")]
        return compare(args.store, counts, f"sqlite:///{Path(tmp) / 'w.db'}",
                       args.conversations, args.seconds)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5000)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--store", help="a store's URL: measure several workers on it")
    parser.add_argument("--workers", default="1,2,4", help="counts of workers (--store)")
    args = parser.parse_args()
    if args.store:
        print(json.dumps(several(args), indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        app, store = await open_app(Path(tmp) / "bench.db")
        results: dict[str, Any] = {
            "saturated": await saturated(app, args.conversations, args.seconds),
            "paced": await paced(app, args.conversations, args.rate, args.seconds),
        }
        await store.close()
        results["idle"] = await idle(Path(tmp) / "idle.db", 10_000)
        raw = await asyncio.to_thread(raw_sqlite_commits_per_s, Path(tmp) / "raw.db", args.seconds)
        results["reference"] = reference(raw, results["saturated"])
    results["safeguarding_model"] = (
        "on: every message of four words or more is also read by the model, in a worker thread"
        if app.safety_model is not None else "off")
    results["targets"] = {"messages_per_s": ">= 5000", "p99_ms": "<= 20 (paced)",
                          "bytes_per_idle_conversation": "<= 4096"}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
