"""Moderators' word on safeguarding alerts, each written to the audit log:

    alerts                      the recent alerts: number, when, concern, source, verdict
    alert N false-alarm         the alert should not have been raised
    alert N confirmed           the alert was right
    story missed N <concern>    a story that raised no alert and should have
                                (``story N missed <concern>`` also works)

None of them ever shows what anyone wrote. The verdicts and the stories marked missed are
the labelled examples ``storyloop safeguarding export-feedback`` writes out for the next
training round (``bot/features/feedback.py``); only redacted words are kept for them.

Idempotent, like approving a story: a second identical verdict, or a story marked missed
twice, changes nothing, writes no second audit entry, and the moderator is told so.

A false alarm does not lift a story's safeguarding mark: an alert is not linked to the
story told after it, so the story stays out of digests (docs/safeguarding.md).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.commands import Command, CommandContext, Commands
from bot.core.clock import Clock
from bot.core.types import Alert, AuditEntry, MissedStory, Story, Verdict
from bot.core.words import say, say_date
from bot.features.export import TEXT_FIELDS
from flows.redaction import redact
from flows.safeguarding import Concern
from storage.ports import SafeguardingStore

VERDICTS = {"false-alarm": Verdict.FALSE_ALARM, "confirmed": Verdict.CONFIRMED}
RECENT = 10


@dataclass
class AlertDesk:
    store: SafeguardingStore
    clock: Clock
    _changing: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def register(self, commands: Commands) -> None:
        commands.add(Command("alert", say("alerts.summary.alert"), self.alert))
        commands.add(Command("alerts", say("alerts.summary.alerts"), self.alerts))

    async def alerts(self, ctx: CommandContext) -> str:
        found = await self.store.recent_alerts(RECENT)
        if not found:
            return say("alerts.none")
        return say("alerts.latest", alerts="\n".join(map(_line, found)))

    async def alert(self, ctx: CommandContext) -> str:
        number, _, word = ctx.args.partition(" ")
        verdict = VERDICTS.get(word.strip().casefold())
        if not number.lstrip("#").isdigit() or verdict is None:
            return say("alerts.usage", prefix=ctx.prefix)
        async with self._changing:
            found = await self.store.get_alert(int(number.lstrip("#")))
            if found is None:
                return say("alerts.no_such", number=number.lstrip("#"))
            return await self._judge(ctx, found, verdict)

    async def _judge(self, ctx: CommandContext, alert: Alert, verdict: Verdict) -> str:
        if alert.verdict is verdict:
            return say("alerts.already", id=alert.id, verdict=verdict)
        now, actor = self.clock.now(), _actor(ctx)
        judged = alert.model_copy(update={"verdict": verdict, "verdict_by": actor,
                                          "verdict_at": now})
        await self.store.judge_alert(judged, AuditEntry(
            at=now, actor=actor, action=f"alert {verdict}", target=f"alert #{alert.id}"))
        return say("alerts.judged", id=alert.id, verdict=verdict)

    async def missed(self, ctx: CommandContext, rest: str) -> str:
        """``story missed N <concern>``: called by the ``story`` command."""
        number, _, concern = rest.partition(" ")
        choices = ", ".join(c.value for c in Concern)
        if not number.lstrip("#").isdigit():
            return say("alerts.usage.missed", prefix=ctx.prefix, choices=choices)
        if concern.strip().casefold() not in {c.value for c in Concern}:
            return say("alerts.missed.concern", given=concern.strip(), choices=choices)
        async with self._changing:
            story = await self.store.get_story(int(number.lstrip("#")))
            if story is None or story.id is None:
                return say("moderation.no_such_story", number=number.lstrip("#"))
            return await self._mark(ctx, story, story.id, concern.strip().casefold())

    async def _mark(self, ctx: CommandContext, story: Story, story_id: int, concern: str) -> str:
        if story.safeguarding:
            return say("alerts.missed.raised", id=story_id, concern=story.safeguarding)
        if await self.store.missed_of_story(story_id) is not None:
            return say("alerts.missed.already", id=story_id)
        now, actor = self.clock.now(), _actor(ctx)
        await self.store.mark_missed(
            MissedStory(at=now, platform=story.platform, participant=story.participant,
                        story_id=story_id, concern=concern, text=story_text(story),
                        marked_by=actor),
            AuditEntry(at=now, actor=actor, action="story missed", target=f"story #{story_id}",
                       reason=concern))
        return say("alerts.missed.marked", id=story_id, concern=concern)


def story_text(story: Story) -> str:
    """The story's own words, redacted, as one example to learn from (no place)."""
    parts = [getattr(story, f) for f in TEXT_FIELDS if f != "place"]
    return redact("\n".join(p for p in parts if isinstance(p, str) and p))


def _actor(ctx: CommandContext) -> str:
    return f"{ctx.message.platform}:{ctx.message.sender_id}"


def _line(alert: Alert) -> str:
    score = "" if alert.score is None else f" {alert.score:.2f}"
    verdict = alert.verdict or say("alerts.unjudged")
    return (f"#{alert.id} {say_date('date.short', alert.at)} {alert.at:%H:%M} "
            f"{alert.concern} ({alert.source}{score}): {verdict}")
