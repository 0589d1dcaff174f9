"""How long does the weekly digest take over 100,000 stored stories?  Prints JSON; exits 1 if
the target is missed, 2 if the sample stories are not where expected.

Setup (not timed): stories made from ``bench/data/sample-stories.jsonl`` (in the repository,
found beside this file) with a seeded random (roles, statuses, mostly approved, consents,
safeguarding marks, themes, now and then a phone number to redact), spread over two years
before ``NOW`` and stored oldest first in a real SQLite file through ``SQLiteStore.save_turn``:
``TurnWrite`` batches of 1,000 gathered with ``asyncio.gather``, which the store's writer
commits as one transaction each, the same path the bot uses when a story is finished.

Timed as the bot does it on a Monday morning, each phase once:

* ``query``: ``store.list_stories(status=APPROVED, since=...)`` from the start of the eighth
  week back (the latest week plus the 7 before it, for the chart);
* ``draft``: the chart's weeks, then ``draft`` of the latest week;
* ``render``: ``to_text``, ``to_html``, ``chart_png`` and ``to_markdown_full``.

Two ways, in the same run on the same database: ``current`` (the code storyloop runs) and
``reference``, the code before issue 12 (``bench/digest_reference.py``: every story of the
week redacted while drafting, one pass per week, the chart drawn with matplotlib). Each runs
twice, current first: the first run pays its own imports (Pillow; matplotlib), as the first
digest after a start does, and the second shows them warm.

Targets: current <= 1.0 s (issue 5), and current <= half the reference (issue 12), both on
the first run.

    .venv/bin/python bench/digest.py [--stories 100000] [--samples PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.core.types import (
    Consent,
    Conversation,
    ConversationKey,
    ConversationStatus,
    Platform,
    Role,
    RoomId,
    Story,
    StoryStatus,
    TriedBy,
    UserId,
)
from bot.features.digest.content import Digest, draft, weeks_ending
from bot.features.digest.render import chart_png, to_html, to_markdown_full, to_text
from storage.base import Store, TurnWrite
from storage.open import open_store

try:
    from bench import digest_reference as reference
except ModuleNotFoundError:  # run as a script (python bench/digest.py): bench/ is on the path
    import digest_reference as reference  # type: ignore[import-not-found,no-redef]

SAMPLES = Path(__file__).parent / "data" / "sample-stories.jsonl"
"""Invented sample stories, kept in the repository (``bench/data/README.md``)."""
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday, 09:00: the digest covers the week before it."""
WEEK = timedelta(days=7)
SPAN = timedelta(days=730)
EARLIER_WEEKS = 7
BATCH = 1000
PARTICIPANTS = 20_000
TARGET_S = 1.0
TARGET_SHARE = 0.5
"""Of the reference's time, in the same run."""
LONDON = ZoneInfo("Europe/London")
PLATFORM = Platform("bench")
EXTRA_THEMES = ("access", "communication", "staff wellbeing", "digital", "waiting times",
                "carers", "community", "safety")
ROLES = ((Role.CITIZEN, 0.45), (Role.STAFF, 0.40), (Role.BOTH, 0.10),
         (Role.RATHER_NOT_SAY, 0.05))
STATUSES = ((StoryStatus.APPROVED, 0.85), (StoryStatus.PENDING, 0.08),
            (StoryStatus.HIDDEN, 0.07))
BY = {"me": TriedBy.ME, "my team": TriedBy.MY_TEAM, "nobody yet": TriedBy.NOBODY}
T = TypeVar("T")


def read_samples(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def make_story(rng: random.Random, sample: dict[str, Any], at: datetime) -> Story:
    person = UserId(f"p-{rng.randrange(PARTICIPANTS)}")
    tried, by = _tried(rng, sample)
    return Story(
        platform=PLATFORM, participant=person, flow="story", situation=sample["situation"],
        tried=tried, tried_by=by, outcome=sample["outcome"] or None,
        spread=sample["would_help"] or None,
        enhance=sample["would_help"] if rng.random() < 0.3 else None,
        themes=_themes(rng, sample), role=_pick(rng, ROLES), status=_pick(rng, STATUSES),
        consent=Consent(store=True, digest=rng.random() < 0.9, quote=rng.random() < 0.5,
                        contact=rng.random() < 0.4, wording_version="v1", given_at=at),
        safeguarding="self-harm" if rng.random() < 0.01 else None,
        created_at=at, updated_at=at)


def _pick(rng: random.Random, weighted: tuple[tuple[T, float], ...]) -> T:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _tried(rng: random.Random, sample: dict[str, Any]) -> tuple[str | None, TriedBy | None]:
    if not sample["tried"] or rng.random() < 0.2:
        return None, None
    phone = " Ring 07700 900123 to join." if rng.random() < 0.02 else ""
    return sample["tried"] + phone, BY.get(sample["tried_by"], TriedBy.SOMEONE_ELSE)


def _themes(rng: random.Random, sample: dict[str, Any]) -> tuple[str, ...]:
    themes = list(sample["themes"])
    if rng.random() < 0.3 and (extra := rng.choice(EXTRA_THEMES)) not in themes:
        themes.append(extra)
    return tuple(themes)


def generate(samples: list[dict[str, Any]], count: int) -> list[Story]:
    rng = random.Random(5)
    times = sorted(NOW - SPAN * rng.random() for _ in range(count))
    return [make_story(rng, rng.choice(samples), at) for at in times]


def turn(story: Story) -> TurnWrite:
    key = ConversationKey(platform=PLATFORM, room_id=RoomId(f"!{story.participant}"),
                          user_id=story.participant)
    done = Conversation(key=key, flow="story", state="done", status=ConversationStatus.DONE,
                        updated_at=story.created_at)
    return TurnWrite(done, PLATFORM, None, story)


async def store_all(store: Store, stories: list[Story]) -> None:
    for start in range(0, len(stories), BATCH):
        await asyncio.gather(*(store.save_turn(turn(s)) for s in stories[start:start + BATCH]))


def timed(results: dict[str, float], name: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = work()
    results[f"{name}_s"] = round(time.perf_counter() - started, 4)
    return value


async def digest_once(store: Store, current: bool) -> dict[str, Any]:
    start = NOW - WEEK
    since = start - EARLIER_WEEKS * WEEK
    started = time.perf_counter()
    stories = await store.list_stories(status=StoryStatus.APPROVED, since=since)
    phases: dict[str, float] = {"query_s": round(time.perf_counter() - started, 4)}
    digest = timed(phases, "draft", lambda: _draft(stories, start, current))
    chosen = set(digest.story_ids)
    chart = chart_png if current else reference.chart_png
    timed(phases, "render", lambda: (to_text(digest), to_html(digest), chart(digest),
                                     to_markdown_full([s for s in stories if s.id in chosen])))
    phases["total_s"] = round(time.perf_counter() - started, 4)
    return {"phases": phases, "stories_loaded": len(stories),
            "stories_in_digest": digest.headline.stories,
            "with_something_tried": digest.headline.with_something_tried,
            "text_words": len(to_text(digest).split())}


def _draft(stories: list[Story], start: datetime, current: bool) -> Digest:
    if current:
        return draft(stories, start, NOW, weeks_ending(stories, NOW, LONDON))
    weeks = [start - n * WEEK for n in range(EARLIER_WEEKS, 0, -1)]
    return reference.draft(stories, start, NOW,
                           earlier=[reference.week_of(stories, w) for w in weeks])


async def compare(store: Store) -> dict[str, Any]:
    """Current and reference, twice each, current first."""
    runs: dict[str, Any] = {}
    for round_ in ("first", "second"):
        for name, current in (("current", True), ("reference", False)):
            runs[f"{name}_{round_}"] = await digest_once(store, current)
    return runs


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--samples", type=Path, default=SAMPLES)
    args = parser.parse_args()
    if not args.samples.is_file():
        parser.error(f"no sample stories at {args.samples} (expected a JSON-lines file there)")
    stories = generate(read_samples(args.samples), args.stories)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'digest.db'}")
        await store.open()
        try:
            started = time.perf_counter()
            await store_all(store, stories)
            setup = round(time.perf_counter() - started, 1)
            results = {"stored": len(stories), "setup_s": setup, **await compare(store)}
        finally:
            await store.close()
    now_s = results["current_first"]["phases"]["total_s"]
    before_s = results["reference_first"]["phases"]["total_s"]
    results["summary"] = {"current_s": now_s, "reference_s": before_s,
                          "share_of_reference": round(now_s / before_s, 3),
                          "target": f"current <= {TARGET_S} s and <= {TARGET_SHARE:.0%} of "
                                    "the reference"}
    print(json.dumps(results, indent=2))
    return 0 if now_s <= TARGET_S and now_s <= TARGET_SHARE * before_s else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
