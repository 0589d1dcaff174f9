"""The digest desk: drafts on a schedule, moderators shape and approve them by command, and
approved digests are posted exactly once to every staff room, through an outbox.

    digest draft              make (or refresh) this week's draft and show it
    digest preview            show the draft as staff would see it
    digest remove N           leave story N out of this digest
    digest note "<text>"      a moderator's opening line
    digest approve            freeze the draft and post it to the staff rooms
    digest reject <reason>    drop the draft

A draft holds the approved stories that no digest has carried yet (from the last
``LOOKBACK``), and nothing is posted until a moderator approves it. Each staff room gets one
outbox row, marked sent only once its platform confirms; anything unsent is retried on the
next tick, so a crash between two rooms posts the second on restart and never repeats the
first.

Commands are taken one at a time, and approving is idempotent: approve said twice (or two
moderators at once) approves once, with one audit entry, and the second hears it is done
already. Words that name a command name it as typed on the moderator's platform
(``Commands.prefixes``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule, weekday

from bot.commands import Command, CommandContext, Commands
from bot.core.clock import Clock
from bot.core.config import DigestConfig
from bot.core.loop import ChangeStatus
from bot.core.ports import NoTally, Post, Publisher, Sender, Tally
from bot.core.types import (
    AuditEntry,
    Choice,
    DigestRecord,
    DigestStatus,
    OutboxItem,
    OutgoingMessage,
    Platform,
    RoomId,
    Story,
    StoryStatus,
    UserId,
)
from bot.core.words import say
from bot.features.digest.content import (
    Digest,
    draft,
    eligible,
    how_it_went,
    week_start,
    weeks_ending,
    you_said,
)
from bot.features.digest.render import chart_png, to_html, to_markdown_full, to_text
from bot.features.export import Answered
from storage.ports import DigestDeskStore

log = logging.getLogger(__name__)
LOOKBACK = timedelta(weeks=8)
WEEK = timedelta(days=7)
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
NOTICE_BUTTONS = 5
"""Stories a notice offers buttons for (show, approve); the rest are a command away."""
NEXT_DUE = "digest:next_due"
NOTICED = "digest:last_noticed_story"
LAST_APPROVED = "digest:last_approved"
DECIDING, POSTING = "digest:deciding", "digest:posting"
"""Held against other processes sharing the store: a moderator's decision on the draft, and
posting approved digests."""
_NOTE = re.compile(r'^"(?P<note>[^"]*)"$')


@dataclass
class DigestDesk:
    store: DigestDeskStore
    clock: Clock
    config: DigestConfig
    staff_rooms: dict[Platform, tuple[RoomId, ...]]
    moderator_rooms: dict[Platform, tuple[RoomId, ...]]
    senders: dict[Platform, Sender]
    publishers: dict[Platform, Publisher] = field(default_factory=dict)
    prefixes: dict[Platform, str] = field(default_factory=dict)
    """How commands are typed on each platform, to name them in notices."""
    tally: Tally = field(default_factory=NoTally)
    """Counts the digests posted, for the operators' metrics."""
    _deciding: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def register(self, commands: Commands) -> None:
        commands.add(Command("digest", say("digest.summary"), self.command))
        self.prefixes = commands.prefixes

    # The schedule
    def next_run(self, after: datetime) -> datetime:
        """The next scheduled time after ``after``, in UTC: the same local hour all year."""
        day, _, clock_time = self.config.schedule.partition(" ")
        hour, minute = (int(part) for part in clock_time.split(":"))
        zone = ZoneInfo(self.config.timezone)
        local = after.astimezone(zone).replace(tzinfo=None)
        rule = rrule(WEEKLY, byweekday=weekday(DAYS.index(day)), byhour=hour,
                     byminute=minute, bysecond=0, dtstart=local)
        nxt: datetime = rule.after(local)
        return nxt.replace(tzinfo=zone).astimezone(UTC)

    async def tick(self) -> None:
        """Everything time brings: a scheduled draft (late, if the bot was down), notices of
        new stories for moderators, and any digest still to post."""
        now = self.clock.now()
        due = await self.store.get_value(NEXT_DUE)
        if due is not None and now >= datetime.fromisoformat(due):
            await self._scheduled_draft()
        if due is None or now >= datetime.fromisoformat(due):
            await self.store.set_value(NEXT_DUE, self.next_run(now).isoformat())
        await self.notify_new_stories()
        await self.post_pending()

    async def _scheduled_draft(self) -> None:
        record, digest = await self._draft()
        text = to_text(digest)
        await self._to_moderators(lambda prefix: say("digest.ready", digest=text,
                                                     how=say("digest.how", prefix=prefix)))
        log.info("drafted digest %s on schedule", record.id)

    # Commands
    async def command(self, ctx: CommandContext) -> str:
        action, _, rest = ctx.args.partition(" ")
        handlers: dict[str, Callable[[CommandContext, str], Awaitable[str]]] = {
            "draft": self._cmd_draft, "preview": self._cmd_preview,
            "remove": self._cmd_remove, "note": self._cmd_note,
            "approve": self._cmd_approve, "reject": self._cmd_reject}
        handler = handlers.get(action)
        if handler is None:
            return say("digest.how", prefix=ctx.prefix)
        async with self._deciding, self.store.exclusive(DECIDING):
            return await handler(ctx, rest.strip())

    async def _cmd_draft(self, ctx: CommandContext, rest: str) -> str:
        record, digest = await self._draft()
        await self._audit(ctx, "digest draft", record)
        return self._preview(ctx, record, digest)

    async def _cmd_preview(self, ctx: CommandContext, rest: str) -> str:
        record = await self.store.current_draft()
        if record is None:
            return say("digest.no_draft.preview", prefix=ctx.prefix)
        return self._preview(ctx, record, await self._compose(record))

    async def _cmd_remove(self, ctx: CommandContext, rest: str) -> str:
        record = await self.store.current_draft()
        if record is None or not rest.lstrip("#").isdigit():
            return say("digest.usage.remove", prefix=ctx.prefix)
        story = int(rest.lstrip("#"))
        record = record.model_copy(update={"removed": (*record.removed, story)})
        await self.store.save_digest(record, self._entry(ctx, "digest remove", record,
                                                         f"story #{story}"))
        return self._preview(ctx, record, await self._compose(record))

    async def _cmd_note(self, ctx: CommandContext, rest: str) -> str:
        record = await self.store.current_draft()
        match = _NOTE.match(rest)
        if record is None or match is None:
            return say("digest.usage.note", prefix=ctx.prefix)
        record = record.model_copy(update={"note": match.group("note") or None})
        await self.store.save_digest(record, self._entry(ctx, "digest note", record))
        return self._preview(ctx, record, await self._compose(record))

    async def _cmd_approve(self, ctx: CommandContext, rest: str) -> str:
        record = await self.store.current_draft()
        if record is None:
            return await self._nothing_to_approve(ctx)
        digest = await self._compose(record)
        targets = tuple((platform, room) for platform, rooms in self.staff_rooms.items()
                        for room in rooms)
        approved = record.model_copy(update={
            "status": DigestStatus.APPROVED, "content": digest.model_dump_json(),
            "decided_at": self.clock.now()})
        await self.store.save_digest(approved, self._entry(ctx, "digest approve", approved),
                                     story_ids=digest.story_ids, outbox=targets)
        await self.store.set_value(LAST_APPROVED, str(approved.id))
        posted = await self.post_pending()
        stories = say("digest.count.stories", count=len(digest.story_ids))
        return say("digest.approved", id=approved.id, stories=stories, posted=posted,
                   rooms=len(targets))

    async def _nothing_to_approve(self, ctx: CommandContext) -> str:
        last = await self.store.get_value(LAST_APPROVED)
        if last is not None:
            return say("digest.already_approved", id=last, prefix=ctx.prefix)
        return say("digest.no_draft.approve", prefix=ctx.prefix)

    async def _cmd_reject(self, ctx: CommandContext, rest: str) -> str:
        record = await self.store.current_draft()
        if record is None:
            return say("digest.no_draft.reject")
        if not rest:
            return say("digest.usage.reject", prefix=ctx.prefix)
        rejected = record.model_copy(update={"status": DigestStatus.REJECTED, "reason": rest,
                                             "decided_at": self.clock.now()})
        await self.store.save_digest(rejected,
                                     self._entry(ctx, "digest reject", rejected, rest))
        return say("digest.rejected", id=rejected.id)

    # Drafting
    async def _draft(self) -> tuple[DigestRecord, Digest]:
        record = await self.store.current_draft()
        if record is None:
            record = await self.store.save_digest(DigestRecord(created_at=self.clock.now()))
        return record, await self._compose(record)

    async def _compose(self, record: DigestRecord) -> Digest:
        now, zone = self.clock.now(), ZoneInfo(self.config.timezone)
        end = now + timedelta(seconds=1)
        since = min(now - LOOKBACK, week_start(end, zone))  # an hour apart across a change
        recent = await self.store.list_stories(status=StoryStatus.APPROVED, since=since)
        skip = await self.store.carried_story_ids() | set(record.removed)
        fresh = [s for s in recent if eligible(s) and s.id not in skip]
        start = min((s.created_at for s in fresh), default=now - WEEK)
        weeks = weeks_ending(recent, end, zone)
        digest = await self._you_said(draft(fresh, start, end, weeks, record.note))
        return await self._how_it_went(digest)

    async def _you_said(self, digest: Digest) -> Digest:
        """"You said, we did": what changed because of stories since the last digest."""
        changes = await self.store.changes_to(since=await self._since_last_digest())
        stories = {n: s for n in {c.story_id for c in changes}
                   if (s := await self.store.get_story(n)) is not None}
        made = sum(c.status is ChangeStatus.MADE for c in await self.store.changes_to())
        return you_said(digest, changes, stories, made)

    async def _since_last_digest(self) -> datetime:
        """Just after the last approved digest was decided (what it carried is not carried
        again), or the look-back if there was none."""
        last = await self.store.get_value(LAST_APPROVED)
        record = None if last is None else await self.store.get_digest(int(last))
        if record is not None and record.decided_at is not None:
            return record.decided_at + timedelta(microseconds=1)
        return self.clock.now() - LOOKBACK

    async def _how_it_went(self, digest: Digest) -> Digest:
        """"How experiments went": approved updates (answered within the look-back) that no
        approved digest has carried yet; one approved after the digest that followed its
        answer is in the next."""
        since = self.clock.now() - LOOKBACK
        carried = await self._carried_updates(since)
        updates = [u for u in await self.store.updates_to()
                   if u.at >= since and u.story_id not in carried]
        stories = {n: s for n in {u.story_id for u in updates}
                   if (s := await self.store.get_story(n)) is not None}
        return how_it_went(digest, updates, stories)

    async def _carried_updates(self, since: datetime) -> set[int]:
        """The stories whose update a digest approved after ``since`` carried (a story has
        one follow-up, so one update)."""
        carried: set[int] = set()
        for number in range(int(await self.store.get_value(LAST_APPROVED) or 0), 0, -1):
            record = await self.store.get_digest(number)
            if record is None or record.status is not DigestStatus.APPROVED or not record.content:
                continue  # a draft or a rejected digest carried nothing
            if record.decided_at is not None and record.decided_at < since:
                break
            carried |= {w.story_id for w in Digest.model_validate_json(record.content).how_it_went}
        return carried

    def _preview(self, ctx: CommandContext, record: DigestRecord, digest: Digest) -> str:
        rooms = sum(len(r) for r in self.staff_rooms.values())
        ids = ", ".join(f"#{n}" for n in digest.story_ids) or say("digest.preview.none")
        return say("digest.preview", id=record.id, digest=to_text(digest), ids=ids, rooms=rooms,
                   count=rooms, how=say("digest.how", prefix=ctx.prefix))

    # Posting, exactly once per room
    async def post_pending(self) -> int:
        """Post every approved digest not yet confirmed in each of its rooms, one process at
        a time (a moderator's approval and the scheduled job may meet)."""
        async with self.store.exclusive(POSTING):
            return await self._post_pending()

    async def _post_pending(self) -> int:
        posted, touched = 0, set()
        for item in await self.store.unsent():
            publish = self.publishers.get(item.platform)
            if publish is None:
                continue  # that platform is not connected now; the next tick tries again
            try:
                remote = await publish(item.room_id, await self._post(item))
            except Exception:
                log.exception("could not post digest %s to %s", item.digest_id, item.room_id)
                continue
            await self.store.mark_sent(item, remote, self.clock.now())
            self.tally.posted_digest(item.platform)
            posted += 1
            touched.add(item.digest_id)
        for digest_id in sorted(touched):
            await self._tell_storytellers(digest_id)
        return posted

    async def _approved(self, digest_id: int) -> tuple[DigestRecord, Digest]:
        record = await self.store.get_digest(digest_id)
        assert record is not None and record.content is not None
        return record, Digest.model_validate_json(record.content)

    async def _stories(self, digest: Digest) -> list[Story]:
        found = [await self.store.get_story(n) for n in digest.story_ids]
        return [s for s in found if s is not None]

    async def _post(self, item: OutboxItem) -> Post:
        _, digest = await self._approved(item.digest_id)
        ids = list(digest.story_ids)
        answered = Answered(await self.store.responses_to(ids), await self.store.changes_to(ids))
        full_list = to_markdown_full(await self._stories(digest), answered)
        return Post(item.digest_id, to_text(digest), to_html(digest), chart_png(digest),
                    full_list)

    async def _tell_storytellers(self, digest_id: int) -> None:
        """Once a digest is in every room, its storytellers who agreed hear that it is."""
        if any(item.digest_id == digest_id for item in await self.store.unsent()):
            return
        record, digest = await self._approved(digest_id)
        if record.storytellers_told:
            return
        for story in await self._stories(digest):
            if story.consent.contact:
                await self._tell(story.platform, story.participant)
        await self.store.save_digest(record.model_copy(update={"storytellers_told": True}))

    async def _tell(self, platform: Platform, participant: UserId) -> None:
        send = self.senders.get(platform)
        room = await self.store.room_of(platform, participant)
        if send is not None and room is not None:
            await send(OutgoingMessage(room_id=RoomId(room), text=say("digest.told_included")))

    # Notices for moderators
    async def notify_new_stories(self) -> None:
        """One short notice for all the stories that arrived since the last one."""
        seen = int(await self.store.get_value(NOTICED) or 0)
        new = [s for s in await self.store.list_stories(status=StoryStatus.PENDING)
               if (s.id or 0) > seen]
        if not new:
            return
        count = len(new)
        offers = [Choice(value="stories pending", label=say("digest.notice.show_all"))]
        for story in new[:NOTICE_BUTTONS]:
            offers += [Choice(value=f"story {action} {story.id}",
                              label=say(f"digest.notice.{action}", id=story.id))
                       for action in ("show", "approve")]
        await self._to_moderators(lambda prefix: say("digest.notice", count=count,
                                                     prefix=prefix), tuple(offers))
        await self.store.set_value(NOTICED, str(max(s.id or 0 for s in new)))

    async def _to_moderators(self, words: Callable[[str], str],
                             offers: tuple[Choice, ...] = ()) -> None:
        """``words(prefix)`` to every moderators' room, naming commands as typed there."""
        for platform, rooms in self.moderator_rooms.items():
            send = self.senders.get(platform)
            if send is None:
                continue
            text = words(self.prefixes.get(platform, ""))
            for room in rooms:
                await send(OutgoingMessage(room_id=room, text=text, choices=offers,
                                           commands=bool(offers)))

    # Audit
    def _entry(self, ctx: CommandContext, action: str, record: DigestRecord,
               reason: str | None = None) -> AuditEntry:
        return AuditEntry(at=self.clock.now(),
                          actor=f"{ctx.message.platform}:{ctx.message.sender_id}",
                          action=action, target=f"digest #{record.id}", reason=reason)

    async def _audit(self, ctx: CommandContext, action: str, record: DigestRecord) -> None:
        await self.store.audit(self._entry(ctx, action, record))
