"""How fast and how well the safeguarding model does, beside the phrase rules. Prints JSON.

* ``latency``: ms per message through ``ModelScreen.scores`` with onnxruntime on one thread,
  one message per call, ``--concurrency`` callers at once (their calls are batched), p50 and
  p99, and messages per second; ``rules`` is ``flows.safeguarding.assess`` on the same
  messages in the same run, for reference.
* ``validation``: the split the threshold was chosen on (tests/data/safeguarding, a fifth of
  each writer's file): recall, false alarms and recall per concern with 95 % Wilson
  intervals, for the rules, the model and the rules OR the model.
* ``blind`` (tests/data/safeguarding/blind.jsonl), ``blind2`` (blind2.jsonl, a second writer's,
  frozen before it was first measured), ``blind3`` (a third writer's, a quarter of it in
  context, everyday replies among its look-alikes) and ``held_out``
  (tests/data/safeguarding_heldout.jsonl): the same, on sets never trained or tuned on.
  Measure them, never tune on them.

Target (issue 13), for the rules OR the model: recall >= 0.95, false alarms <= 0.08.

    .venv/bin/python bench/safeguarding_model.py [--concurrency 8] [--messages 400]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

from bot.core.types import ConversationKey, Platform, RoomId, UserId
from bot.features.safeguarding_model import THRESHOLD, Item, ModelScreen
from bot.features.safety import SafetyModel
from flows.safeguarding import assess
from safeguarding_train import data, measure


def evaluate(screen: ModelScreen, examples: Sequence[data.Example]) -> dict[str, Any]:
    """As the bot reads them (``bot/features/safety.py``): each message with the previous
    ones it has."""
    scores = screen.scores_now([e.item for e in examples])
    rules = [assess(e.item[1]) is not None for e in examples]
    model = [s >= THRESHOLD for s in scores]
    return {
        "rules": measure.figures(examples, rules),
        "model": measure.figures(examples, model),
        "rules_or_model": measure.figures(
            examples, [m or r for m, r in zip(model, rules, strict=True)]),
    }


def chat_replies(screen: ModelScreen) -> dict[str, Any]:
    """False alarms on everyday replies to the bot's questions, by a writer whose replies the
    model never saw (``data.CHAT_CHECK``), read exactly as the bot reads a conversation
    (``SafetyModel``: each with the person's last messages), ten replies to a person."""
    rows = [json.loads(line) for line in data.CHAT_CHECK.read_text(encoding="utf-8").splitlines()]
    texts = [row["text"] for row in rows]
    model = SafetyModel(screen)

    async def read_all() -> list[bool]:
        flagged = []
        for n, text in enumerate(texts):
            key = ConversationKey(platform=Platform("bench"), room_id=RoomId(f"!{n // 10}"),
                                  user_id=UserId(f"p{n // 10}"))
            verdict = await model.check(key, text)
            flagged.append((verdict is not None and verdict.at_risk)
                           or assess(text) is not None)
        return flagged

    flagged = asyncio.run(read_all())
    return {"replies": len(texts), "false_alarms": sum(flagged),
            "rate": round(sum(flagged) / len(texts), 4)}


async def latency(screen: ModelScreen, items: Sequence[Item],
                  concurrency: int) -> dict[str, Any]:
    """Each caller scores one message at a time until all are done."""
    waiting = list(reversed(items))
    took: list[float] = []

    async def caller() -> None:
        while waiting:
            pair = waiting.pop()
            started = time.perf_counter()
            await screen.scores([pair])
            took.append(time.perf_counter() - started)

    batches, started = screen.batches_run, time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"concurrency": concurrency, **percentiles(took),
            "messages_per_second": round(len(items) / elapsed, 1),
            "batches": screen.batches_run - batches}


def rules_latency(items: Sequence[Item]) -> dict[str, Any]:
    took = []
    for _, text in items:
        started = time.perf_counter()
        assess(text)
        took.append(time.perf_counter() - started)
    return percentiles(took)


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ranked = sorted(seconds)
    return {"p50_ms": round(ranked[len(ranked) // 2] * 1000, 3),
            "p99_ms": round(ranked[min(len(ranked) - 1, int(len(ranked) * 0.99))] * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--messages", type=int, default=400)
    args = parser.parse_args()
    screen = ModelScreen.load(threads=1)
    _, validation = data.split()
    items = [e.item for e in validation][: args.messages]
    screen.scores_now(items[:8])  # warm up
    report: dict[str, Any] = {"threshold": THRESHOLD, "messages_timed": len(items)}
    report["latency"] = {
        "model_one_caller": asyncio.run(latency(screen, items, 1)),
        "model": asyncio.run(latency(screen, items, args.concurrency)),
        "rules": rules_latency(items),
    }
    report["validation"] = evaluate(screen, validation)
    report["blind"] = evaluate(screen, data.read(data.BLIND))
    report["blind2"] = evaluate(screen, data.read(data.BLIND2))
    report["blind3"] = evaluate(screen, data.read(data.BLIND3))
    report["held_out"] = evaluate(screen, data.read(data.HELD_OUT, writer="held-out"))
    report["chat_replies"] = chat_replies(screen)
    report["targets"] = {"recall": measure.RECALL_TARGET,
                         "false_alarms": measure.FALSE_ALARM_TARGET}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
