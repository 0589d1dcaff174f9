"""The PostgreSQL store's safeguarding alerts: the SQLite store's (``storage/sqlite_alerts.py``),
save that an alert is recorded once per event by the unique key, even by two processes at once."""

from __future__ import annotations

from bot.core.types import Alert
from storage import sqlite_alerts
from storage.sqlite_alerts import SQLiteAlerts

SAVE_ALERT_ONCE = sqlite_alerts.SAVE_ALERT.replace(
    " RETURNING id", " ON CONFLICT (platform, event_id) DO NOTHING RETURNING id")


class PostgresAlerts(SQLiteAlerts):
    async def record_alert(self, alert: Alert) -> Alert:
        rows = list(await self.reader.execute_fetchall(
            SAVE_ALERT_ONCE, sqlite_alerts.alert_values(alert)))
        if rows:
            return alert.model_copy(update={"id": int(rows[0][0])})
        [found] = await self._alerts("WHERE platform = ? AND event_id = ?",
                                     (alert.platform, alert.event_id))
        return found
