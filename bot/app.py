"""The one seam every adapter calls: ``App.handle(message) -> replies``.

For a person's message: take the conversation's lock, load its record (and whether this event
was seen before), apply the message through the flow engine, save the turn durably, and only
then hand back the replies. Commands go to the command registry. Tests call ``handle``
directly, with no platform at all.

``App.start_flow`` is the other way in: the bot itself starts a named flow for a person it
already knows (a follow-up weeks later, say), under the same lock, saved the same way.

On a platform attached to ``delivery`` (``bot/features/outbox.py``), the replies are also
written to the reply outbox in the same transaction as the turn, and sent from there: the
caller must not send them again. Elsewhere (the terminal, tests) the caller shows them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.commands import Commands, Moderators, builtin_commands
from bot.core.clock import Clock, SystemClock
from bot.core.locks import KeyedLocks
from bot.core.ports import NoTally, Publisher, Sender, Tally
from bot.core.types import (
    Alert,
    AuditEntry,
    Conversation,
    ConversationKey,
    ConversationStatus,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
    Platform,
    RoomId,
)
from bot.features import data_rights
from bot.features.follow_ups import FollowUpDesk
from bot.features.held import HeldOpenings
from bot.features.outbox import Delivery
from bot.features.privacy import Pseudonymiser
from bot.features.safety import SafetyModel
from flows.answers import DataRequest
from flows.engine import FlowEngine
from flows.follow_up import FOLLOW_UP
from flows.prompts import say
from flows.redaction import redact
from flows.spec import PARKED
from flows.turn import Turn
from storage.base import Store, TurnWrite
from storage.ports import ERASING

if TYPE_CHECKING:  # the model's package imports onnxruntime
    from bot.features.safeguarding_model.screen import Verdict

log = logging.getLogger(__name__)
CONSENT = "consent"
"""Answers key of the consent to keep the story: ``yes`` once given."""
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
    safety_model: SafetyModel | None = None
    """The safeguarding model's second opinion on every message (``bot/features/safety.py``);
    None: the rules alone."""
    held: HeldOpenings = field(default_factory=HeldOpenings)
    """First messages held until consent, never written to disk (``bot/features/held.py``)."""
    finishers: dict[str, Callable[[Conversation], Awaitable[None]]] = field(
        default_factory=dict)
    """What a feature does once a person ends a conversation in a flow it started, by flow
    name (a follow-up's answers become an update): called under the lock, after the save."""
    follow_ups: FollowUpDesk | None = None
    """Asks tellers how what they tried went (``bot/features/follow_ups.py``)."""
    erasing: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held to forget a person, and by a feature that reads, decides and writes what
    concerns two people (an introduction), so neither acts on the other half-done."""
    tally: Tally = field(default_factory=NoTally)
    """Counts messages, errors and alerts for the operators' metrics (``bot/metrics.py``)."""
    delivery: Delivery = field(init=False)
    """Sends the reply outbox on the platforms attached to it."""

    def __post_init__(self) -> None:
        if self.commands is None:
            self.commands = builtin_commands(Commands(Moderators()), self.store, self.clock)
        self.delivery = Delivery(self.store)
        if self.locks.across is None:  # several processes may share the store
            self.locks.across = self._exclusive

    def _exclusive(self, key: Hashable) -> AbstractAsyncContextManager[bool]:
        """A conversation, held against other processes (their own locks are their own)."""
        return self.store.exclusive(f"conversation:{key}")

    async def handle(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Apply one message; return what to say back (nothing for a duplicate)."""
        self.tally.handled(msg.platform)
        try:
            return await self._route(msg)
        except Exception:
            self.tally.failed(msg.platform)
            log.exception("could not handle %s event %s in %s", msg.platform, msg.event_id,
                          msg.room_id)
            return await self._on_their_own(msg.platform, _threaded(msg, [
                OutgoingMessage(room_id=msg.room_id, text=say("sorry"))]))

    async def _route(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        assert self.commands is not None
        if msg.kind is MessageKind.COMMAND and msg.text.strip().casefold() in START_WORDS:
            msg = msg.model_copy(update={"kind": MessageKind.MESSAGE, "addressed": True})
        if msg.kind is MessageKind.COMMAND and (not msg.is_direct or self.commands.knows(msg.text)):
            replies = _threaded(msg, await self.commands.dispatch(msg))
            return replies if msg.answered_privately else await self._on_their_own(
                msg.platform, replies)
        if msg.kind is MessageKind.UNREADABLE:
            return await self._unreadable(msg)
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
        if msg.kind is MessageKind.RETRACTED and msg.target_event_id is not None:
            await self.store.unsay_alert(msg.platform, msg.target_event_id)
        verdict = await self._model_verdict(msg)
        flagged = verdict.concern.value if verdict is not None and verdict.at_risk else None
        turn = self._turn(self.held.restore(conv, self.engine.held_field(conv)), msg, flagged)
        if turn is None:
            return []
        if turn.request is DataRequest.FORGET:
            self.held.forget(msg.key)
            if self.safety_model is not None:
                self.safety_model.forget(msg.key)
            return await self._forget(msg)
        if turn.request is not None:
            turn.replies.insert(0, await self._about_data(msg, turn))
        kept = self._unparked(self.held.hold(turn.conversation,
                                             self.engine.held_field(turn.conversation)))
        if turn.concern is not None and self.safety_model is not None:
            self.safety_model.forget(msg.key)  # the next reply is read afresh, not after this
        replies = _threaded(msg, turn.replies + await self._alerts(msg, turn, verdict))
        queued = self._queued(msg.platform, replies)
        if not await self.store.save_turn(TurnWrite(kept, msg.platform, msg.event_id,
                                                    turn.story, queued)):
            return []
        self._deliver(msg.platform, queued)
        await self._finished(conv, turn.conversation)
        return replies

    def _unparked(self, conv: Conversation) -> Conversation:
        """A flow the bot started while the person had left another conversation idle has
        ended: that conversation is what is kept now, paused, so hello carries it on."""
        parked = conv.answers.get(PARKED)
        if not parked or not self.engine.ended(conv):
            return conv
        return Conversation.model_validate(parked).model_copy(
            update={"status": ConversationStatus.PAUSED})

    async def _finished(self, before: Conversation | None, after: Conversation) -> None:
        """A conversation this turn ended, in a flow a feature wants to hear about."""
        finisher = self.finishers.get(after.flow)
        if finisher is not None and self.engine.ended(after) and (
                before is None or not self.engine.ended(before)):
            await finisher(after)

    async def start_flow(self, key: ConversationKey, flow: str,
                         given: Mapping[str, Any] | None = None) -> list[OutgoingMessage] | None:
        """Start the flow named ``flow`` for a person the bot knows (``key`` holds their
        pseudonym and room), with the answers ``given`` (what it is about), under the
        conversation's lock, durably; return its first words for the caller to send. None,
        with nothing changed, while the person is in a conversation that has not ended and
        was not left idle. One left idle is never lost: it is kept inside the new one and
        taken up again, paused, once that ends (``_unparked``)."""
        async with self.locks.hold(key):
            conv, now = (await self.store.load_turn(key, None)).conversation, self.clock.now()
            given = dict(given or {})
            if conv is not None and not self.engine.ended(conv):
                if not self.engine.idle(conv, now):
                    return None
                given[PARKED] = conv.model_dump(mode="json")  # taken up again afterwards
            turn = self.engine.start(key, self.engine.flows[flow].spec, now, given=given)
            queued = self._queued(key.platform, turn.replies)
            await self.store.save_turn(TurnWrite(turn.conversation, key.platform, None,
                                                 replies=queued))
            self._deliver(key.platform, queued)
            return turn.replies

    def _queued(self, platform: Platform,
                replies: list[OutgoingMessage]) -> tuple[OutgoingMessage, ...]:
        """The replies to write to the outbox with the turn: all of them, on a platform that
        delivers from it."""
        return tuple(replies) if self.delivery.handles(platform) else ()

    async def _on_their_own(self, platform: Platform,
                            replies: list[OutgoingMessage]) -> list[OutgoingMessage]:
        """Replies that no stored change owes (a command's answer, an apology): to the outbox
        on their own, on a platform that delivers from it."""
        queued = self._queued(platform, replies)
        if queued:
            await self.store.queue_replies(platform, queued)
            self._deliver(platform, queued)
        return replies

    def _deliver(self, platform: Platform, queued: tuple[OutgoingMessage, ...]) -> None:
        for room in dict.fromkeys(reply.room_id for reply in queued):
            self.delivery.notify(platform, room)

    async def _alerts(self, msg: IncomingMessage, turn: Turn,
                      verdict: Verdict | None = None) -> list[OutgoingMessage]:
        """Record the alert (the message redacted, if the person had agreed to their story
        being kept), then tell the moderators its number and that someone may need care,
        without a word of what they wrote.

        Recorded on its own, before the turn, so its number can be in the alert written with
        the turn; recorded once per event, so a turn written again after a failure, or an
        event delivered twice, keeps the same number."""
        concern = turn.concern
        if concern is None:
            return []
        # Which found it: the rules (always checked first), or the model alone.
        by_rules = verdict is None or self.engine.screen(msg.text.strip()) is not None
        source = "rules" if by_rules else "model"
        score = None if verdict is None else round(verdict.score, 4)
        assert self.commands is not None
        agreed = turn.conversation.answers.get(CONSENT) == "yes"
        log.warning("safeguarding concern (%s) in a %s conversation", concern, msg.platform)
        alert = await self.store.record_alert(Alert(
            at=self.clock.now(), platform=msg.platform, participant=msg.sender_id,
            event_id=msg.event_id, concern=concern, source=source, score=score,
            text=redact(msg.text) if agreed else None))
        self.tally.alerted(concern)
        text = say("safe.alert", number=alert.id, platform=msg.platform, concern=concern,
                   prefix=self.commands.prefix(msg.platform))
        return [OutgoingMessage(room_id=room, text=text)
                for room in self.alert_rooms.get(msg.platform, ())]

    async def _about_data(self, msg: IncomingMessage, turn: Turn) -> OutgoingMessage:
        stories = await self.store.stories_of(msg.platform, msg.sender_id)
        ids = [s.id for s in stories if s.id is not None]
        responses, changes = await self.store.responses_to(ids), await self.store.changes_to(ids)
        if turn.request is DataRequest.STOP_FOLLOW_UPS:
            if self.follow_ups is not None:
                await self.follow_ups.stop(msg.platform, msg.sender_id)
            if turn.conversation.flow == FOLLOW_UP and not self.engine.ended(turn.conversation):
                turn.conversation.status = ConversationStatus.DECLINED  # not asked again
                turn.replies.clear()
            text = say("follow_up.stopped")
        elif turn.request is DataRequest.EXPORT:
            text = data_rights.export(stories, turn.conversation, responses, changes,
                                      await self.store.updates_to(ids))
        else:
            mine = set(ids)
            text = data_rights.my_stories(
                stories, responses, changes, await self.store.updates_to(ids),
                await self.store.follow_ups(story_ids=ids),
                [i for i in await self.store.introductions()
                 if any(side.story_id in mine for side in i.sides)])
        return OutgoingMessage(room_id=msg.room_id, text=text)

    async def _forget(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Erase the person; moderators see that an erasure happened, never what."""
        entry = AuditEntry(at=self.clock.now(), actor="storyteller", action="erasure")
        count = len(await self.store.stories_of(msg.platform, msg.sender_id))
        replies = _threaded(msg, [OutgoingMessage(room_id=msg.room_id,
                                                  text=data_rights.forgotten(count))])
        queued = self._queued(msg.platform, replies)
        async with self.erasing, self.store.exclusive(ERASING):  # never mid-decision
            await self.store.forget(msg.platform, msg.sender_id, msg.event_id, entry, queued)
        self._deliver(msg.platform, queued)
        return replies

    def _turn(self, conv: Conversation | None, msg: IncomingMessage,
              flagged: str | None = None) -> Turn | None:
        now = self.clock.now()
        if msg.kind is MessageKind.JOINED:
            return self.engine.rejoin(conv, msg, now)
        if msg.kind is MessageKind.RETRACTED:
            return self.engine.retract(conv, msg, now)
        return self.engine.apply(conv, msg, now, flagged)

    async def _model_verdict(self, msg: IncomingMessage) -> Verdict | None:
        """What the safeguarding model makes of a person's message (read in a worker thread,
        with their message before as context); None without a model, or for a non-message."""
        if self.safety_model is None or msg.kind is not MessageKind.MESSAGE:
            return None
        return await self.safety_model.check(msg.key, msg.text.strip())

    async def _unreadable(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """A message we could not read: in a direct chat, ask (once) for it again. Nothing is
        recorded as an answer; only the event, so the request is not repeated."""
        if not msg.is_direct:
            return []
        return await self._noted(msg, [OutgoingMessage(room_id=msg.room_id,
                                                        text=say("unreadable"))])

    async def _noted(self, msg: IncomingMessage,
                     replies: list[OutgoingMessage]) -> list[OutgoingMessage]:
        """Record an event that changes no conversation with its replies, once; the replies,
        or nothing for an event seen before."""
        replies = _threaded(msg, replies)
        queued = self._queued(msg.platform, replies)
        if not await self.store.record_event(msg.platform, msg.event_id, self.clock.now(),
                                             queued):
            return []
        self._deliver(msg.platform, queued)
        return replies

    async def _in_group(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Stories are told one to one: in a shared room, offer a direct chat instead (once
        per message, however often the platform delivers it)."""
        if not msg.addressed or msg.kind is not MessageKind.MESSAGE:
            return []
        return await self._noted(msg, [OutgoingMessage(room_id=msg.room_id,
                                                        text=say("group.offer"))])


def _threaded(msg: IncomingMessage, replies: list[OutgoingMessage]) -> list[OutgoingMessage]:
    """Replies to the room a message came from go to the thread it was written in."""
    if msg.thread_id is None:
        return replies
    return [reply.model_copy(update={"thread_id": msg.thread_id})
            if reply.room_id == msg.room_id and reply.thread_id is None else reply
            for reply in replies]
