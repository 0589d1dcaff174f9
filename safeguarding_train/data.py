"""The labelled messages, and the validation split the threshold is chosen on.

Training reads every ``tests/data/safeguarding/train_*.jsonl`` (one file per writer, and
``train_chat_replies.jsonl``: everyday replies to the bot's questions) and the older
``tests/data/safeguarding_cases.jsonl`` (written alongside the rules). The validation
split is a fifth of each writer's file, stratified by concern, and never includes the older
set: the rules were written on it, so it would flatter them. The blind sets
(``blind*.jsonl``) and ``safeguarding_heldout.jsonl`` are never read here.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.features.safeguarding_model.inputs import Item, item
from flows.safeguarding import Concern

ROOT = Path(__file__).parents[1]
DATA = ROOT / "tests" / "data" / "safeguarding"
OLDER = ROOT / "tests" / "data" / "safeguarding_cases.jsonl"
BLIND = DATA / "blind.jsonl"
BLIND2 = DATA / "blind2.jsonl"
"""A second blind set, by a fourteenth writer, frozen before any model was measured on it."""
BLIND3 = DATA / "blind3.jsonl"
"""A third, by a writer who saw only the policy, with a quarter of its messages in context and
everyday replies among its look-alikes: measured once, with the deployed model."""
HELD_OUT = ROOT / "tests" / "data" / "safeguarding_heldout.jsonl"
CONCERNS = tuple(c.value for c in Concern)
"""The model's classes are ``none`` (0) then these, in this order."""
VALIDATION_SHARE = 0.2
SEED = 13
TRAIN_ONLY = frozenset({"train_chat_replies.jsonl"})
"""Ordinary replies people type to the bot's questions ("yes let's do it", "skip", "the
surgery on High St"), from the understanding corpora's tuning sets: none a concern. They teach
the model what everyday chat looks like, and go to training only, so that the threshold is
still chosen on the writers' messages. ``CHAT_CHECK`` (another writer's replies) measures how
often ordinary chat would raise a false alarm."""
CHAT_CHECK = ROOT / "tests" / "data" / "replies_phone.jsonl"


@dataclass(frozen=True)
class Example:
    """One labelled message: its input pair, its concern (None: not a concern), its writer."""

    item: Item
    concern: str | None
    writer: str

    @property
    def at_risk(self) -> bool:
        return self.concern is not None

    @property
    def label(self) -> int:
        return 0 if self.concern is None else CONCERNS.index(self.concern) + 1


def read(path: Path, writer: str | None = None) -> list[Example]:
    """A JSONL file of ``{"text", "concern", "writer"?, "previous"?}``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Example(item(row["text"], row.get("previous") or ()), row["concern"],
                    writer or row.get("writer") or path.stem) for row in rows]


def writer_files() -> list[Path]:
    """Each writer's training file, in name order."""
    return sorted(DATA.glob("train_*.jsonl"))


def split(seed: int = SEED) -> tuple[list[Example], list[Example]]:
    """(training, validation): validation is a fifth of each writer's file, stratified by
    concern; training is the rest plus the older set."""
    train: list[Example] = []
    validation: list[Example] = []
    for path in writer_files():
        if path.name in TRAIN_ONLY:
            train += read(path)
            continue
        groups: dict[str | None, list[Example]] = defaultdict(list)
        for example in read(path):
            groups[example.concern].append(example)
        for concern in sorted(groups, key=str):
            members = groups[concern]
            random.Random(f"{seed}:{path.name}:{concern}").shuffle(members)
            cut = round(len(members) * VALIDATION_SHARE)
            validation += members[:cut]
            train += members[cut:]
    train += read(OLDER, writer="rules-set")
    return train, validation
