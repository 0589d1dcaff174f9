"""The SQLite store's safeguarding alerts and missed stories (``storage.ports.Alerts``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from bot.core.types import (
    Alert,
    AuditEntry,
    EventId,
    MissedStory,
    Platform,
    UserId,
    Verdict,
)
from storage import sqlite_rows as sql
from storage.sqlite_rows import Statements

_ALERT = ("id, at, platform, user_id, event_id, concern, source, score, text, story_id, "
          "verdict, verdict_by, verdict_at")
_MISSED = "id, at, platform, user_id, story_id, concern, text, marked_by"
SAVE_ALERT = (f"INSERT INTO alerts ({_ALERT.removeprefix('id, ')}) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
SAVE_MISSED = (f"INSERT INTO safeguarding_feedback ({_MISSED.removeprefix('id, ')}) "
               "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")


def forgetting(platform: Platform, participant: UserId) -> Statements:
    """The statements that erase a person's alerts and labels (part of ``forget``)."""
    who = (platform, participant)
    return [("DELETE FROM alerts WHERE platform = ? AND user_id = ?", who),
            ("DELETE FROM safeguarding_feedback WHERE platform = ? AND user_id = ?", who)]


class SQLiteAlerts:
    """Mixed into ``SQLiteStore``, which gives the reader and the writes."""

    @property
    def reader(self) -> sql.Reader:
        raise NotImplementedError  # given by the store

    async def _write(self, statements: Statements, durable: bool = True) -> None:
        raise NotImplementedError  # given by the store

    async def _insert(self, first: tuple[str, tuple[Any, ...]],
                      then: Callable[[int], Statements]) -> int:
        raise NotImplementedError  # given by the store

    async def record_alert(self, alert: Alert) -> Alert:
        if alert.event_id is not None:
            found = await self._alerts("WHERE platform = ? AND event_id = ?",
                                       (alert.platform, alert.event_id))
            if found:
                return found[0]
        new_id = await self._insert((SAVE_ALERT, alert_values(alert)), lambda _: [])
        return alert.model_copy(update={"id": new_id})

    async def get_alert(self, alert_id: int) -> Alert | None:
        found = await self._alerts("WHERE id = ?", (alert_id,))
        return found[0] if found else None

    async def unsay_alert(self, platform: Platform, event_id: EventId) -> None:
        await self._write([("UPDATE alerts SET text = NULL WHERE platform = ? AND event_id = ?",
                            (platform, event_id))])

    async def recent_alerts(self, limit: int = 20) -> list[Alert]:
        return await self._alerts("ORDER BY id DESC LIMIT ?", (limit,))

    async def judge_alert(self, alert: Alert, entry: AuditEntry) -> None:
        await self._write([
            ("UPDATE alerts SET verdict = ?, verdict_by = ?, verdict_at = ? WHERE id = ?",
             (alert.verdict, alert.verdict_by, _iso(alert.verdict_at), alert.id)),
            (sql.SAVE_AUDIT, sql.audit_row(entry))])

    async def mark_missed(self, missed: MissedStory, entry: AuditEntry) -> MissedStory:
        values = (_iso(missed.at), missed.platform, missed.participant, missed.story_id,
                  missed.concern, missed.text, missed.marked_by)
        new_id = await self._insert((SAVE_MISSED, values),
                                         lambda _: [(sql.SAVE_AUDIT, sql.audit_row(entry))])
        return missed.model_copy(update={"id": new_id})

    async def missed_of_story(self, story_id: int) -> MissedStory | None:
        found = await self._missed("WHERE story_id = ?", (story_id,))
        return found[0] if found else None

    async def judged_alerts(self) -> list[Alert]:
        return await self._alerts("WHERE verdict IS NOT NULL ORDER BY id", ())

    async def missed_stories(self) -> list[MissedStory]:
        return await self._missed("ORDER BY id", ())

    async def _alerts(self, where: str, args: tuple[Any, ...]) -> list[Alert]:
        rows = await self.reader.execute_fetchall(f"SELECT {_ALERT} FROM alerts {where}", args)
        return [_alert(row) for row in rows]

    async def _missed(self, where: str, args: tuple[Any, ...]) -> list[MissedStory]:
        rows = await self.reader.execute_fetchall(
            f"SELECT {_MISSED} FROM safeguarding_feedback {where}", args)
        return [MissedStory(id=r[0], at=sql.moment(r[1]), platform=r[2],
                            participant=r[3], story_id=r[4], concern=r[5], text=r[6],
                            marked_by=r[7]) for r in rows]


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


def alert_values(a: Alert) -> tuple[Any, ...]:
    return (_iso(a.at), a.platform, a.participant, a.event_id, a.concern, a.source, a.score,
            a.text, a.story_id, a.verdict, a.verdict_by, _iso(a.verdict_at))


def _alert(r: Iterable[Any]) -> Alert:
    (id_, at, platform, user, event, concern, source, score, text, story, verdict, by,
     when) = r
    return Alert(id=id_, at=sql.moment(at), platform=platform, participant=user,
                 event_id=event, concern=concern, source=source, score=score, text=text,
                 story_id=story, verdict=None if verdict is None else Verdict(verdict),
                 verdict_by=by, verdict_at=sql.maybe_moment(when))
