"""How well does flows.redaction find what identifies people?  Prints JSON.

Reads the labelled set in ``tests/data/redaction_cases.jsonl`` (the one the tests use) and scores
``find`` per kind and overall. A finding is a true positive when the case expects the same kind
with the same text; everything else found is a false positive, everything expected and missed a
false negative. Timing is whole-set passes of ``find`` for about a second.

Targets (from issue 6): recall >= 0.98 and precision >= 0.95 on NHS numbers, phones, e-mail
addresses and postcodes. Exit code 1 if any is missed.

    .venv/bin/python bench/redaction.py
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from flows.redaction import Identifier, find

CASES_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "redaction_cases.jsonl"
TARGET_KINDS = (Identifier.NHS_NUMBER, Identifier.PHONE, Identifier.EMAIL, Identifier.POSTCODE)
TARGETS = {"recall": 0.98, "precision": 0.95}


def load_cases(path: Path = CASES_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def count(cases: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Per-kind true positives, false positives and false negatives."""
    tally: dict[str, Counter[str]] = {kind.value: Counter() for kind in Identifier}
    for case in cases:
        expected = Counter((item["kind"], item["text"]) for item in case["expect"])
        found = Counter((finding.kind.value, finding.text) for finding in find(case["text"]))
        for (kind, _), n in (expected & found).items():
            tally[kind]["tp"] += n
        for (kind, _), n in (found - expected).items():
            tally[kind]["fp"] += n
        for (kind, _), n in (expected - found).items():
            tally[kind]["fn"] += n
    return tally


def scores(counts: Counter[str]) -> dict[str, float | int]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
    }


def sentences_per_second(cases: list[dict[str, Any]], seconds: float = 1.0) -> float:
    texts = [case["text"] for case in cases]
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text in texts:
            find(text)
        done += len(texts)
    return round(done / elapsed)


def missed_targets(per_kind: dict[str, dict[str, float | int]]) -> list[str]:
    return [
        f"{kind.value} {metric} {per_kind[kind.value][metric]} < {target}"
        for kind in TARGET_KINDS
        for metric, target in TARGETS.items()
        if per_kind[kind.value][metric] < target
    ]


def main() -> int:
    cases = load_cases()
    tally = count(cases)
    per_kind = {kind: scores(counts) for kind, counts in tally.items()}
    missed = missed_targets(per_kind)
    report = {
        "cases": len(cases),
        "look_alike_cases": sum(not case["expect"] for case in cases),
        "per_kind": per_kind,
        "overall": scores(sum(tally.values(), Counter())),
        "targets": {"kinds": [kind.value for kind in TARGET_KINDS], **TARGETS},
        "missed_targets": missed,
        "sentences_per_second": sentences_per_second(cases),
    }
    print(json.dumps(report, indent=2))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
