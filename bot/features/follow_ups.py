"""Follow-ups: weeks after a story told of something tried, ask its teller how it went.

A follow-up is planned for each story with something tried whose teller agreed to be
contacted, due ``[follow_ups] after`` its story was saved. The scheduler's ``follow_ups`` job
(``tick``) asks what is due, outside quiet hours in the deployment's time zone, and only when
the person has no conversation in progress: the follow-up flow (``flows/follow_up.py``) is
started through ``App.start_flow``, so its first words are written to the reply outbox with
the conversation, and a restart in between sends them once. One reminder, after
``remind_after``, if unanswered. The answers become an update linked to the story, pending
until a moderator approves it. Nothing here is a timer: every deadline is in the store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.commands import Command, CommandContext, Commands
from bot.core.clock import Clock
from bot.core.config import FollowUpsConfig
from bot.core.follow_ups import FollowUp, FollowUpState, StoryUpdate
from bot.core.locks import KeyedLocks
from bot.core.ports import Sender
from bot.core.types import (
    AuditEntry,
    Conversation,
    ConversationKey,
    ConversationStatus,
    OutgoingMessage,
    Platform,
    RoomId,
    Story,
    StoryStatus,
    UserId,
)
from bot.core.words import say
from bot.features.outbox import Delivery
from flows.engine import FlowEngine
from flows.follow_up import FOLLOW_UP, LEARNED, SINCE, TRIED_SAID, outcome_of
from flows.redaction import redact
from flows.spec import ABOUT
from storage.ports import FollowUpStore, Notice, Stories


class Starter(Protocol):
    """``App.start_flow``: start a named flow for a known person, with answers given; None
    while they are busy."""

    def __call__(self, key: ConversationKey, flow: str, given: Mapping[str, Any] | None = None,
                 ) -> Awaitable[list[OutgoingMessage] | None]: ...


PLANNED = "follow_ups:planned_through"
"""KeyValue: the last story id considered for a follow-up, and when that story was saved."""
REREAD = timedelta(days=1)
"""Stories saved this long before the last one considered are read again, in case the
clock stepped back; only those with a later id are new."""
ASKING = (FollowUpState.ASKED, FollowUpState.REMINDED)


def quiet(now: datetime, hours: str, zone: str) -> bool:
    """Is ``now`` within the quiet hours ("21:00-09:00", local time in ``zone``)?"""
    start, end = (time.fromisoformat(part) for part in hours.split("-"))
    local = now.astimezone(ZoneInfo(zone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


@dataclass
class FollowUpDesk:
    store: FollowUpStore
    clock: Clock
    settings: FollowUpsConfig
    start: Starter
    engine: FlowEngine
    delivery: Delivery
    senders: dict[Platform, Sender]
    locks: KeyedLocks

    async def tick(self) -> None:
        """Plan follow-ups for new stories; then, outside quiet hours, remind and ask."""
        await self.plan()
        now = self.clock.now()
        if quiet(now, self.settings.quiet_hours, self.settings.timezone):
            return
        asking = await self.store.follow_ups(ASKING)
        for follow_up in asking:
            await self._remind(follow_up, now)
        busy = {(f.platform, f.participant) for f in asking if not self._lapsed(f, now)}
        for follow_up in await self.store.follow_ups([FollowUpState.WAITING]):
            who = (follow_up.platform, follow_up.participant)
            if follow_up.due_at <= now and who not in busy and await self._ask(follow_up, now):
                busy.add(who)

    async def plan(self) -> None:
        """A follow-up for each story since the last planned that told of something tried
        and whose teller agreed to be contacted."""
        number, _, saved = (await self.store.get_value(PLANNED) or "0").partition(" ")
        since = datetime.fromisoformat(saved) - REREAD if saved else None
        through = int(number)  # read from ``since``: not every story, every minute
        stories = [s for s in await self.store.list_stories(since=since) if (s.id or 0) > through]
        for story in stories:
            if wanted(story):
                assert story.id is not None
                await self.store.plan_follow_up(FollowUp(
                    story_id=story.id, platform=story.platform, participant=story.participant,
                    due_at=story.created_at + self.settings.delay))
        if stories:
            newest = max(stories, key=lambda s: s.id or 0)
            await self.store.set_value(PLANNED, f"{newest.id} {newest.created_at.isoformat()}")

    def _lapsed(self, follow_up: FollowUp, now: datetime) -> bool:
        """Reminded, and still unanswered ``remind_after`` later: it no longer holds back
        the person's other follow-ups (its conversation, left idle, is kept aside for them,
        and an answer to it later is still kept)."""
        return (follow_up.reminded_at is not None
                and now >= follow_up.reminded_at + self.settings.reminder_delay)

    async def stop(self, platform: Platform, participant: UserId) -> int:
        """"stop follow-ups": none of the person's stories told so far is followed up."""
        await self.plan()
        return await self.store.stop_follow_ups(platform, participant)

    async def finished(self, conv: Conversation) -> None:
        """The person ended a follow-up conversation (``App`` calls this under its lock, once
        the turn is saved): keep their answers as an update, or stop it if they declined."""
        asked = await self._asked(conv)
        if asked is None or asked.id is None:
            return
        outcome = outcome_of(conv.answers)
        if conv.status is not ConversationStatus.DONE or outcome is None:
            await self.store.set_follow_up(asked.model_copy(
                update={"state": FollowUpState.STOPPED}))
            return
        await self.store.record_update(StoryUpdate(
            story_id=asked.story_id, follow_up_id=asked.id, at=self.clock.now(),
            outcome=outcome, since=conv.answers.get(SINCE), learned=conv.answers.get(LEARNED)))

    async def _asked(self, conv: Conversation) -> FollowUp | None:
        """The follow-up the conversation asked (by its id; one started before ids were
        given is the person's oldest asked)."""
        key, about = conv.key, conv.answers.get(ABOUT)
        return next((f for f in await self.store.follow_ups(ASKING)
                     if (f.platform, f.participant) == (key.platform, key.user_id)
                     and about in (None, f.id)), None)

    async def _ask(self, follow_up: FollowUp, now: datetime) -> bool:
        """Start the follow-up flow; False while the person is mid-conversation (it waits)."""
        key = await self._key(follow_up)
        if key is None:
            return False
        story = await self.store.get_story(follow_up.story_id)
        said = shortened(story.tried) if story is not None and story.tried else ""
        replies = await self.start(key, FOLLOW_UP, {ABOUT: follow_up.id, TRIED_SAID: said})
        if replies is None and not await self._already_asked(key, follow_up):
            return False
        await self.store.set_follow_up(follow_up.model_copy(
            update={"state": FollowUpState.ASKED, "asked_at": now}))
        if replies and not self.delivery.handles(key.platform):
            for reply in replies:
                await self.senders[key.platform](reply)
        return True

    async def _already_asked(self, key: ConversationKey, follow_up: FollowUp) -> bool:
        """The follow-up conversation was started, but the bot stopped before noting it
        asked: its words are in the outbox already, and are not written again."""
        conv = (await self.store.load_turn(key, None)).conversation
        return (conv is not None and conv.flow == FOLLOW_UP and not self.engine.ended(conv)
                and conv.answers.get(ABOUT) in (None, follow_up.id))

    async def _remind(self, follow_up: FollowUp, now: datetime) -> None:
        """Once, ``remind_after`` after asking, if the question is still open."""
        if (follow_up.state is not FollowUpState.ASKED or follow_up.asked_at is None
                or now < follow_up.asked_at + self.settings.reminder_delay):
            return
        key = await self._key(follow_up)
        if key is None:
            return
        async with self.locks.hold(key):
            conv = (await self.store.load_turn(key, None)).conversation
            if (conv is None or conv.flow != FOLLOW_UP or self.engine.ended(conv)
                    or conv.state != self.engine.flows[FOLLOW_UP].spec.initial):
                return  # answered, or answering: no nudge
            nudge = OutgoingMessage(room_id=key.room_id, text=say("follow_up.reminder"),
                                    choices=self.engine.prompt(conv).choices)
            queued = self.delivery.handles(key.platform)
            notice = Notice(key.platform, key.user_id, nudge) if queued else None
            await self.store.set_follow_up(follow_up.model_copy(update={
                "state": FollowUpState.REMINDED, "reminded_at": now}), notice)
        if queued:
            self.delivery.notify(key.platform, key.room_id)
        else:
            await self.senders[key.platform](nudge)

    async def _key(self, follow_up: FollowUp) -> ConversationKey | None:
        return await direct_chat(self.store, self.delivery, self.senders, follow_up.platform,
                                 follow_up.participant)


async def direct_chat(store: Stories, delivery: Delivery, senders: dict[Platform, Sender],
                      platform: Platform, participant: UserId) -> ConversationKey | None:
    """Where a person's direct chat is, to start a flow with them or tell them something;
    None if they cannot be reached now (no platform to send with, or no chat known)."""
    if not (delivery.handles(platform) or platform in senders):
        return None
    room = await store.room_of(platform, participant)
    if room is None:
        return None
    return ConversationKey(platform=platform, room_id=RoomId(room), user_id=participant)


def wanted(story: Story) -> bool:
    """A story is followed up if it told of something tried and its teller agreed."""
    return bool(story.tried) and story.consent.contact


@dataclass
class UpdateDesk:
    """Moderators read the updates follow-ups bring and approve or hide them, like stories:

        update list            the updates waiting for a moderator
        update approve N       approve update N
        update hide N          keep update N from anyone else's view
    """

    store: FollowUpStore
    clock: Clock

    def register(self, commands: Commands) -> None:
        commands.add(Command("update", say("update.summary"), self.update))

    async def update(self, ctx: CommandContext) -> str:
        action, _, rest = ctx.args.strip().partition(" ")
        if action == "list":
            return await self._list()
        status = {"approve": StoryStatus.APPROVED, "hide": StoryStatus.HIDDEN}.get(action)
        number = rest.strip().lstrip("#")
        if status is None or not number.isdigit():
            return say("update.usage", prefix=ctx.prefix)
        found = [u for u in await self.store.updates_to() if u.id == int(number)]
        if not found:
            return say("update.no_such", number=number)
        [update] = found
        if update.status is status:
            return say("update.already", id=update.id, status=status.value)
        entry = AuditEntry(at=self.clock.now(), actor=f"{ctx.message.platform}:"
                           f"{ctx.message.sender_id}", action=f"{action} update",
                           target=f"update #{update.id}")
        await self.store.judge_update(update.model_copy(update={"status": status}), entry)
        return say("update.judged", id=update.id, status=status.value)

    async def _list(self) -> str:
        pending = [u for u in await self.store.updates_to() if u.status is StoryStatus.PENDING]
        if not pending:
            return say("update.none")
        return say("update.list", count=len(pending),
                   updates="\n".join(_line(u) for u in pending))

    async def lines(self, story_id: int) -> list[str]:
        """A story's updates, one line each, redacted (under ``story show``)."""
        return [_line(u) for u in await self.store.updates_to([story_id])]


def _line(update: StoryUpdate) -> str:
    return say("update.line", id=update.id, story=update.story_id,
               outcome=update.outcome.value, since=redact(update.since or "-"),
               learned=redact(update.learned or "-"))


QUOTED = 120
"""At most this many characters of what someone tried are quoted back to them."""


def shortened(text: str, limit: int = QUOTED) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters ("...")."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:.-") + "..."
