"""How well does the safeguarding detector do on the labelled set?  Prints JSON; exits 1 if a
target is missed.

* ``recall``: positives detected as *any* concern (what matters for safety: the person gets
  signposting either way); ``recall_same_concern`` also needs the right category.
* ``false_positive_rate``: look-alikes (label null) that triggered.
* ``per_concern``: for each label, how many cases, how many triggered, how many as that concern.
* ``sentences_per_second``: ``assess`` over the whole set, repeated for about a second.

Targets (issue 6): recall >= 0.97, false-positive rate <= 0.05. The set was written alongside
the rules, so these are in-sample numbers: sentences worded unlike any in the set are missed
more often (see ``tests/test_safeguarding.py``).

``held_out`` scores ``tests/data/safeguarding_heldout.jsonl`` the same way: 160 sentences
written blind (by someone who had not seen the rules) and never used to change them. That is
the honest estimate of real-world recall, and it has no target: it is reported, not tuned for.
Do not fix the rules from its misses; once it has been used that way, write a new blind round.
``blind`` does the same for ``tests/data/safeguarding/blind.jsonl`` (480 messages, a later
round written from the labelling policy in ``docs/safeguarding.md``).

    .venv/bin/python bench/safeguarding.py [--cases tests/data/safeguarding_cases.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from flows.safeguarding import Concern, assess

CASES = Path(__file__).parents[1] / "tests" / "data" / "safeguarding_cases.jsonl"
HELD_OUT = CASES.with_name("safeguarding_heldout.jsonl")
BLIND = CASES.parent / "safeguarding" / "blind.jsonl"
"""480 messages by a fifth writer who saw only the labelling policy (tests/data/safeguarding/):
frozen, never tuned on; the issue-13 targets are measured here."""
RECALL_TARGET = 0.97
FALSE_POSITIVE_TARGET = 0.05


def read_cases(path: Path) -> list[tuple[str, Concern | None]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [(row["text"], None if row["concern"] is None else Concern(row["concern"]))
            for row in rows]


def score(cases: list[tuple[str, Concern | None]]) -> dict[str, Any]:
    per: dict[str, dict[str, int]] = {}
    missed: list[str] = []
    false_alarms: list[str] = []
    for text, label in cases:
        risk = assess(text)
        counts = per.setdefault(str(label) if label else "none", {
            "cases": 0, "triggered": 0, "same_concern": 0})
        counts["cases"] += 1
        counts["triggered"] += risk is not None
        counts["same_concern"] += risk is not None and risk.concern == label
        if label is not None and risk is None:
            missed.append(text)
        if label is None and risk is not None:
            false_alarms.append(text)
    positives = [counts for name, counts in per.items() if name != "none"]
    total = sum(counts["cases"] for counts in positives)
    none = per.get("none", {"cases": 0, "triggered": 0})
    return {
        "cases": len(cases),
        "positives": total,
        "look_alikes": none["cases"],
        "recall": _ratio(sum(counts["triggered"] for counts in positives), total),
        "recall_same_concern": _ratio(sum(counts["same_concern"] for counts in positives), total),
        "false_positive_rate": _ratio(none["triggered"], none["cases"]),
        "per_concern": per,
        "missed": missed,
        "false_alarms": false_alarms,
    }


def speed(texts: list[str], seconds: float = 1.0) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text in texts:
            assess(text)
        done += len(texts)
    return round(done / elapsed)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    args = parser.parse_args()
    cases = read_cases(args.cases)
    report = score(cases)
    report["sentences_per_second"] = speed([text for text, _ in cases])
    report["targets"] = {"recall": RECALL_TARGET, "false_positive_rate": FALSE_POSITIVE_TARGET}
    report["met"] = (report["recall"] >= RECALL_TARGET
                     and report["false_positive_rate"] <= FALSE_POSITIVE_TARGET)
    held_out = score(read_cases(HELD_OUT))
    report["held_out"] = {key: held_out[key] for key in (
        "cases", "recall", "recall_same_concern", "false_positive_rate", "per_concern")}
    blind = score(read_cases(BLIND))
    report["blind"] = {key: blind[key] for key in (
        "cases", "recall", "recall_same_concern", "false_positive_rate", "per_concern")}
    print(json.dumps(report, indent=2))
    return 0 if report["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
