"""The storage ports: small async Protocols, each one job, so that a caller depends on the
methods it uses and not on all of them. ``storage.base.Store`` is every port at once.

A *turn* is everything one message changed: the conversation record, the id of the event that
caused it (so it is never processed twice) and, when a conversation ends, the finished story.
A store writes a turn all at once or not at all, and with it the replies it owes: the *reply
outbox*. A reply is deleted once its platform has confirmed it (so nothing a person wrote is
kept twice), and forgetting a person erases their replies not yet sent.

Ids of stories, digests and audit entries are given by the store when the row is first saved,
and never given again, even after the row is erased.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.follow_ups import OPEN_STATES, FollowUp, FollowUpState, StoryUpdate
from bot.core.introductions import Introduction, IntroductionState
from bot.core.loop import Response, StoryChange
from bot.core.types import (
    Alert,
    AuditEntry,
    Conversation,
    ConversationKey,
    DigestRecord,
    EventId,
    MissedStory,
    OutboxItem,
    OutgoingMessage,
    Platform,
    RoomId,
    Story,
    StoryStatus,
    UserId,
)


@dataclass(frozen=True)
class TurnWrite:
    conversation: Conversation
    platform: Platform
    event_id: EventId | None
    story: Story | None = None
    replies: tuple[OutgoingMessage, ...] = ()
    """What to send once the turn is committed: written with it, sent from the outbox."""


@dataclass(frozen=True)
class QueuedReply:
    """A reply in the outbox, waiting for its platform to confirm it."""

    id: int
    """Given by the store in the order replies were written; never given again."""
    platform: Platform
    message: OutgoingMessage
    nonce: str
    """Random, chosen when it was written: with ``id``, names this reply and no other, even
    to a platform that has seen another database's replies."""

    @property
    def delivery_id(self) -> str:
        """The same for every attempt to send this reply (a Matrix transaction id)."""
        return f"storyloop-reply-{self.id}-{self.nonce}"


def outbox_rows(platform: Platform, participant: UserId | None, own_room: RoomId | None,
                replies: tuple[OutgoingMessage, ...]) -> list[tuple[RoomId, UserId | None, str]]:
    """Each reply as (room, whose, message as JSON). A reply to the person's own room is
    theirs (forgetting them erases it if unsent); a notice to another room is nobody's."""
    return [(r.room_id, participant if r.room_id == own_room else None, r.model_dump_json())
            for r in replies]


@dataclass(frozen=True)
class Loaded:
    """A conversation as stored, and whether the event about to be applied was seen before."""

    seen: bool
    conversation: Conversation | None


class Lifecycle(Protocol):
    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    async def close(self) -> None: ...


class Conversations(Protocol):
    async def load_turn(self, key: ConversationKey, event_id: EventId | None) -> Loaded:
        """The conversation for ``key``, and whether ``event_id`` was already processed.

        ``seen`` may be False for an event processed before, if the store can tell at
        ``save_turn`` instead; ``save_turn`` is the final word on duplicates."""

    async def save_turn(self, turn: TurnWrite) -> bool:
        """Write a turn atomically and durably. False (and nothing written) if its event was
        already processed. A finished story gets a new id, never one used before."""

    async def record_event(self, platform: Platform, event_id: EventId, at: datetime,
                           replies: tuple[OutgoingMessage, ...] = ()) -> bool:
        """Note an event that changes no conversation, with the replies it owes, at once;
        False (and nothing written) if it was noted before."""


class Outbox(Protocol):
    async def pending_replies(self, platform: Platform,
                              room_id: RoomId | None = None) -> list[QueuedReply]:
        """Replies not yet confirmed by their platform (in one room, or all), in the order
        they were written."""

    async def queue_replies(self, platform: Platform,
                            replies: tuple[OutgoingMessage, ...]) -> None:
        """Replies owed by nothing stored (a command's answer): written on their own."""

    async def reply_sent(self, reply_id: int) -> None:
        """The platform has confirmed the reply: it is deleted."""


class Stories(Protocol):
    async def list_stories(self, status: StoryStatus | None = None,
                           since: datetime | None = None) -> list[Story]:
        """Stories, oldest first."""

    async def get_story(self, story_id: int) -> Story | None: ...

    async def search_stories(self, words: str, limit: int = 20) -> list[Story]:
        """Stories whose text contains every word, newest first."""

    async def update_story(self, story: Story, entry: AuditEntry) -> None:
        """Save a moderator's change to a story (status or text) with its audit entry."""

    async def stories_of(self, platform: Platform, participant: UserId) -> list[Story]:
        """Everything one person told us, oldest first."""

    async def story_counts(self) -> dict[StoryStatus, int]:
        """How many stories there are with each status."""

    async def room_of(self, platform: Platform, participant: UserId) -> str | None:
        """The room of the person's latest conversation, to tell them something."""

    async def retire_stories(self, before: datetime, delete: bool, entry: AuditEntry) -> int:
        """Stories created before ``before``: deleted, or anonymised (no longer linked to
        anyone, their place removed). Returns how many; audits the count, not the content."""


class Digests(Protocol):
    async def current_draft(self) -> DigestRecord | None:
        """The digest being prepared, if there is one."""

    async def save_digest(self, record: DigestRecord, entry: AuditEntry | None = None,
                          story_ids: tuple[int, ...] = (),
                          outbox: tuple[tuple[Platform, str], ...] = ()) -> DigestRecord:
        """Insert (without an id: the store gives it one) or update a digest; on approval
        also record its stories and one outbox item per target, all in one transaction."""

    async def carried_story_ids(self) -> set[int]:
        """Stories that an approved digest has already carried."""

    async def unsent(self) -> list[OutboxItem]:
        """Outbox items not yet confirmed by their platform, oldest digest first."""

    async def mark_sent(self, item: OutboxItem, remote_id: str, at: datetime) -> None: ...

    async def get_digest(self, digest_id: int) -> DigestRecord | None: ...


class Audit(Protocol):
    async def audit(self, entry: AuditEntry) -> None:
        """Append to the audit log."""

    async def audit_entries(self, limit: int = 20) -> list[AuditEntry]:
        """The newest audit entries, newest first."""


class PersonalData(Protocol):
    async def forget(self, platform: Platform, participant: UserId, event_id: EventId | None,
                     entry: AuditEntry, replies: tuple[OutgoingMessage, ...] = ()) -> int:
        """Erase a person's stories, answers, conversations, unsent replies, safeguarding
        alerts and labels, and the link to them, record the event that asked for it, an audit
        entry that does not say what was erased and ``replies`` (the confirmation), all at
        once; return how many stories were erased."""


class Alerts(Protocol):
    """Safeguarding alerts, moderators' verdicts on them, and stories they mark missed: the
    labelled examples for the next training round. Only redacted words are stored."""

    async def record_alert(self, alert: Alert) -> Alert:
        """Save a new alert; the store gives its id, never given again. An alert for an
        event already recorded is not saved twice: the one stored is returned."""

    async def get_alert(self, alert_id: int) -> Alert | None: ...

    async def unsay_alert(self, platform: Platform, event_id: EventId) -> None:
        """The person deleted the message that raised an alert: its words are erased; the
        alert, its concern and any verdict stay."""

    async def recent_alerts(self, limit: int = 20) -> list[Alert]:
        """The newest alerts, newest first."""

    async def judge_alert(self, alert: Alert, entry: AuditEntry) -> None:
        """Save a moderator's verdict on an alert with its audit entry, at once."""

    async def mark_missed(self, missed: MissedStory, entry: AuditEntry) -> MissedStory:
        """Save a story marked missed (the store gives the id) with its audit entry."""

    async def missed_of_story(self, story_id: int) -> MissedStory | None: ...

    async def judged_alerts(self) -> list[Alert]:
        """Alerts with a verdict, oldest first."""

    async def missed_stories(self) -> list[MissedStory]:
        """Stories marked missed, oldest first."""


@dataclass(frozen=True)
class Notice:
    """A message to a storyteller in their own room, written to the reply outbox with the
    change that owes it, as theirs: forgetting them erases it if it is not yet sent."""

    platform: Platform
    participant: UserId
    message: OutgoingMessage


class Responses(Protocol):
    """What services answered to stories, and what changed because of them. Both go when
    their story is erased; changes are append-only otherwise (never edited)."""

    async def add_response(self, response: Response, entry: AuditEntry,
                           notice: Notice | None = None) -> Response:
        """Save a response (the store gives its id) with its audit entry and the notice to
        its teller, all at once."""

    async def add_change(self, change: StoryChange, entry: AuditEntry,
                         notice: Notice | None = None) -> StoryChange:
        """Append a change (the store gives its id) with its audit entry and notice."""

    async def responses_to(self, story_ids: Collection[int] | None = None) -> list[Response]:
        """Responses to these stories (or to all), oldest first."""

    async def changes_to(self, story_ids: Collection[int] | None = None,
                         since: datetime | None = None) -> list[StoryChange]:
        """Changes recorded for these stories (or all), at or after ``since``, oldest first."""


class FollowUps(Protocol):
    """Follow-ups of stories (deadlines the scheduler sweeps) and the updates they bring.
    A person's follow-ups go when they are forgotten; updates go with their story."""

    async def plan_follow_up(self, follow_up: FollowUp) -> FollowUp | None:
        """Save a new follow-up (the store gives its id); None, and nothing saved, if its
        story has one already."""

    async def follow_ups(self, states: Collection[FollowUpState] = OPEN_STATES,
                         story_ids: Collection[int] | None = None) -> list[FollowUp]:
        """Follow-ups in these states (of these stories, or all), oldest first."""

    async def set_follow_up(self, follow_up: FollowUp, notice: Notice | None = None) -> None:
        """Save a follow-up's new state, with the notice to its teller, at once."""

    async def record_update(self, update: StoryUpdate) -> StoryUpdate:
        """Save the update a follow-up brought (the store gives its id) and mark that
        follow-up answered, at once."""

    async def updates_to(self, story_ids: Collection[int] | None = None) -> list[StoryUpdate]:
        """Updates of these stories (or of all), oldest first."""

    async def judge_update(self, update: StoryUpdate, entry: AuditEntry) -> None:
        """Save a moderator's verdict on an update (its status) with its audit entry."""

    async def stop_follow_ups(self, platform: Platform, participant: UserId) -> int:
        """The person asked for no more follow-ups: every open one of theirs is stopped.
        Returns how many."""


class Introductions(Protocol):
    """Introductions moderators proposed between tellers. A person's sides go when they are
    forgotten (or their story is retired), and an introduction left with one side is
    withdrawn, the other side's line erased, at once."""

    async def save_introduction(self, introduction: Introduction,
                                notices: tuple[Notice, ...] = (),
                                entry: AuditEntry | None = None) -> Introduction:
        """Insert (without an id: the store gives it one) or update an introduction and all
        its sides, with the notices to tellers and the audit entry, all at once."""

    async def introductions(self, states: Collection[IntroductionState] | None = None,
                            ) -> list[Introduction]:
        """Introductions in these states (or all), oldest first."""


ERASING = "erasing"
"""The lock (``Leases.exclusive``) held to forget someone, and to decide on what concerns
two people (an introduction): so that neither acts on the other half-done."""


class Leases(Protocol):
    """What several processes sharing one database must not do at once. A store only one
    process uses (memory, SQLite) grants everything at once: nobody else could hold it."""

    shared: bool
    """Whether other processes may use the store too (PostgreSQL): only then is anything
    refused, or lost while held."""

    async def take_lease(self, name: str) -> bool:
        """Whether this process holds the lease ``name`` (taking it if nobody does). Once
        taken it is held until the process ends or loses its connection to the database;
        then another process's next ``take_lease`` takes it."""

    def exclusive(self, name: str, wait: bool = True) -> AbstractAsyncContextManager[bool]:
        """Hold ``name`` inside the block, against every other process: wait until it is
        free, or (``wait=False``) give False at once if another process holds it."""

    async def holds(self, name: str) -> bool:
        """Whether this process still holds ``name`` (a lease, or a block it is inside):
        False once what held it was lost (the connection to the database fell), even if
        nobody else has taken it yet. Work done under a lease asks this while it runs."""


class KeyValue(Protocol):
    async def get_value(self, key: str) -> str | None:
        """A small piece of adapter state (a sync token, say)."""

    async def set_value(self, key: str, value: str, *, durable: bool = True) -> None:
        """Keep ``value``. ``durable=False``: it survives the process crashing, but may be
        lost with a power cut (not flushed to disk at once): for what costs nothing to lose,
        a sync token whose events are replayed and de-duplicated, say."""


class SafeguardingStore(Alerts, Stories, Audit, Protocol):
    """What the safeguarding desk uses: alerts, the stories marked missed, the audit log."""


class ModerationStore(Stories, Audit, Protocol):
    """What moderation uses: the stories, and the audit log it reads back."""


class ResponseStore(Responses, Stories, Protocol):
    """What answering stories uses: the stories, and their responses and changes."""


class FollowUpStore(FollowUps, Stories, Conversations, KeyValue, Protocol):
    """What follow-ups use: their deadlines and updates, the stories they follow, the
    conversation each person is in, and one value (the last story planned for)."""


class IntroductionStore(Introductions, Stories, Audit, Conversations, Leases, Protocol):
    """What introductions use: themselves, the stories they join, the audit log, the
    conversation each person is in, and a lock held against other processes."""


class DigestDeskStore(Digests, Stories, Audit, KeyValue, Responses, FollowUps, Leases,
                      Protocol):
    """What the digest desk uses: digests and their outbox, the stories they carry, the audit
    log, two values (when the next digest is due, the last story noticed), what changed and
    how experiments went since the last one, and its decisions and posts held against other
    processes."""
