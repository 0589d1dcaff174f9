"""Stories written out for people who read them elsewhere: JSON, or CSV for spreadsheets."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from bot.core.follow_ups import StoryUpdate
from bot.core.loop import Response, StoryChange
from bot.core.types import AuditEntry, Story, StoryStatus
from bot.core.words import say, say_date
from flows.redaction import redact

FORMATS = ("json", "csv", "md")
CSV_COLUMNS = ("id", "status", "created_at", "role", "place", "situation", "tried", "tried_by",
               "outcome", "spread", "enhance", "restore", "replace", "become", "themes",
               "responses", "changes", "updates")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Answered:
    """What services answered to the exported stories, what changed because of them, and how
    the experiments went weeks later (approved updates only)."""

    responses: Sequence[Response] = ()
    changes: Sequence[StoryChange] = ()
    updates: Sequence[StoryUpdate] = ()

    def responses_to(self, story: Story) -> list[Response]:
        return [r for r in self.responses if r.story_id == story.id]

    def changes_to(self, story: Story) -> list[StoryChange]:
        return [c for c in self.changes if c.story_id == story.id]

    def updates_to(self, story: Story) -> list[StoryUpdate]:
        """The story's approved updates, redacted (a pending one is for moderators only)."""
        return [u.model_copy(update={"since": redact(u.since) if u.since else None,
                                     "learned": redact(u.learned) if u.learned else None})
                for u in self.updates
                if u.story_id == story.id and u.status is StoryStatus.APPROVED]

    def as_json(self, story: Story) -> dict[str, Any]:
        return {"responses": [r.model_dump(mode="json", include={"at", "signed", "text"})
                              for r in self.responses_to(story)],
                "changes": [c.model_dump(mode="json", include={"at", "status", "what"})
                            for c in self.changes_to(story)],
                "updates": [u.model_dump(mode="json", include={"at", "outcome", "since",
                                                                "learned"})
                            for u in self.updates_to(story)]}

    def as_cells(self, story: Story) -> dict[str, str]:
        return {"responses": " | ".join(f"{r.signed}: {r.text}" for r in self.responses_to(story)),
                "changes": " | ".join(f"{c.status}: {c.what}" for c in self.changes_to(story)),
                "updates": " | ".join(
                    ": ".join(str(p) for p in (u.outcome, u.since, u.learned) if p)
                    for u in self.updates_to(story))}


def export_stories(stories: Sequence[Story], fmt: str, out: TextIO,
                   answered: Answered | None = None) -> None:
    """Stories, redacted, each with its responses and changes (from ``answered``)."""
    answered = answered or Answered()
    if fmt == "json":
        json.dump([_public(s) | answered.as_json(s) for s in stories], out, ensure_ascii=False,
                  indent=2)
        out.write("\n")
    elif fmt == "md":
        out.write(markdown(stories, answered))
    else:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for story in stories:
            row = _public(story) | {"themes": "; ".join(story.themes)} | answered.as_cells(story)
            writer.writerow({k: safe_cell(v) for k, v in row.items() if k in CSV_COLUMNS})


TEXT_FIELDS = ("situation", "tried", "outcome", "spread", "enhance", "restore", "replace",
               "become", "place")


def public_view(story: Story) -> Story:
    """A story as others may see it: anything identifying (NHS numbers, phone numbers,
    emails, postcodes, dates of birth, personal links, names after a title) redacted."""
    changes: dict[str, object] = {f: redact(v) for f in TEXT_FIELDS
                                  if isinstance(v := getattr(story, f), str)}
    changes["themes"] = tuple(redact(t) for t in story.themes)  # people type their own
    return story.model_copy(update=changes)


def _public(story: Story) -> dict[str, Any]:
    """A story, redacted, without any pseudonym of its teller."""
    return public_view(story).model_dump(mode="json", exclude={"participant", "platform"})


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def markdown(stories: Sequence[Story], answered: Answered | None = None) -> str:
    """Stories for a board paper: one section each, redacted, solutions first, then what
    services answered and what changed."""
    answered = answered or Answered()
    parts = [f"# {say('export.heading', count=len(stories))}\n"]
    for story in map(public_view, stories):
        told = say("export.story", date=say_date("date.long", story.created_at),
                   role=story.role, status=story.status)
        parts.append(f"\n## #{story.id}: {_md(story.situation)}\n\n*{told}*\n")
        for label, value in (("tried", story.tried), ("by", story.tried_by),
                             ("outcome", story.outcome), ("spread", story.spread),
                             ("themes", ", ".join(story.themes)), ("place", story.place)):
            if value:
                parts.append(f"- **{say(f'export.label.{label}')}:** {_md(str(value))}\n")
        parts += [f"- **{say('export.label.response', signed=_md(r.signed))}:** {_md(r.text)}\n"
                  for r in answered.responses_to(story)]
        parts += [f"- **{say(f'export.label.change.{c.status.name.lower()}')}:** "
                  f"{_md(c.what)}\n" for c in answered.changes_to(story)]
        parts += [f"- **{say('export.label.update', outcome=u.outcome)}:** "
                  f"{_md(' '.join(p for p in (u.since, u.learned) if p))}\n"
                  for u in answered.updates_to(story)]
    return "".join(parts)


def _md(text: str) -> str:
    """Text that markdown shows as written (no links, no HTML, no headings)."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|" else c for c in text.replace("\n", " "))


AUDIT_COLUMNS = ("id", "at", "actor", "action", "target", "reason")


def export_audit(entries: Sequence[AuditEntry], fmt: str, out: TextIO) -> None:
    """The audit log, oldest first: who did what, when, and why."""
    rows = [e.model_dump(mode="json") for e in entries]
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "md":
        columns = " | ".join(say(f"export.audit.{c}") for c in ("when", "who", "what", "on", "why"))
        out.write(f"# {say('export.audit.heading')}\n\n| {columns} |\n|---|---|---|---|---|\n")
        for e in entries:
            out.write(f"| {e.at:%Y-%m-%d %H:%M} | {_md(e.actor)} | {_md(e.action)} | "
                      f"{_md(e.target or '')} | {_md(e.reason or '')} |\n")
    else:
        writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(row[k]) for k in AUDIT_COLUMNS})
