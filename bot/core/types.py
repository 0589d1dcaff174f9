"""The platform-neutral shapes that cross between adapters, the bot and storage.

Adapters turn a platform event into one :class:`IncomingMessage`, call the bot, and render the
:class:`OutgoingMessage` replies they get back. Nothing here knows about Matrix or Slack.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Platform = NewType("Platform", str)
RoomId = NewType("RoomId", str)
UserId = NewType("UserId", str)
EventId = NewType("EventId", str)


class ConversationKey(BaseModel):
    """Who is talking where: one conversation per person per room per platform."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    room_id: RoomId
    user_id: UserId

    def __str__(self) -> str:
        return f"{self.platform}:{self.room_id}:{self.user_id}"


class MessageKind(StrEnum):
    MESSAGE = "message"
    """Something a person wrote."""
    COMMAND = "command"
    """A bot command (``!status`` on Matrix, ``/storyloop status`` on Slack); ``text`` holds it
    without the platform's prefix."""
    JOINED = "joined"
    """The bot was invited into a direct chat and joined: time to say hello."""
    RETRACTED = "retracted"
    """The person deleted one of their messages: ``target_event_id`` says which."""
    UNREADABLE = "unreadable"
    """A message reached us that we could not read (its encryption key never came): the
    person is asked to send it again. ``text`` is empty: nothing of it is known or kept."""


class IncomingMessage(BaseModel):
    """One message from a person, whatever platform it came from."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    room_id: RoomId
    sender_id: UserId
    event_id: EventId
    text: str
    is_direct: bool = True
    timestamp: AwareDatetime
    addressed: bool = True
    """In a group room: was the bot mentioned or given a command? Always true in a direct chat."""
    kind: MessageKind = MessageKind.MESSAGE
    target_event_id: EventId | None = None
    thread_id: str | None = None
    """The thread of the room to answer in, where the platform has threads (Slack): its
    replies to this room are sent there."""
    answered_privately: bool = False
    """The adapter shows the replies itself, to the sender alone (Slack's ephemeral answer to
    a slash command): they are returned, never written to the reply outbox."""

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(platform=self.platform, room_id=self.room_id, user_id=self.sender_id)


class Choice(BaseModel):
    """A quick answer: a person can type its number or its words."""

    model_config = ConfigDict(frozen=True)

    value: str
    label: str
    aliases: tuple[str, ...] = ()


class OutgoingMessage(BaseModel):
    """A reply for one room. Adapters render choices as buttons, a numbered list or a prompt."""

    model_config = ConfigDict(frozen=True)

    room_id: RoomId
    text: str
    choices: tuple[Choice, ...] = ()
    multiple: bool = False
    """True when several choices may be picked at once (themes)."""
    commands: bool = False
    """The choices are commands to run (their ``value``), not answers: a moderator's notice
    can offer "Approve #12" as a button where the platform has buttons."""
    thread_id: str | None = None
    """The thread of the room it belongs in, if any (a reply to a message in a thread)."""
    delivery_id: str | None = None
    """Set when the reply is sent from the outbox: the same for every attempt to send it, so
    a platform that de-duplicates (a Matrix transaction id) shows it once however often it
    is retried."""


class Role(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    BOTH = "both"
    RATHER_NOT_SAY = "rather not say"


class TriedBy(StrEnum):
    ME = "me"
    MY_TEAM = "my team"
    SOMEONE_ELSE = "someone else"
    NOBODY = "nobody yet"


class StoryStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"


class Consent(BaseModel):
    """What the person agreed to, with the wording they were shown and when. Only ``store`` is
    needed to take part; each of the others is theirs to give or not."""

    model_config = ConfigDict(frozen=True)

    store: bool
    digest: bool = False
    """Include the story, anonymised, in weekly summaries for staff."""
    quote: bool = False
    """Quote their words (anonymised)."""
    contact: bool = False
    """Contact them later to ask how it went (and tell them when it is approved)."""
    name: bool = False
    """Name them as someone who acted."""
    introduce: bool = False
    """Happy to be introduced to someone who tried something similar (both are asked first,
    every time: ``bot/core/introductions.py``). Only asked when they agreed to be contacted."""
    wording_version: str
    locale: str = "en"
    """The language the consent wording was shown in (a catalogue's locale)."""
    given_at: AwareDatetime


class Story(BaseModel):
    """A story as a person told it, in their own words, with its structure kept apart."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    platform: Platform
    participant: UserId
    flow: str
    situation: str
    tried: str | None = None
    tried_by: TriedBy | None = None
    outcome: str | None = None
    spread: str | None = None
    enhance: str | None = None
    restore: str | None = None
    replace: str | None = None
    become: str | None = None
    themes: tuple[str, ...] = ()
    role: Role
    place: str | None = None
    consent: Consent
    safeguarding: str | None = None
    """Set when the conversation raised a safeguarding concern: never in a digest."""
    acted_name: str | None = None
    """How to name them as someone who acted: only asked, and kept, with that consent."""
    status: StoryStatus = StoryStatus.PENDING
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ConversationStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    DECLINED = "declined"


class Conversation(BaseModel):
    """A conversation is a small record: the flow, where it is, what was said so far."""

    key: ConversationKey
    flow: str
    state: str
    status: ConversationStatus = ConversationStatus.ACTIVE
    answers: dict[str, Any] = Field(default_factory=dict)
    """What was said so far, as plain JSON values, keyed by the flow's field names."""
    history: list[str] = Field(default_factory=list)
    """States visited before this one, so ``back`` retraces the path actually taken."""
    pending: str | None = None
    """A question about the conversation itself awaiting an answer (resume? restart?)."""
    editing: bool = False
    """True while the person changes one answer from the review; the flow then returns there."""
    locale: str = "en"
    """The language this conversation is held in: which word catalogue it reads and speaks."""
    updated_at: datetime


class AuditEntry(BaseModel):
    """One line of the append-only audit log: who did what, when, and why."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    at: AwareDatetime
    actor: str
    action: str
    target: str | None = None
    reason: str | None = None


class DigestStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


class DigestRecord(BaseModel):
    """A digest as moderators shape it: a draft, then approved (its content frozen) or
    rejected. Its stories are the eligible ones no posted digest has carried yet."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    status: DigestStatus = DigestStatus.DRAFT
    note: str | None = None
    removed: tuple[int, ...] = ()
    content: str | None = None
    """The approved digest, as JSON, exactly as previewed."""
    reason: str | None = None
    created_at: AwareDatetime
    decided_at: AwareDatetime | None = None
    storytellers_told: bool = False


class OutboxItem(BaseModel):
    """One post of one digest to one room: sent once, whatever happens in between."""

    model_config = ConfigDict(frozen=True)

    digest_id: int
    platform: Platform
    room_id: RoomId
    sent_at: AwareDatetime | None = None
    remote_id: str | None = None


class Verdict(StrEnum):
    """A moderator's word on a safeguarding alert."""

    FALSE_ALARM = "false alarm"
    CONFIRMED = "confirmed"


class Alert(BaseModel):
    """A safeguarding alert as stored: what was found, never the person's words unredacted.
    ``source`` says what raised it (the rules or the model, with the model's ``score``)."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    at: AwareDatetime
    platform: Platform
    participant: UserId
    """The person's pseudonym: forgetting them erases their alerts."""
    event_id: EventId | None = None
    """The message that raised it: an event delivered twice raises one alert."""
    concern: str
    source: str = "rules"
    score: float | None = None
    text: str | None = None
    """The message that raised it, redacted (``flows.redaction``); None when the person had
    not yet agreed to their story being kept (nothing they write is kept before that)."""
    story_id: int | None = None
    verdict: Verdict | None = None
    verdict_by: str | None = None
    verdict_at: AwareDatetime | None = None


class MissedStory(BaseModel):
    """A story that raised no alert and should have: a moderator's label for training."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    at: AwareDatetime
    platform: Platform
    participant: UserId
    story_id: int
    concern: str
    text: str
    """The story's words, redacted."""
    marked_by: str
