"""How well storyloop understands replies people really type, and how often a reply that is
not an answer would be stored as one. Prints JSON.

Sets of replies, each written by a helper session that saw only the questions and who is
answering, never the rules. Used to tune the words: ``tests/data/replies.jsonl`` (903),
``replies_more.jsonl`` (1,128; measured once before tuning on it: 0.814 read as meant, 25% of
non-answers stored) and ``replies_phone.jsonl`` (1,054, phone typing, voice-to-text, formal and
non-native writers; before tuning: 0.873 and 13%), ``replies_voice.jsonl`` (1,037: low
literacy, dictation, people over 75, changes of mind; before tuning: 0.860 and 12%) and
``replies_staff.jsonl`` (1,020: staff in workplace chat, jargon, sarcasm, quoting the bot;
before tuning: 0.903 and 4.4%) and ``replies_options.jsonl`` (1,068: options picked every way,
and non-answers that look like answers; before tuning: 0.909 and 13.9%) and
``replies_esl.jsonl`` (1,174: people whose first language is not English, people in a
hurry, two things in one message, someone typing for someone else; before tuning: 0.879 and
14.6%), ``replies_hedged.jsonl`` (1,209: hedging and half-agreeing, upset or sarcastic
people, spelling by sound, answers to the wrong question, letters and apologies; before
tuning: 0.913 and 6.4%) and ``replies_slang.jsonl`` (1,158: staff jargon at work, young
people's slang, people with a learning disability or writing for one, follow-ups to a
forgotten story, the common answers said every way; before tuning: 0.899 and 8.5%).
Kept blind, only ever measured: ``tests/data/replies_blind.jsonl`` (745). Each line
is a reply at a step, with the reading its writer meant.

    .venv/bin/python bench/understanding.py [--show-misses N]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from bot.core.config import Config
from flows.asked import Asked, asked_at
from flows.interrupts import INTERRUPTS, asked_of
from flows.registry import build_flows
from flows.spec import AnswerKind, FlowOptions
from flows.understanding import (
    NOT_ANSWERS,
    RATHER_NOT,
    Reading,
    Understood,
    asks_meaning,
    understand,
)

DATA = Path(__file__).parents[1] / "tests" / "data"
SETS = {"tuning": DATA / "replies.jsonl", "tuning_more": DATA / "replies_more.jsonl",
        "tuning_phone": DATA / "replies_phone.jsonl", "tuning_voice": DATA / "replies_voice.jsonl",
        "tuning_staff": DATA / "replies_staff.jsonl",
        "tuning_options": DATA / "replies_options.jsonl", "tuning_esl": DATA / "replies_esl.jsonl",
        "tuning_outbound": DATA / "replies_outbound.jsonl",
        "tuning_hedged": DATA / "replies_hedged.jsonl",
        "tuning_slang": DATA / "replies_slang.jsonl",
        "tuning_mixed": DATA / "replies_mixed.jsonl",
        "tuning_interrupted": DATA / "replies_interrupted.jsonl",
        "blind": DATA / "replies_blind.jsonl",
        "blind_outbound": DATA / "replies_outbound_blind.jsonl"}
BLIND = frozenset({"blind", "blind_outbound"})
STORED = {Reading.ANSWER, Reading.CHOICE}


def questions() -> dict[str, Asked]:
    """Every step a reply can be written for, by the name the corpora use."""
    found: dict[str, Asked] = {}
    for spec in build_flows(FlowOptions(themes=tuple(Config().flows.themes))):
        for step in spec.steps:
            asked = asked_at(step.kind, step.choices, step.yes, step.no, step.hints,
                             later=step.later, optional=step.optional)
            found.setdefault(f"{spec.name}.{step.name}", asked)
            found.setdefault(step.name, asked)
    for name, interrupt in INTERRUPTS.items():
        found[name] = asked_of(interrupt)
    return found


def right(row: dict[str, Any], got: Any, asked: Asked) -> bool:
    if asked.kind is AnswerKind.THEMES and row["reading"] == "answer":
        # The writers' brief: a theme in the person's own words is an answer. It is kept
        # as a theme of its own, beside any numbers picked.
        own = {str(v) for v in got.value or ()} - {c.value for c in asked.choices}
        return got.reading is Reading.CHOICE and bool(own)
    if got.reading.value != row["reading"]:
        return False
    if row["reading"] != "choice":
        return True
    meant, read = row["value"], got.value
    if isinstance(meant, list):
        return {str(v).casefold() for v in meant} == {str(v).casefold() for v in read or []}
    return bool(meant == read)


def pausing() -> dict[str, str]:
    """Steps where a choice pauses the conversation rather than answering (a follow-up's
    "Not now"), by corpus name, with that choice: there, "not now" and "pause" are one."""
    found: dict[str, str] = {}
    for spec in build_flows(FlowOptions(themes=tuple(Config().flows.themes))):
        found.update({f"{spec.name}.{s.name}": s.pauses for s in spec.steps if s.pauses})
    return found


def as_the_bot_does(row: dict[str, Any], got: Understood, pauses: str | None,
                    later: str | None = None) -> tuple[dict[str, Any], Understood]:
    """Readings the bot answers alike are one. "help" and a question asking what the
    question means ("i dont get it": writers label it either way) get the same reply
    (``flows/controls.py``, tested), so both count as help. Where a question has an "I'd
    rather not say" option, a skip picks it (``flows/understanding.py``, tested), so the two
    are one. Where a choice pauses, reading it and meaning it are both a pause (the engine
    turns the one into the other), and nothing is stored. Where a step names the choice
    "later" picks (a welcome's "Not now"), every pause there is read as that choice
    (``flows/understanding.py``, tested), so a pause meant and that choice read are one."""
    if row["reading"] == "question" and asks_meaning(row["text"]):
        row = {**row, "reading": "help"}
    if got.reading is Reading.QUESTION and asks_meaning(row["text"]):
        got = Understood(Reading.HELP)
    if row["reading"] == "skip" and got.reading is Reading.CHOICE and got.value == RATHER_NOT:
        row = {**row, "reading": "choice", "value": RATHER_NOT}
    if row["reading"] == "pause" and later and got == Understood(Reading.CHOICE, later):
        got = Understood(Reading.PAUSE)
    if pauses is None:
        return row, got
    if row["reading"] == "choice" and row["value"] == pauses:
        row = {**row, "reading": "pause", "value": None}
    if got.reading is Reading.CHOICE and got.value == pauses:
        got = Understood(Reading.PAUSE)
    return row, got


def measure(path: Path, show: int) -> dict[str, Any]:
    asked, pauses = questions(), pausing()
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    wrong: list[str] = []
    stored_non_answers, non_answers, by_reading = 0, 0, Counter[str]()
    for row in rows:
        row, got = as_the_bot_does(row, understand(row["text"], asked[row["step"]]),
                                   pauses.get(row["step"]), asked[row["step"]].later)
        if Reading(row["reading"]) in NOT_ANSWERS:
            non_answers += 1
            stored_non_answers += got.reading in STORED
        if not right(row, got, asked[row["step"]]):
            by_reading[row["reading"]] += 1
            wrong.append(f'{row["step"]}: {row["text"]!r} meant {row["reading"]} '
                         f'{row["value"]!r}, read {got.reading.value} {got.value!r}')
    return {"replies": len(rows), "accuracy": round(1 - len(wrong) / len(rows), 3),
            "non_answers": non_answers,
            "non_answers_stored": round(stored_non_answers / max(non_answers, 1), 3),
            "misread_by_meaning": dict(by_reading.most_common()), "misses": wrong[:show]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--set", choices=sorted(SETS), action="append")
    args = parser.parse_args()
    chosen = args.set or sorted(SETS)
    report = {name: measure(SETS[name], 0 if name in BLIND else args.show_misses)
              for name in chosen}  # the blind set's misses are never shown: no tuning on it
    report["targets"] = {"blind accuracy": ">= 0.97", "non_answers_stored": "0"}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
