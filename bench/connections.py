"""How long do ``connections`` (introductions' suggestions) and the introductions job take
over many stored stories?  Prints JSON; exits 1 if a target is missed.

Setup (not timed): ``--stories`` stories made as ``bench/digest.py`` makes them (its samples,
seeded), about 40 % of whose tellers may be contacted and half of those happy to be
introduced, stored in a real SQLite file; then ``--proposed`` introductions proposed.

Timed, each three times, best kept, in the same run on the same database:

* ``reference``: ``store.list_stories()`` alone, the read ``connections`` cannot avoid;
* ``connections``: the moderator's command, start to answer (its pairs are found theme by
  theme, the newest first, and it stops at the 20 it shows);
* ``tick``: the scheduler's ``introductions`` job with nothing due (quiet hours excepted).

Targets: ``connections`` at most 1.5 x the reference plus 50 ms; ``tick`` at most 50 ms.

    .venv/bin/python bench/connections.py [--stories 20000] [--proposed 200]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.digest import SAMPLES, generate, read_samples, store_all
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config
from bot.core.introductions import Introduction, Side
from bot.core.types import EventId, IncomingMessage, MessageKind, Platform, RoomId, Story, UserId
from storage.base import Store
from storage.open import open_store

MODERATOR = UserId("@mod:bench")
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday, outside quiet hours


def willing(stories: list[Story], rng: random.Random) -> list[Story]:
    """Half the tellers who may be contacted are happy to be introduced."""
    return [s.model_copy(update={"consent": s.consent.model_copy(update={
        "introduce": s.consent.contact and rng.random() < 0.5})}) for s in stories]


async def best(work: Callable[[], Awaitable[object]], times: int = 3) -> float:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        await work()
        seconds.append(time.perf_counter() - started)
    return round(min(seconds), 4)


async def propose(store: Store, count: int) -> None:
    ready = [s for s in await store.list_stories() if s.consent.introduce and s.id]
    for a, b in zip(ready[:count], ready[count:2 * count], strict=False):
        assert a.id is not None and b.id is not None
        await store.save_introduction(Introduction(at=NOON, by="bench", sides=(
            Side(story_id=a.id, platform=a.platform, participant=a.participant),
            Side(story_id=b.id, platform=b.platform, participant=b.participant))))


async def measure(store: Store) -> dict[str, float]:
    bot = compose(Config(), store, clock=FakeClock(NOON),
                  moderators=[(Platform("test"), MODERATOR)])
    assert bot.introductions is not None
    events = itertools.count()

    def command() -> IncomingMessage:
        return IncomingMessage(platform=Platform("test"), room_id=RoomId("!mods"),
                               sender_id=MODERATOR, event_id=EventId(f"$c{next(events)}"),
                               text="connections", is_direct=False, kind=MessageKind.COMMAND,
                               timestamp=NOON)

    [answer] = await bot.app.handle(command())
    assert "connect N M" in answer.text, answer.text
    return {"reference_list_stories_s": await best(store.list_stories),
            "connections_s": await best(lambda: bot.app.handle(command())),
            "tick_s": await best(bot.introductions.tick)}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--proposed", type=int, default=200)
    args = parser.parse_args()
    stories = willing(generate(read_samples(SAMPLES), args.stories), random.Random(7))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'connections.db'}")
        await store.open()
        try:
            await store_all(store, stories)
            await propose(store, args.proposed)
            figures = await measure(store)
        finally:
            await store.close()
    allowed = 1.5 * figures["reference_list_stories_s"] + 0.05
    results = {"stories": len(stories), "willing": sum(s.consent.introduce for s in stories),
               "proposed": args.proposed, **figures,
               "targets": {"connections_s": round(allowed, 4), "tick_s": 0.05}}
    print(json.dumps(results, indent=2))
    return 0 if figures["connections_s"] <= allowed and figures["tick_s"] <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
