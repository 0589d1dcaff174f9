"""Moderators' commands for stories, each written to the append-only audit log:

    story show N
    story approve N
    story hide N <reason>
    story redact N "<text>" -> "<replacement>"
    story missed N <concern>   (bot/features/alerts.py)
    stories pending
    stories search <words>
    audit [N]

Moderators only ever see stories redacted (``bot.features.export.public_view``) and never a platform
id. A storyteller who agreed to be contacted hears in their own chat when their story is
approved.

Approving or hiding is idempotent: a story already approved (or hidden) is left as it is, with
no second audit entry and no second message to its teller, and the moderator is told so. The
changes are made one at a time, so two presses of the same button at once count once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.commands import Command, CommandContext, Commands
from bot.core.clock import Clock
from bot.core.ports import Sender
from bot.core.types import AuditEntry, OutgoingMessage, Platform, RoomId, Story, StoryStatus
from bot.core.words import say, say_date
from bot.features.export import TEXT_FIELDS, public_view
from storage.ports import ModerationStore

_REDACT = re.compile(r'^(\d+)\s+"(?P<text>[^"]+)"\s*->\s*"(?P<replacement>[^"]*)"\s*$')
PREVIEW = 90


@dataclass
class Moderation:
    store: ModerationStore
    clock: Clock
    senders: dict[Platform, Sender] = field(default_factory=dict)
    """How to reach people on each platform (adapters register themselves)."""
    more: dict[str, Callable[[CommandContext, str], Awaitable[str]]] = field(
        default_factory=dict)
    """More ``story`` actions from other features: ``missed`` (``bot/features/alerts.py``)."""
    shown_with: Callable[[int], Awaitable[list[str]]] | None = None
    """Lines ``story show`` adds under a story: its responses and changes."""
    _changing: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    """Held while a story is read and changed, so a change always sees the one before."""

    def register(self, commands: Commands) -> None:
        commands.add(Command("story", say("moderation.summary.story"), self.story))
        commands.add(Command("stories", say("moderation.summary.stories"), self.stories))
        commands.add(Command("audit", say("moderation.summary.audit"), self.audit))

    async def story(self, ctx: CommandContext) -> str:
        action, _, rest = ctx.args.partition(" ")
        if action.lstrip("#").isdigit():  # the number first: "story 12 missed abuse"
            second, _, tail = rest.partition(" ")
            action, rest = second, f"{action} {tail}"
        if action in self.more:
            return await self.more[action](ctx, rest.strip())
        handler = {"show": self._show, "approve": self._approve, "hide": self._hide,
                   "redact": self._redact}.get(action)
        if handler is None:
            return say("moderation.usage.story", prefix=ctx.prefix)
        async with self._changing:
            return await handler(ctx, rest.strip())

    async def _find(self, ctx: CommandContext, rest: str) -> Story | str:
        number = rest.split(" ", 1)[0].lstrip("#")
        if not number.isdigit():
            return say("moderation.usage.number", prefix=ctx.prefix)
        story = await self.store.get_story(int(number))
        return story if story is not None else say("moderation.no_such_story", number=number)

    async def _show(self, ctx: CommandContext, rest: str) -> str:
        story = await self._find(ctx, rest)
        if isinstance(story, str):
            return story
        extra = await self.shown_with(story.id) if self.shown_with and story.id else []
        return "\n".join([describe(public_view(story)), *extra])

    async def _approve(self, ctx: CommandContext, rest: str) -> str:
        story = await self._find(ctx, rest)
        if isinstance(story, str):
            return story
        if story.status is StoryStatus.APPROVED:
            return say("moderation.already_approved", id=story.id)
        await self._save(ctx, story, {"status": StoryStatus.APPROVED}, "approve", None)
        told = await self._tell_storyteller(story) if story.consent.contact else False
        return say("moderation.approved.told" if told else "moderation.approved", id=story.id)

    async def _hide(self, ctx: CommandContext, rest: str) -> str:
        story = await self._find(ctx, rest)
        if isinstance(story, str):
            return story
        if story.status is StoryStatus.HIDDEN:
            return say("moderation.already_hidden", id=story.id)
        reason = rest.partition(" ")[2].strip()
        if not reason:
            return say("moderation.usage.hide", id=story.id, prefix=ctx.prefix)
        await self._save(ctx, story, {"status": StoryStatus.HIDDEN}, "hide", reason)
        return say("moderation.hidden", id=story.id, reason=reason)

    async def _redact(self, ctx: CommandContext, rest: str) -> str:
        match = _REDACT.match(rest)
        if match is None:
            return say("moderation.usage.redact", prefix=ctx.prefix)
        story = await self._find(ctx, match.group(1))
        if isinstance(story, str):
            return story
        old, new = match.group("text"), match.group("replacement")
        changes = {f: v.replace(old, new) for f in TEXT_FIELDS
                   if isinstance(v := getattr(story, f), str) and old in v}
        if not changes:
            return say("moderation.redact.not_found", id=story.id)
        await self._save(ctx, story, changes, "redact", f"{len(changes)} field(s)")
        return say("moderation.redacted", id=story.id, count=len(changes))

    async def _save(self, ctx: CommandContext, story: Story, changes: Mapping[str, object],
                    action: str, reason: str | None) -> None:
        now = self.clock.now()
        updated = story.model_copy(update={**changes, "updated_at": now})
        entry = AuditEntry(at=now, actor=f"{ctx.message.platform}:{ctx.message.sender_id}",
                           action=action, target=f"story #{story.id}", reason=reason)
        await self.store.update_story(updated, entry)

    async def _tell_storyteller(self, story: Story) -> bool:
        send = self.senders.get(story.platform)
        room = await self.store.room_of(story.platform, story.participant)
        if send is None or room is None:
            return False
        await send(OutgoingMessage(room_id=RoomId(room), text=say("moderation.told_approved")))
        return True

    async def stories(self, ctx: CommandContext) -> str:
        action, _, words = ctx.args.partition(" ")
        if action == "pending":
            found = await self.store.list_stories(status=StoryStatus.PENDING)
            heading = say("moderation.pending")
        elif action == "search" and words.strip():
            found = await self.store.search_stories(words.strip())
            heading = say("moderation.mentioning", words=words.strip())
        else:
            return say("moderation.usage.stories", prefix=ctx.prefix)
        if not found:
            return say("moderation.found.none", heading=heading)
        return say("moderation.found", heading=heading, count=len(found),
                   stories="\n".join(map(line, map(public_view, found))))

    async def audit(self, ctx: CommandContext) -> str:
        count = int(ctx.args) if ctx.args.strip().isdigit() else 10
        entries = await self.store.audit_entries(count)
        if not entries:
            return say("moderation.audit.empty")
        return say("moderation.audit.latest", entries="\n".join(
            f"{e.at:%Y-%m-%d %H:%M} {e.actor}: {e.action}"
            f"{' ' + e.target if e.target else ''}{' (' + e.reason + ')' if e.reason else ''}"
            for e in entries))


def line(story: Story) -> str:
    text = story.situation if len(story.situation) <= PREVIEW else \
        story.situation[:PREVIEW - 1] + "\u2026"
    date = say_date("date.short", story.created_at)
    return f"#{story.id} [{story.status}] {date} {story.role}: {text}"


def describe(story: Story) -> str:
    consent = story.consent
    agreed = [say(f"moderation.agreed.{name}") for name in ("digest", "quote", "contact", "name")
              if getattr(consent, name)] or [say("moderation.agreed.nothing")]
    date = say_date("date.medium", story.created_at)
    parts = [say("moderation.show.title", id=story.id, status=story.status, date=date,
                 role=story.role),
             say("moderation.show.situation", text=story.situation),
             say("moderation.show.tried", by=story.tried_by or say("moderation.show.unknown"),
                 text=story.tried or "-"),
             say("moderation.show.outcome", text=story.outcome or "-"),
             say("moderation.show.spread", text=story.spread or "-"),
             say("moderation.show.themes", text=", ".join(story.themes) or "-"),
             say("moderation.show.place", text=story.place or "-"),
             say("moderation.show.agreed", text=", ".join(agreed))]
    if story.safeguarding:
        parts.append(say("moderation.show.safeguarding", concern=story.safeguarding))
    return "\n".join(parts)
