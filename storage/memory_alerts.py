"""The memory store's safeguarding alerts and missed stories (``storage.ports.Alerts``)."""

from __future__ import annotations

import itertools

from bot.core.types import Alert, AuditEntry, EventId, MissedStory, Platform, UserId


class MemoryAlerts:
    """Mixed into ``MemoryStore``, which gives ``audit``."""

    def __init__(self) -> None:
        self._alerts: dict[int, Alert] = {}
        self._alert_ids = itertools.count(1)
        self._missed: dict[int, MissedStory] = {}
        self._missed_ids = itertools.count(1)

    async def audit(self, entry: AuditEntry) -> None:
        raise NotImplementedError  # given by the store

    async def record_alert(self, alert: Alert) -> Alert:
        if alert.event_id is not None:
            for old in self._alerts.values():
                if (old.platform, old.event_id) == (alert.platform, alert.event_id):
                    return old
        new_id = next(self._alert_ids)
        self._alerts[new_id] = saved = alert.model_copy(update={"id": new_id})
        return saved

    async def get_alert(self, alert_id: int) -> Alert | None:
        return self._alerts.get(alert_id)

    async def unsay_alert(self, platform: Platform, event_id: EventId) -> None:
        self._alerts = {n: a.model_copy(update={"text": None})
                        if (a.platform, a.event_id) == (platform, event_id) else a
                        for n, a in self._alerts.items()}

    async def recent_alerts(self, limit: int = 20) -> list[Alert]:
        return sorted(self._alerts.values(), key=lambda a: -(a.id or 0))[:limit]

    async def judge_alert(self, alert: Alert, entry: AuditEntry) -> None:
        assert alert.id is not None
        self._alerts[alert.id] = alert
        await self.audit(entry)

    async def mark_missed(self, missed: MissedStory, entry: AuditEntry) -> MissedStory:
        saved = missed.model_copy(update={"id": next(self._missed_ids)})
        self._missed[saved.story_id] = saved
        await self.audit(entry)
        return saved

    async def missed_of_story(self, story_id: int) -> MissedStory | None:
        return self._missed.get(story_id)

    async def judged_alerts(self) -> list[Alert]:
        return [a for _, a in sorted(self._alerts.items()) if a.verdict is not None]

    async def missed_stories(self) -> list[MissedStory]:
        return sorted(self._missed.values(), key=lambda m: m.id or 0)

    def _forget_alerts(self, platform: Platform, participant: UserId) -> None:
        self._alerts = {n: a for n, a in self._alerts.items()
                        if (a.platform, a.participant) != (platform, participant)}
        self._missed = {n: m for n, m in self._missed.items()
                        if (m.platform, m.participant) != (platform, participant)}
