"""The safeguarding message sets are well formed, and the blind set is the one that was frozen."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from flows.safeguarding import Concern

DATA = Path(__file__).parent / "data" / "safeguarding"
SETS = sorted(DATA.glob("*.jsonl"))


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_line_is_a_labelled_message(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    concerns = {c.value for c in Concern}
    for row in rows:
        assert set(row) <= {"text", "concern", "writer", "previous"}, row
        assert row["text"].strip() and (row["concern"] is None or row["concern"] in concerns)
        assert all(isinstance(p, str) for p in row.get("previous", []))
    if path.name != "train_chat_replies.jsonl":  # everyday replies: none a concern
        assert {row["concern"] for row in rows} == concerns | {None}, "every concern there"
    else:
        assert {row["concern"] for row in rows} == {None}


@pytest.mark.parametrize("name", ["blind.jsonl", "blind3.jsonl"])
def test_the_blind_sets_are_unchanged_since_they_were_frozen(name: str) -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    frozen = re.search(rf"`{re.escape(name)}`[^`]*SHA-256:\s*`([0-9a-f]{{64}})`", readme)
    assert frozen is not None, name
    assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == frozen.group(1)
