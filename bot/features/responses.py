"""Closing the loop by command: a service answers a story, and says what changed because of it.

    story respond N "<response>"                          answer story N
    story change N planned|made|not-taken-forward "<what>" record what changed (append-only)

Moderators may answer any story; responders named in the config (``[[responders]]``) answer
approved stories about their services or themes. What they write is redacted
(``flows.redaction``) before it is kept, and audited. A teller who agreed to be contacted
hears it in their own chat: the message is written to the reply outbox in the same
transaction as the response, so a crash between writing and sending sends it once, later.
Everyone else sees it with the story: in "my stories", exports and digests.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from bot.commands import Command, CommandContext, Commands
from bot.core.clock import Clock
from bot.core.config import ResponderConfig
from bot.core.loop import ChangeStatus, Response, StoryChange
from bot.core.ports import Sender
from bot.core.types import AuditEntry, OutgoingMessage, Platform, RoomId, Story, StoryStatus, UserId
from bot.core.words import say
from bot.features.outbox import Delivery
from flows.redaction import redact
from storage.ports import Notice, ResponseStore

_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_CHANGE = re.compile(r"^(?P<status>planned|made|not[-_ ]taken[-_ ]forward)\s+(?P<what>.+)$",
                     re.IGNORECASE | re.DOTALL)
SHORT = 60


@dataclass(frozen=True)
class Responders:
    """Who answers which stories, besides the moderators (``[[responders]]`` in the config)."""

    entries: tuple[ResponderConfig, ...] = ()

    def of(self, platform: Platform, user: UserId) -> list[ResponderConfig]:
        return [r for r in self.entries if user in getattr(r, platform, ())]

    def known(self, platform: Platform, user: UserId) -> bool:
        return bool(self.of(platform, user))

    def for_story(self, platform: Platform, user: UserId, story: Story) -> ResponderConfig | None:
        """The entry that lets ``user`` answer ``story``: its place names one of their
        services, or it has one of their themes."""
        place = (story.place or "").casefold()
        themes = {t.casefold() for t in story.themes}
        return next((r for r in self.of(platform, user)
                     if any(s.casefold() in place for s in r.services if s.strip())
                     or themes & {t.casefold() for t in r.themes}), None)


@dataclass
class ResponseDesk:
    store: ResponseStore
    clock: Clock
    delivery: Delivery
    senders: dict[Platform, Sender]
    responders: Responders = field(default_factory=Responders)
    _changing: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def register(self, commands: Commands) -> None:
        """``story respond`` and ``story change``, for moderators and responders."""
        commands.add(Command("story respond", say("respond.summary.respond"),
                             lambda ctx: self.respond(ctx, ctx.args),
                             allowed=self.responders.known))
        commands.add(Command("story change", say("respond.summary.change"),
                             lambda ctx: self.change(ctx, ctx.args),
                             allowed=self.responders.known))

    async def respond(self, ctx: CommandContext, rest: str) -> str:
        """``story respond N "..."`` (also ``story N respond "..."``)."""
        number, _, text = rest.strip().partition(" ")
        text = _unquoted(text)
        if not number.lstrip("#").isdigit() or not text:
            return say("respond.usage", prefix=ctx.prefix)
        async with self._changing:
            story = await self._story(ctx, int(number.lstrip("#")))
            if isinstance(story, str):
                return story
            return await self._respond(ctx, story, redact(text), text)

    async def change(self, ctx: CommandContext, rest: str) -> str:
        """``story change N made "..."`` (also ``story N change made "..."``)."""
        number, _, tail = rest.strip().partition(" ")
        match = _CHANGE.match(tail.strip())
        what = _unquoted(match.group("what")) if match else ""
        status = ChangeStatus.parse(match.group("status")) if match else None
        if not number.lstrip("#").isdigit() or status is None or not what:
            return say("change.usage", prefix=ctx.prefix)
        async with self._changing:
            story = await self._story(ctx, int(number.lstrip("#")))
            if isinstance(story, str):
                return story
            return await self._change(ctx, story, status, redact(what), what)

    async def _story(self, ctx: CommandContext, number: int) -> Story | str:
        story = await self.store.get_story(number)
        if story is None:
            return say("moderation.no_such_story", number=number)
        if ctx.is_moderator:
            return story
        mine = self.responders.for_story(ctx.message.platform, ctx.message.sender_id, story)
        if mine is None or story.status is not StoryStatus.APPROVED:
            return say("respond.not_yours", id=number)
        return story

    async def _respond(self, ctx: CommandContext, story: Story, text: str, typed: str) -> str:
        assert story.id is not None
        now, signed = self.clock.now(), self._signed(ctx)
        words = say("respond.to_teller", signed=signed, text=text, story=short(story))
        room, notice = await self._notice(story, words)
        saved = await self.store.add_response(
            Response(story_id=story.id, at=now, by=_actor(ctx), signed=signed, text=text,
                     relayed=room is not None),
            AuditEntry(at=now, actor=_actor(ctx), action="respond", target=f"story #{story.id}",
                       reason=signed), notice)
        await self._send(story.platform, room, notice, words)
        key = "respond.kept.told" if room is not None else "respond.kept"
        return say(key, id=saved.id, story=story.id) + _hidden(text, typed)

    async def _change(self, ctx: CommandContext, story: Story, status: ChangeStatus, what: str,
                      typed: str) -> str:
        assert story.id is not None
        now = self.clock.now()
        words = say(f"change.to_teller.{status.name.lower()}", what=what, story=short(story))
        room, notice = await self._notice(story, words)
        saved = await self.store.add_change(
            StoryChange(story_id=story.id, at=now, by=_actor(ctx), status=status, what=what),
            AuditEntry(at=now, actor=_actor(ctx), action=f"change {status}",
                       target=f"story #{story.id}"), notice)
        await self._send(story.platform, room, notice, words)
        key = "change.kept.told" if room is not None else "change.kept"
        return say(key, id=saved.id, story=story.id, status=status) + _hidden(what, typed)

    async def _notice(self, story: Story, words: str) -> tuple[RoomId | None, Notice | None]:
        """Where to tell the teller (None: they did not agree, or cannot be reached), and the
        notice to write to the outbox with the change, on a platform that sends from it."""
        if not story.consent.contact:
            return None, None
        found = await self.store.room_of(story.platform, story.participant)
        room = None if found is None else RoomId(found)
        if room is None or not (self.delivery.handles(story.platform)
                                or story.platform in self.senders):
            return None, None
        if not self.delivery.handles(story.platform):
            return room, None
        message = OutgoingMessage(room_id=room, text=words)
        return room, Notice(story.platform, story.participant, message)

    async def _send(self, platform: Platform, room: RoomId | None, notice: Notice | None,
                    words: str) -> None:
        """Send what was written to the outbox; or, on a platform that does not send from
        it, send it now."""
        if room is None:
            return
        if notice is not None:
            self.delivery.notify(platform, room)
        else:
            await self.senders[platform](OutgoingMessage(room_id=room, text=words))

    async def lines(self, story_id: int) -> list[str]:
        """A story's responses and changes, one line each (under ``story show``)."""
        return ([say("mydata.response", signed=r.signed, text=r.text)
                 for r in await self.store.responses_to([story_id])]
                + [say(f"mydata.change.{c.status.name.lower()}", what=c.what)
                   for c in await self.store.changes_to([story_id])])

    def _signed(self, ctx: CommandContext) -> str:
        named = self.responders.of(ctx.message.platform, ctx.message.sender_id)
        return named[0].name if named else say("respond.from_moderators")


def _unquoted(text: str) -> str:
    """The words between the quotes, straight or curly (or as typed, with none)."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1]
    return text.strip()


def short(story: Story) -> str:
    """The start of the story, redacted, on one line, to say which one is meant."""
    text = " ".join(redact(story.situation).split()).rstrip(".")
    return text if len(text) <= SHORT else text[:SHORT - 1].rstrip() + "\u2026"


def _hidden(kept: str, typed: str) -> str:
    """A note that something identifying was hidden, showing what was kept."""
    return "" if kept == typed else " " + say("respond.redacted", text=kept)


def _actor(ctx: CommandContext) -> str:
    return f"{ctx.message.platform}:{ctx.message.sender_id}"
