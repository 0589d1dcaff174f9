"""``storyloop safeguarding export-feedback``: moderators' verdicts as training examples."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.core.types import Alert, AuditEntry, EventId, MissedStory, Platform, UserId, Verdict
from storage.sqlite import SQLiteStore
from tests.test_cli import config_file, storyloop

__all__ = ["config_file"]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEST = Platform("test")
TRAINING = Path(__file__).parent / "data" / "safeguarding" / "blind.jsonl"


def alert(event: str, text: str, verdict: Verdict | None, **extra: object) -> Alert:
    return Alert(at=T0.replace(hour=int(event)), platform=TEST, participant=UserId("p1"),
                 event_id=EventId(event), concern="suicide", text=text, verdict=verdict,
                 verdict_by=None if verdict is None else "test:@mod",
                 verdict_at=None if verdict is None else T0, **extra)


async def fill(path: Path) -> None:
    store = SQLiteStore(path)
    await store.open()
    entry = AuditEntry(at=T0, actor="test:@mod", action="test")
    try:
        for one in (alert("1", "I could kill for a coffee", Verdict.FALSE_ALARM),
                    alert("2", "I want to end it, call [phone removed]", Verdict.CONFIRMED,
                          source="model", score=0.93),
                    alert("3", "not judged yet", None)):
            saved = await store.record_alert(one.model_copy(update={"verdict": None}))
            if one.verdict is not None:
                await store.judge_alert(saved.model_copy(update=one.model_dump(
                    include={"verdict", "verdict_by", "verdict_at"})), entry)
        await store.mark_missed(MissedStory(
            at=T0.replace(hour=4), platform=TEST, participant=UserId("p2"), story_id=5,
            concern="abuse", text="He locks me in.", marked_by="test:@mod"), entry)
    finally:
        await store.close()


async def test_export_feedback_writes_labelled_examples_as_json_lines(
        config_file: Path, tmp_path: Path) -> None:
    await fill(tmp_path / "stories.db")
    out = tmp_path / "feedback.jsonl"
    done = storyloop("--config", str(config_file), "safeguarding", "export-feedback",
                     "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "3 labelled example(s) written." in done.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"text": "I could kill for a coffee", "concern": None, "verdict": "false alarm",
         "source": "rules", "at": "2026-03-01T01:00:00+00:00"},
        {"text": "I want to end it, call [phone removed]", "concern": "suicide",
         "verdict": "confirmed", "source": "model", "at": "2026-03-01T02:00:00+00:00"},
        {"text": "He locks me in.", "concern": "abuse", "verdict": "missed",
         "source": "missed", "at": "2026-03-01T04:00:00+00:00"}]


async def test_the_examples_fit_the_training_files(config_file: Path, tmp_path: Path) -> None:
    """Each line has the training set's two labelled fields, of the same kinds."""
    await fill(tmp_path / "stories.db")
    done = storyloop("--config", str(config_file), "safeguarding", "export-feedback")
    assert done.returncode == 0, done.stderr
    known = {json.loads(line)["concern"]
             for line in TRAINING.read_text(encoding="utf-8").splitlines()}
    for line in done.stdout.splitlines():
        example = json.loads(line)
        assert isinstance(example["text"], str) and example["concern"] in known
