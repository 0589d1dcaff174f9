"""A store that keeps everything in memory: for tests and trying things out. It passes the same
contract tests as the SQLite store."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime

from bot.core.types import (
    AuditEntry,
    Conversation,
    ConversationKey,
    DigestRecord,
    DigestStatus,
    EventId,
    OutboxItem,
    OutgoingMessage,
    Platform,
    RoomId,
    Story,
    StoryStatus,
    UserId,
)
from storage.base import Loaded, QueuedReply, TurnWrite
from storage.memory_alerts import MemoryAlerts
from storage.memory_follow_ups import MemoryFollowUps
from storage.memory_introductions import MemoryIntroductions
from storage.memory_loop import MemoryResponses
from storage.one_process import OneProcess
from storage.ports import Notice, outbox_rows

ANONYMOUS = UserId("anonymous")


class MemoryStore(MemoryAlerts, MemoryResponses, MemoryFollowUps, MemoryIntroductions,
                  OneProcess):
    def __init__(self) -> None:
        MemoryAlerts.__init__(self)
        MemoryFollowUps.__init__(self)
        MemoryResponses.__init__(self)
        MemoryIntroductions.__init__(self)
        self._conversations: dict[ConversationKey, Conversation] = {}
        self._events: set[tuple[Platform, EventId]] = set()
        self._stories: list[Story] = []
        self._story_ids = itertools.count(1)
        """Like the database's AUTOINCREMENT: an erased story's id is never given again."""
        self._values: dict[str, str] = {}
        self._audit: list[AuditEntry] = []
        self._digests: dict[int, DigestRecord] = {}
        self._carried: set[int] = set()
        self._outbox: dict[tuple[int, Platform, RoomId], OutboxItem] = {}
        self._replies: dict[int, tuple[QueuedReply, UserId | None]] = {}
        """The reply outbox, by id, with whose each reply is."""
        self._reply_ids = itertools.count(1)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def load_turn(self, key: ConversationKey, event_id: EventId | None) -> Loaded:
        seen = event_id is not None and (key.platform, event_id) in self._events
        conv = self._conversations.get(key)
        return Loaded(seen, None if conv is None else conv.model_copy(deep=True))

    async def save_turn(self, turn: TurnWrite) -> bool:
        if turn.event_id is not None:
            if (turn.platform, turn.event_id) in self._events:
                return False
            self._events.add((turn.platform, turn.event_id))
        conv = turn.conversation
        self._conversations[conv.key] = conv.model_copy(deep=True)
        if turn.story is not None:
            self._stories.append(turn.story.model_copy(update={"id": next(self._story_ids)}))
        self._queue(turn.platform, conv.key.user_id, conv.key.room_id, turn.replies)
        return True

    async def record_event(self, platform: Platform, event_id: EventId, at: datetime,
                           replies: tuple[OutgoingMessage, ...] = ()) -> bool:
        if (platform, event_id) in self._events:
            return False
        self._events.add((platform, event_id))
        self._queue(platform, None, None, replies)
        return True

    def _queue(self, platform: Platform, participant: UserId | None, room: RoomId | None,
               replies: tuple[OutgoingMessage, ...]) -> None:
        for room_id, whose, message in outbox_rows(platform, participant, room, replies):
            reply = QueuedReply(id=next(self._reply_ids), platform=platform,
                                message=OutgoingMessage.model_validate_json(message),
                                nonce=uuid.uuid4().hex[:16])
            assert reply.message.room_id == room_id
            self._replies[reply.id] = (reply, whose)

    def _notify(self, notice: Notice | None) -> None:
        """A message to a storyteller's own room: theirs, so forgetting them erases it."""
        if notice is not None:
            self._queue(notice.platform, notice.participant, notice.message.room_id,
                        (notice.message,))

    async def pending_replies(self, platform: Platform,
                              room_id: RoomId | None = None) -> list[QueuedReply]:
        return [reply for reply, _ in self._replies.values() if reply.platform == platform
                and (room_id is None or reply.message.room_id == room_id)]

    async def queue_replies(self, platform: Platform,
                            replies: tuple[OutgoingMessage, ...]) -> None:
        self._queue(platform, None, None, replies)

    async def reply_sent(self, reply_id: int) -> None:
        self._replies.pop(reply_id, None)

    async def list_stories(self, status: StoryStatus | None = None,
                           since: datetime | None = None) -> list[Story]:
        return [s for s in self._stories
                if (status is None or s.status == status)
                and (since is None or s.created_at >= since)]

    async def stories_of(self, platform: Platform, participant: UserId) -> list[Story]:
        return [s for s in self._stories
                if s.platform == platform and s.participant == participant]

    async def forget(self, platform: Platform, participant: UserId, event_id: EventId | None,
                     entry: AuditEntry, replies: tuple[OutgoingMessage, ...] = ()) -> int:
        mine = await self.stories_of(platform, participant)
        who = (platform, participant)
        self._stories = [s for s in self._stories if s not in mine]
        self._forget_responses(s.id for s in mine)
        self._forget_follow_ups(platform, participant, (s.id for s in mine))
        self._drop_sides(lambda side: (side.platform, side.participant) == who)
        self._conversations = {k: c for k, c in self._conversations.items()
                               if (k.platform, k.user_id) != (platform, participant)}
        self._replies = {n: (r, whose) for n, (r, whose) in self._replies.items()
                         if (r.platform, whose) != (platform, participant)}
        self._forget_alerts(platform, participant)
        if event_id is not None:
            self._events.add((platform, event_id))
        await self.audit(entry)
        self._queue(platform, None, None, replies)  # the confirmation holds nothing of theirs
        return len(mine)

    async def audit(self, entry: AuditEntry) -> None:
        self._audit.append(entry.model_copy(update={"id": len(self._audit) + 1}))

    async def audit_entries(self, limit: int = 20) -> list[AuditEntry]:
        return list(reversed(self._audit))[:limit]

    async def retire_stories(self, before: datetime, delete: bool, entry: AuditEntry) -> int:
        old = [s for s in self._stories if s.created_at < before
               and (delete or s.participant != ANONYMOUS)]
        keep = [s for s in self._stories if s not in old]
        self._retire_follow_ups({s.id for s in old}, delete)
        self._drop_sides(lambda side: side.story_id in {s.id for s in old})
        if delete:
            self._forget_responses(s.id for s in old)
        else:
            keep += [s.model_copy(update={"participant": ANONYMOUS, "place": None}) for s in old]
        self._stories = sorted(keep, key=lambda s: s.id or 0)
        self._conversations = {k: c for k, c in self._conversations.items()
                               if c.updated_at >= before}
        await self.audit(entry.model_copy(update={"target": f"{len(old)} stories"}))
        return len(old)

    async def get_story(self, story_id: int) -> Story | None:
        return next((s for s in self._stories if s.id == story_id), None)

    async def update_story(self, story: Story, entry: AuditEntry) -> None:
        self._stories = [story if s.id == story.id else s for s in self._stories]
        await self.audit(entry)

    async def search_stories(self, words: str, limit: int = 20) -> list[Story]:
        wanted = words.casefold().split()
        found = [s for s in reversed(self._stories)
                 if all(w in _text(s).casefold() for w in wanted)]
        return found[:limit]

    async def room_of(self, platform: Platform, participant: UserId) -> str | None:
        mine = [c for k, c in self._conversations.items()
                if (k.platform, k.user_id) == (platform, participant)]
        return max(mine, key=lambda c: c.updated_at).key.room_id if mine else None

    # Digests
    async def current_draft(self) -> DigestRecord | None:
        drafts = [d for d in self._digests.values() if d.status is DigestStatus.DRAFT]
        return drafts[-1] if drafts else None

    async def get_digest(self, digest_id: int) -> DigestRecord | None:
        return self._digests.get(digest_id)

    async def save_digest(self, record: DigestRecord, entry: AuditEntry | None = None,
                          story_ids: tuple[int, ...] = (),
                          outbox: tuple[tuple[Platform, str], ...] = ()) -> DigestRecord:
        if record.id is None:
            record = record.model_copy(update={"id": len(self._digests) + 1})
        assert record.id is not None
        self._digests[record.id] = record
        self._carried |= set(story_ids)
        for platform, room in outbox:
            key = (record.id, platform, RoomId(room))
            self._outbox.setdefault(key, OutboxItem(digest_id=record.id, platform=platform,
                                                    room_id=RoomId(room)))
        if entry is not None:
            await self.audit(entry)
        return record

    async def carried_story_ids(self) -> set[int]:
        return set(self._carried)

    async def unsent(self) -> list[OutboxItem]:
        return sorted((i for i in self._outbox.values() if i.sent_at is None),
                      key=lambda i: (i.digest_id, i.platform, i.room_id))

    async def mark_sent(self, item: OutboxItem, remote_id: str, at: datetime) -> None:
        key = (item.digest_id, item.platform, item.room_id)
        self._outbox[key] = item.model_copy(update={"sent_at": at, "remote_id": remote_id})

    async def story_counts(self) -> dict[StoryStatus, int]:
        counts: dict[StoryStatus, int] = {}
        for story in self._stories:
            counts[story.status] = counts.get(story.status, 0) + 1
        return counts

    async def get_value(self, key: str) -> str | None:
        return self._values.get(key)

    async def set_value(self, key: str, value: str, *, durable: bool = True) -> None:
        self._values[key] = value


def _text(story: Story) -> str:
    fields = (story.situation, story.tried, story.outcome, story.spread, story.place,
              " ".join(story.themes))
    return " ".join(f for f in fields if f)
