"""Introductions: tellers who tried similar things, connected only when both say yes.

    connections        pairs of stories sharing a theme whose tellers are happy to be introduced
    connect N M        propose introducing the tellers of stories N and M

Never automatic: a moderator proposes each one (audited). The scheduler's ``introductions``
job then asks each teller privately, outside quiet hours and only when they have no
conversation in progress, through the introduction flow (``flows/introduction.py``) started
with ``App.start_flow``, so the question is written to the reply outbox with the
conversation and a restart in between asks once. Each says yes (and writes a line to pass
on) or no. Only when both have said yes does each receive the other's line, written to the
outbox with the introduction's new state in one transaction; the lines are then erased. A
"no" reveals nothing to the other side, who is told only that it did not go ahead.
"Forget me" erases a person's side and withdraws the introduction (``storage.ports``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations, islice

from bot.commands import Command, CommandContext, Commands
from bot.core.clock import Clock
from bot.core.config import FollowUpsConfig
from bot.core.introductions import Answer, Introduction, IntroductionState, Side
from bot.core.ports import Sender
from bot.core.types import (
    AuditEntry,
    Conversation,
    ConversationKey,
    ConversationStatus,
    OutgoingMessage,
    Platform,
    Story,
    StoryStatus,
    UserId,
)
from bot.core.words import say
from bot.features.follow_ups import Starter, direct_chat, quiet
from bot.features.outbox import Delivery
from bot.features.responses import short
from flows.engine import FlowEngine
from flows.introduction import INTRODUCTION, THEMES, agreed
from flows.spec import ABOUT
from storage.ports import ERASING, IntroductionStore, Notice

OPEN = (IntroductionState.PROPOSED,)
SHOWN = 20
"""How many suggestions ``connections`` lists at once (the newest stories' first)."""
ME = "storyloop"
"""How the audit log names the bot itself, for what it does on its own."""


@dataclass
class IntroductionDesk:
    store: IntroductionStore
    clock: Clock
    settings: FollowUpsConfig
    """Quiet hours and the time zone: introductions keep the same hours as follow-ups."""
    start: Starter
    engine: FlowEngine
    delivery: Delivery
    senders: dict[Platform, Sender]
    deciding: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held to read, change and save an introduction (never while waiting for a person's
    conversation lock, which ``finished`` is called under); the App holds it to forget
    someone (``App.erasing``), so an introduction is never decided on half-erased."""

    @asynccontextmanager
    async def _deciding(self) -> AsyncIterator[None]:
        """``deciding``, and the same against other processes sharing the database."""
        async with self.deciding, self.store.exclusive(ERASING):
            yield

    def register(self, commands: Commands) -> None:
        commands.add(Command("connections", say("connect.summary.connections"),
                             self.connections))
        commands.add(Command("connect", say("connect.summary.connect"), self.connect))

    async def connections(self, ctx: CommandContext) -> str:
        """Pairs of willing tellers' stories that share a theme, not proposed before."""
        willing = [s for s in await self.store.list_stories()
                   if s.consent.introduce and s.status is not StoryStatus.HIDDEN]
        proposed = {_pair(i) for i in await self.store.introductions()}
        pairs = list(islice(_suggestions(willing, proposed), SHOWN + 1))
        if not pairs:
            return say("connect.none")
        lines = [say("connect.pair", first=a.id, second=b.id, themes=", ".join(_shared(a, b)),
                     start_first=short(a), start_second=short(b)) for a, b in pairs[:SHOWN]]
        if len(pairs) > SHOWN:
            lines.append(say("connect.more", shown=SHOWN))
        return say("connect.list", count=len(lines[:SHOWN]), pairs="\n".join(lines),
                   prefix=ctx.prefix)

    async def connect(self, ctx: CommandContext) -> str:
        """``connect N M``: propose it; each teller is asked at the next tick."""
        numbers = [n.lstrip("#") for n in ctx.args.replace(",", " ").split()]
        if len(numbers) != 2 or not all(n.isdigit() for n in numbers) or numbers[0] == numbers[1]:
            return say("connect.usage", prefix=ctx.prefix)
        stories: list[Story] = []
        for number in numbers:
            story = await self.store.get_story(int(number))
            if story is None:
                return say("connect.no_such", number=number)
            if not story.consent.introduce:
                return say("connect.not_willing", number=number)
            stories.append(story)
        first, second = stories
        if (first.platform, first.participant) == (second.platform, second.participant):
            return say("connect.same_person")
        found = next((i for i in await self.store.introductions()
                      if _pair(i) == _pair_of(first, second)), None)
        if found is not None:
            return say("connect.already", first=first.id, second=second.id, id=found.id,
                       state=found.state.value)
        now, actor = self.clock.now(), f"{ctx.message.platform}:{ctx.message.sender_id}"
        saved = await self.store.save_introduction(
            Introduction(at=now, by=actor, sides=(_side(first), _side(second))),
            entry=AuditEntry(at=now, actor=actor, action="introduce",
                             target=f"stories #{first.id} #{second.id}"))
        return say("connect.proposed", id=saved.id, first=first.id, second=second.id)

    async def tick(self) -> None:
        """Outside quiet hours, ask each side not yet asked, once they are free."""
        now = self.clock.now()
        if quiet(now, self.settings.quiet_hours, self.settings.timezone):
            return
        for introduction in await self.store.introductions(OPEN):
            for side in introduction.sides:
                if side.answer is Answer.WAITING:
                    introduction = await self._ask(introduction, side, now)
                elif self._lapsed(side, now):
                    await self._unanswered(introduction, side)

    def _lapsed(self, side: Side, now: datetime) -> bool:
        """Asked, and unanswered twice ``remind_after`` later (there is no reminder)."""
        return (side.answer is Answer.ASKED and side.asked_at is not None
                and now >= side.asked_at + 2 * self.settings.reminder_delay)

    async def _unanswered(self, introduction: Introduction, side: Side) -> None:
        """Taken as a no, so the other side is not kept waiting: nothing is passed on. An
        answer later is told it did not go ahead."""
        async with self._deciding():
            fresh = await self._fresh(introduction)
            mine = fresh.side_of(side.platform, side.participant)
            if fresh.state is IntroductionState.PROPOSED and mine is not None and (
                    mine.answer is Answer.ASKED):
                no = mine.model_copy(update={"answer": Answer.NO})
                await self._settle(fresh.with_side(no), no)

    async def _ask(self, introduction: Introduction, side: Side, now: datetime) -> Introduction:
        """Start the introduction flow for one side; the introduction as it is now (the
        same while the person is busy: they are asked at a later tick)."""
        key = await self._key(side.platform, side.participant)
        if key is None:
            return introduction
        given = {ABOUT: introduction.id, THEMES: await self._themes(introduction)}
        replies = await self.start(key, INTRODUCTION, given)
        if replies is None and not await self._already_asked(key, introduction):
            return introduction
        async with self._deciding():  # its other side may be answering meanwhile
            fresh = await self._fresh(introduction)
            asked = fresh.with_side(
                side.model_copy(update={"answer": Answer.ASKED, "asked_at": now}))
            await self.store.save_introduction(asked)
        if replies and not self.delivery.handles(key.platform):
            for reply in replies:
                await self.senders[key.platform](reply)
        return asked

    async def _already_asked(self, key: ConversationKey, introduction: Introduction) -> bool:
        """The question was written, but the bot stopped before noting it asked."""
        conv = (await self.store.load_turn(key, None)).conversation
        return (conv is not None and conv.flow == INTRODUCTION and not self.engine.ended(conv)
                and conv.answers.get(ABOUT) == introduction.id)

    async def finished(self, conv: Conversation) -> None:
        """A teller ended the introduction conversation (``App`` calls this under its lock,
        once the turn is saved): keep their answer; pass the lines on if both said yes."""
        async with self._deciding():  # both may answer at once: one decides at a time
            found = await self._asking(conv)
            if found is None:
                return  # withdrawn while they answered: nothing to keep
            introduction, side = found
            line = agreed(conv.answers) if conv.status is ConversationStatus.DONE else None
            side = side.model_copy(update={"answer": Answer.YES if line else Answer.NO,
                                           "line": line})
            await self._settle(introduction.with_side(side), side)

    async def _fresh(self, introduction: Introduction) -> Introduction:
        return next((i for i in await self.store.introductions() if i.id == introduction.id),
                    introduction)

    async def _asking(self, conv: Conversation) -> tuple[Introduction, Side] | None:
        """The introduction the conversation asked about, and the person's side of it, if
        it is still theirs to answer."""
        for introduction in await self.store.introductions():
            side = introduction.side_of(conv.key.platform, conv.key.user_id)
            if introduction.id == conv.answers.get(ABOUT) and side is not None:
                return introduction, side
        return None

    async def _settle(self, introduction: Introduction, side: Side) -> None:
        """Save the answer, and what it decides: made, declined, or still waiting."""
        other = introduction.other(side)
        if introduction.state is not IntroductionState.PROPOSED or other is None:
            await self._close(introduction, introduction.state, [side] if side.line else [])
        elif side.answer is Answer.NO:
            await self._close(introduction, IntroductionState.DECLINED,
                              [other] if other.answer is Answer.YES else [])
        elif other.answer is Answer.YES:
            await self._made(introduction, side, other)
        else:
            await self.store.save_introduction(introduction)

    async def _made(self, introduction: Introduction, one: Side, other: Side) -> None:
        themes = await self._themes(introduction)
        notices = [await self._notice(one, say("introduction.made", themes=themes,
                                               line=other.line)),
                   await self._notice(other, say("introduction.made", themes=themes,
                                                 line=one.line))]
        await self._save_closed(introduction, IntroductionState.MADE, notices)

    async def _close(self, introduction: Introduction, state: IntroductionState,
                     told: list[Side]) -> None:
        """It did not go ahead: those who said yes are told so, and nothing else."""
        notices = [await self._notice(s, say("introduction.not_this_time")) for s in told]
        await self._save_closed(introduction, state, notices)

    async def _save_closed(self, introduction: Introduction, state: IntroductionState,
                           notices: list[Notice | None]) -> None:
        """The new state, every line erased, and the notices, at once; then sent."""
        closed = introduction.model_copy(update={"state": state, "sides": tuple(
            s.model_copy(update={"line": None}) for s in introduction.sides)})
        kept = [n for n in notices if n is not None]
        queued = tuple(n for n in kept if self.delivery.handles(n.platform))
        entry = AuditEntry(at=self.clock.now(), actor=ME, action=f"introduction {state.value}",
                           target=f"introduction #{introduction.id}")
        changed = state is not introduction.state
        await self.store.save_introduction(closed, queued, entry if changed else None)
        for notice in kept:  # from the outbox; or, on a platform that does not use it, now
            if notice in queued:
                self.delivery.notify(notice.platform, notice.message.room_id)
            else:
                await self.senders[notice.platform](notice.message)

    async def _notice(self, side: Side, text: str) -> Notice | None:
        key = await self._key(side.platform, side.participant)
        if key is None:
            return None
        return Notice(side.platform, side.participant,
                      OutgoingMessage(room_id=key.room_id, text=text))

    async def _key(self, platform: Platform, participant: UserId) -> ConversationKey | None:
        return await direct_chat(self.store, self.delivery, self.senders, platform, participant)

    async def _themes(self, introduction: Introduction) -> str:
        """The themes the two stories share (or, if none, those of either)."""
        stories = [await self.store.get_story(s.story_id) for s in introduction.sides]
        found = [s for s in stories if s is not None]
        if len(found) == 2 and (shared := _shared(*found)):
            return ", ".join(shared)
        return ", ".join(dict.fromkeys(t for s in found for t in s.themes))


def _suggestions(willing: list[Story], proposed: set[frozenset[int]],
                 ) -> Iterator[tuple[Story, Story]]:
    """Pairs of stories sharing a theme, from two people, not proposed before: newest
    stories first, each pair once, found theme by theme (never every pair of stories)."""
    by_theme: dict[str, list[Story]] = {}
    for story in reversed(willing):
        for theme in dict.fromkeys(t.casefold() for t in story.themes):
            by_theme.setdefault(theme, []).append(story)
    seen: set[frozenset[int]] = set()
    for stories in by_theme.values():
        for a, b in combinations(stories, 2):
            pair = _pair_of(a, b)
            if pair in seen or pair in proposed or (
                    (a.platform, a.participant) == (b.platform, b.participant)):
                continue
            seen.add(pair)
            yield (a, b) if (a.id or 0) < (b.id or 0) else (b, a)


def _side(story: Story) -> Side:
    assert story.id is not None
    return Side(story_id=story.id, platform=story.platform, participant=story.participant)


def _shared(a: Story, b: Story) -> list[str]:
    theirs = {t.casefold() for t in b.themes}
    return [t for t in a.themes if t.casefold() in theirs]


def _pair(introduction: Introduction) -> frozenset[int]:
    return frozenset(s.story_id for s in introduction.sides)


def _pair_of(a: Story, b: Story) -> frozenset[int]:
    return frozenset(s.id for s in (a, b) if s.id is not None)
