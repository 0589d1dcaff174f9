"""Moderators' commands for stories, each written to the append-only audit log:

    story show N
    story approve N
    story hide N <reason>
    story redact N "<text>" -> "<replacement>"
    stories pending
    stories search <words>
    audit [N]

Moderators only ever see stories redacted (``bot.features.export.public_view``) and never a platform
id. A storyteller who agreed to be contacted hears in their own chat when their story is
approved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.commands import Command, CommandContext, Commands
from bot.core.clock import Clock
from bot.core.ports import Sender
from bot.core.types import AuditEntry, OutgoingMessage, Platform, RoomId, Story, StoryStatus
from bot.features.export import TEXT_FIELDS, public_view
from storage.ports import ModerationStore

_REDACT = re.compile(r'^(\d+)\s+"(?P<text>[^"]+)"\s*->\s*"(?P<replacement>[^"]*)"\s*$')
PREVIEW = 90
APPROVED_NOTE = ("Good news: a moderator has approved the story you shared. Thank you; it "
                 "will help the team learn what works.")


@dataclass
class Moderation:
    store: ModerationStore
    clock: Clock
    senders: dict[Platform, Sender] = field(default_factory=dict)
    """How to reach people on each platform (adapters register themselves)."""

    def register(self, commands: Commands) -> None:
        commands.add(Command("story", "story show|approve|hide|redact N ...", self.story))
        commands.add(Command("stories", "stories pending, or stories search <words>",
                             self.stories))
        commands.add(Command("audit", "audit [N]: the latest moderation actions", self.audit))

    async def story(self, ctx: CommandContext) -> str:
        action, _, rest = ctx.args.partition(" ")
        handler = {"show": self._show, "approve": self._approve, "hide": self._hide,
                   "redact": self._redact}.get(action)
        if handler is None:
            return 'Try: story show N, story approve N, story hide N <reason>, or ' \
                   'story redact N "<text>" -> "<replacement>".'
        return await handler(ctx, rest.strip())

    async def _find(self, rest: str) -> Story | str:
        number = rest.split(" ", 1)[0].lstrip("#")
        if not number.isdigit():
            return "Which story? Give its number, like: story show 12."
        story = await self.store.get_story(int(number))
        return story if story is not None else f"There is no story #{number}."

    async def _show(self, ctx: CommandContext, rest: str) -> str:
        story = await self._find(rest)
        return story if isinstance(story, str) else describe(public_view(story))

    async def _approve(self, ctx: CommandContext, rest: str) -> str:
        story = await self._find(rest)
        if isinstance(story, str):
            return story
        await self._save(ctx, story, {"status": StoryStatus.APPROVED}, "approve", None)
        told = await self._tell_storyteller(story) if story.consent.contact else False
        note = " Its teller has been told." if told else ""
        return f"Story #{story.id} is approved.{note}"

    async def _hide(self, ctx: CommandContext, rest: str) -> str:
        story = await self._find(rest)
        if isinstance(story, str):
            return story
        reason = rest.partition(" ")[2].strip()
        if not reason:
            return f"Please give a reason: story hide {story.id} <reason>."
        await self._save(ctx, story, {"status": StoryStatus.HIDDEN}, "hide", reason)
        return f"Story #{story.id} is hidden. Reason noted: {reason}"

    async def _redact(self, ctx: CommandContext, rest: str) -> str:
        match = _REDACT.match(rest)
        if match is None:
            return 'Write it like this: story redact 12 "Dr Jones" -> "a doctor".'
        story = await self._find(match.group(1))
        if isinstance(story, str):
            return story
        old, new = match.group("text"), match.group("replacement")
        changes = {f: v.replace(old, new) for f in TEXT_FIELDS
                   if isinstance(v := getattr(story, f), str) and old in v}
        if not changes:
            return f"Story #{story.id} does not contain that text; nothing changed."
        await self._save(ctx, story, changes, "redact", f"{len(changes)} field(s)")
        return f"Redacted story #{story.id} in {len(changes)} place(s)."

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
        await send(OutgoingMessage(room_id=RoomId(room), text=APPROVED_NOTE))
        return True

    async def stories(self, ctx: CommandContext) -> str:
        action, _, words = ctx.args.partition(" ")
        if action == "pending":
            found = await self.store.list_stories(status=StoryStatus.PENDING)
            heading = "Waiting for a moderator"
        elif action == "search" and words.strip():
            found = await self.store.search_stories(words.strip())
            heading = f"Stories mentioning \u201c{words.strip()}\u201d"
        else:
            return "Try: stories pending, or stories search <words>."
        if not found:
            return f"{heading}: none."
        return f"{heading} ({len(found)}):\n" + "\n".join(map(line, map(public_view, found)))

    async def audit(self, ctx: CommandContext) -> str:
        count = int(ctx.args) if ctx.args.strip().isdigit() else 10
        entries = await self.store.audit_entries(count)
        if not entries:
            return "The audit log is empty."
        return "Latest actions:\n" + "\n".join(
            f"{e.at:%Y-%m-%d %H:%M} {e.actor}: {e.action}"
            f"{' ' + e.target if e.target else ''}{' (' + e.reason + ')' if e.reason else ''}"
            for e in entries)


def line(story: Story) -> str:
    text = story.situation if len(story.situation) <= PREVIEW else \
        story.situation[:PREVIEW - 1] + "\u2026"
    return f"#{story.id} [{story.status}] {story.created_at:%d %b} {story.role}: {text}"


def describe(story: Story) -> str:
    consent = story.consent
    agreed = [name for name, given in (("summaries", consent.digest), ("quotes", consent.quote),
                                       ("contact", consent.contact), ("naming", consent.name))
              if given] or ["nothing beyond keeping it"]
    parts = [f"Story #{story.id} [{story.status}], {story.created_at:%d %b %Y}, "
             f"told as {story.role}",
             f"What's happening: {story.situation}",
             f"What was tried ({story.tried_by or 'unknown'}): {story.tried or '-'}",
             f"What happened: {story.outcome or '-'}",
             f"What would help: {story.spread or '-'}",
             f"Themes: {', '.join(story.themes) or '-'}",
             f"Place: {story.place or '-'}",
             f"They agreed to: {', '.join(agreed)}"]
    if story.safeguarding:
        parts.append(f"Safeguarding: {story.safeguarding} (never in a digest)")
    return "\n".join(parts)
