"""Moderators' verdicts as labelled examples for the next training round.

One JSON object a line, in the shape of ``tests/data/safeguarding/*.jsonl`` so the file can be
appended to a training set: ``text`` (redacted when it was stored) and ``concern`` (null for a
false alarm), with ``verdict``, ``source`` and ``at`` to say where the label came from:

* an alert marked false alarm: its concern is null;
* an alert confirmed: its concern;
* a story marked missed: the concern the moderator gave; source ``missed``.

An alert raised before the person agreed to their story being kept has no words stored, so
it is no example and is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from bot.core.types import Alert, MissedStory, Verdict
from storage.ports import Alerts

MISSED = "missed"


def alert_example(alert: Alert) -> dict[str, object]:
    concern = None if alert.verdict is Verdict.FALSE_ALARM else alert.concern
    return {"text": alert.text, "concern": concern, "verdict": alert.verdict,
            "source": alert.source, "at": alert.at.isoformat()}


def missed_example(missed: MissedStory) -> dict[str, object]:
    return {"text": missed.text, "concern": missed.concern, "verdict": MISSED,
            "source": MISSED, "at": missed.at.isoformat()}


async def examples(store: Alerts) -> Iterator[dict[str, object]]:
    """Every labelled example, oldest first."""
    found = [*map(alert_example, [a for a in await store.judged_alerts() if a.text]),
             *map(missed_example, await store.missed_stories())]
    return iter(sorted(found, key=lambda e: str(e["at"])))


async def export_feedback(store: Alerts, out: TextIO) -> int:
    """Write the examples as JSON lines; return how many."""
    count = 0
    for example in await examples(store):
        out.write(json.dumps(example, ensure_ascii=False) + "\n")
        count += 1
    return count
