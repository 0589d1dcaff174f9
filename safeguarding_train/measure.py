"""Recall and false alarms of a detector, with 95 % Wilson intervals, and the threshold
choice. Numpy only: the bench uses these too."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from safeguarding_train.data import CONCERNS, Example

RECALL_TARGET = 0.95
FALSE_ALARM_TARGET = 0.08
"""Issue 13's target, for the rules OR the model."""


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of ``hits / total``."""
    if total == 0:
        return 0.0, 1.0
    share = hits / total
    centre = share + z * z / (2 * total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    scale = 1 + z * z / total
    return round((centre - spread) / scale, 4), round((centre + spread) / scale, 4)


def figures(examples: Sequence[Example], fired: Sequence[bool]) -> dict[str, Any]:
    """Recall (over at-risk messages), false alarms (over the rest), and recall per concern,
    each with its interval."""
    report: dict[str, Any] = {"messages": len(examples)}
    report["recall"] = _share([f for e, f in zip(examples, fired, strict=True) if e.at_risk])
    report["false_alarms"] = _share(
        [f for e, f in zip(examples, fired, strict=True) if not e.at_risk])
    report["per_concern"] = {
        concern: _share([f for e, f in zip(examples, fired, strict=True)
                         if e.concern == concern])
        for concern in CONCERNS}
    return report


def _share(fired: Sequence[bool]) -> dict[str, Any]:
    hits, total = sum(fired), len(fired)
    return {"rate": round(hits / total, 4) if total else 0.0, "hits": hits, "of": total,
            "interval": wilson(hits, total)}


def choose_threshold(examples: Sequence[Example], scores: Sequence[float],
                     rules: Sequence[bool]) -> float:
    """The lowest threshold at which the rules OR the model keep false alarms within the
    target: as much recall as the false-alarm budget allows (a miss can cost a life; a false
    alarm costs one kind message). Scores are rounded to 4 places, as the card quotes them."""
    quiet = [s for e, s, r in zip(examples, scores, rules, strict=True)
             if not e.at_risk and not r]
    already = sum(1 for e, r in zip(examples, rules, strict=True) if not e.at_risk and r)
    negatives = sum(1 for e in examples if not e.at_risk)
    allowed = math.floor(FALSE_ALARM_TARGET * negatives) - already
    if allowed < 0:
        return 1.0
    ranked = sorted(quiet, reverse=True)
    # Fire on scores >= threshold: put it just above the first false alarm not allowed.
    if allowed >= len(ranked):
        return 0.0
    return math.ceil(ranked[allowed] * 10_000 + 1e-9) / 10_000
