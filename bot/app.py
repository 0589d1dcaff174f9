"""The one seam every adapter calls: ``App.handle(message) -> replies``.

For a person's message: take the conversation's lock, load its record (and whether this event
was seen before), apply the message through the flow engine, save the turn durably, and only
then hand back the replies. Commands go to the command registry. Tests call ``handle``
directly, with no platform at all.

``App.start_flow`` is the other way in: the bot itself starts a named flow for a person it
already knows (a follow-up weeks later, say), under the same lock, saved the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.commands import Commands, Moderators, builtin_commands
from bot.core.clock import Clock, SystemClock
from bot.core.locks import KeyedLocks
from bot.core.ports import Publisher, Sender
from bot.core.types import (
    AuditEntry,
    Conversation,
    ConversationKey,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
    Platform,
    RoomId,
)
from bot.features import data_rights
from bot.features.held import HeldOpenings
from bot.features.privacy import Pseudonymiser
from flows.answers import DataRequest
from flows.engine import FlowEngine
from flows.prompts import say
from flows.turn import Turn
from storage.base import Store, TurnWrite

log = logging.getLogger(__name__)
START_WORDS = {"story", "start", "tell"}
"""``!story`` and the like: not a moderator command, but a wish to tell a story."""


@dataclass
class App:
    store: Store
    engine: FlowEngine
    pseudonymise: Pseudonymiser
    """Platform ids never reach the flows or the store: only their keyed hashes do."""
    clock: Clock = field(default_factory=SystemClock)
    commands: Commands | None = None
    senders: dict[Platform, Sender] = field(default_factory=dict)
    """How to send to a room on each platform, outside a reply (adapters register here)."""
    publishers: dict[Platform, Publisher] = field(default_factory=dict)
    """How to post a digest on each platform (adapters register here)."""
    alert_rooms: dict[Platform, tuple[RoomId, ...]] = field(default_factory=dict)
    """Where safeguarding alerts go, per platform: the moderators' rooms."""
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    held: HeldOpenings = field(default_factory=HeldOpenings)
    """First messages held until consent, never written to disk (``bot/features/held.py``)."""

    def __post_init__(self) -> None:
        if self.commands is None:
            self.commands = builtin_commands(Commands(Moderators()), self.store, self.clock)

    async def handle(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Apply one message; return what to say back (nothing for a duplicate)."""
        try:
            return await self._route(msg)
        except Exception:
            log.exception("could not handle %s event %s in %s", msg.platform, msg.event_id,
                          msg.room_id)
            return [OutgoingMessage(room_id=msg.room_id, text=say("sorry"))]

    async def _route(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        assert self.commands is not None
        if msg.kind is MessageKind.COMMAND and msg.text.strip().casefold() in START_WORDS:
            msg = msg.model_copy(update={"kind": MessageKind.MESSAGE, "addressed": True})
        if msg.kind is MessageKind.COMMAND and (not msg.is_direct or self.commands.knows(msg.text)):
            return await self.commands.dispatch(msg)
        if not msg.is_direct:
            return await self._in_group(msg)
        private = msg.model_copy(
            update={"sender_id": self.pseudonymise(msg.platform, msg.sender_id)})
        async with self.locks.hold(private.key):
            return await self._apply(private)

    async def _apply(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        loaded = await self.store.load_turn(msg.key, msg.event_id)
        if loaded.seen:
            log.info("skipping %s event %s: already handled", msg.platform, msg.event_id)
            return []
        conv = loaded.conversation
        turn = self._turn(self.held.restore(conv, self.engine.held_field(conv)), msg)
        if turn is None:
            return []
        if turn.request is DataRequest.FORGET:
            self.held.forget(msg.key)
            return await self._forget(msg)
        if turn.request is not None:
            turn.replies.insert(0, await self._about_data(msg, turn))
        kept = self.held.hold(turn.conversation, self.engine.held_field(turn.conversation))
        write = TurnWrite(kept, msg.platform, msg.event_id, turn.story)
        if not await self.store.save_turn(write):
            return []
        return turn.replies + self._alerts(msg, turn.concern)

    async def start_flow(self, key: ConversationKey, flow: str) -> list[OutgoingMessage] | None:
        """Start the flow named ``flow`` for a person the bot knows (``key`` holds their
        pseudonym and room), under the conversation's lock, durably; return its first words
        for the caller to send. None, with nothing changed, while the person has a
        conversation that has not ended (active or paused): it is never overwritten."""
        async with self.locks.hold(key):
            conv = (await self.store.load_turn(key, None)).conversation
            if conv is not None and not self.engine.ended(conv):
                return None
            turn = self.engine.start(key, self.engine.flows[flow].spec, self.clock.now())
            await self.store.save_turn(TurnWrite(turn.conversation, key.platform, None))
            return turn.replies

    def _alerts(self, msg: IncomingMessage, concern: str | None) -> list[OutgoingMessage]:
        """Tell the moderators someone may need care, without a word of what they wrote."""
        if concern is None:
            return []
        log.warning("safeguarding concern (%s) in a %s conversation", concern, msg.platform)
        text = say("safe.alert", platform=msg.platform, concern=concern)
        return [OutgoingMessage(room_id=room, text=text)
                for room in self.alert_rooms.get(msg.platform, ())]

    async def _about_data(self, msg: IncomingMessage, turn: Turn) -> OutgoingMessage:
        stories = await self.store.stories_of(msg.platform, msg.sender_id)
        if turn.request is DataRequest.EXPORT:
            text = data_rights.export(stories, turn.conversation)
        else:
            text = data_rights.my_stories(stories)
        return OutgoingMessage(room_id=msg.room_id, text=text)

    async def _forget(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Erase the person; moderators see that an erasure happened, never what."""
        entry = AuditEntry(at=self.clock.now(), actor="storyteller", action="erasure")
        count = await self.store.forget(msg.platform, msg.sender_id, msg.event_id, entry)
        return [OutgoingMessage(room_id=msg.room_id, text=data_rights.forgotten(count))]

    def _turn(self, conv: Conversation | None, msg: IncomingMessage) -> Turn | None:
        now = self.clock.now()
        if msg.kind is MessageKind.JOINED:
            return self.engine.rejoin(conv, msg, now)
        if msg.kind is MessageKind.RETRACTED:
            return self.engine.retract(conv, msg, now)
        return self.engine.apply(conv, msg, now)

    async def _in_group(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Stories are told one to one: in a shared room, offer a direct chat instead (once
        per message, however often the platform delivers it)."""
        if not msg.addressed or msg.kind is not MessageKind.MESSAGE:
            return []
        if not await self.store.record_event(msg.platform, msg.event_id, self.clock.now()):
            return []
        return [OutgoingMessage(room_id=msg.room_id, text=say("group.offer"))]
