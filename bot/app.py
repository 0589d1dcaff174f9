"""The one seam every adapter calls: ``App.handle(message) -> replies``.

For each message: take the conversation's lock, load its record (and whether this event was
seen before), apply the message through the flow engine, save the turn durably, and only then
hand back the replies. Tests call ``handle`` directly, with no platform at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.locks import KeyedLocks
from bot.types import IncomingMessage, OutgoingMessage
from flows.engine import FlowEngine
from flows.prompts import say
from flows.story import story_flow, tried_flow
from storage.base import Store, TurnWrite

log = logging.getLogger(__name__)


@dataclass
class App:
    store: Store
    engine: FlowEngine
    clock: Clock = field(default_factory=SystemClock)
    locks: KeyedLocks = field(default_factory=KeyedLocks)

    async def handle(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Apply one message; return what to say back (nothing for a duplicate)."""
        if not msg.is_direct:
            return self._in_group(msg)
        try:
            async with self.locks.hold(msg.key):
                return await self._apply(msg)
        except Exception:
            log.exception("could not handle %s event %s in %s", msg.platform, msg.event_id,
                          msg.room_id)
            return [OutgoingMessage(room_id=msg.room_id, text=say("sorry"))]

    async def _apply(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        loaded = await self.store.load_turn(msg.key, msg.event_id)
        if loaded.seen:
            log.info("skipping %s event %s: already handled", msg.platform, msg.event_id)
            return []
        turn = self.engine.apply(loaded.conversation, msg, self.clock.now())
        write = TurnWrite(turn.conversation, msg.platform, msg.event_id, turn.story)
        return turn.replies if await self.store.save_turn(write) else []

    def _in_group(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        """Stories are told one to one: in a shared room, offer a direct chat instead."""
        if not msg.addressed:
            return []
        return [OutgoingMessage(room_id=msg.room_id, text=say("group.offer"))]


def build_engine(config: Config) -> FlowEngine:
    """Compile the flows once, from the configured themes and options."""
    flows = config.flows
    return FlowEngine([story_flow(flows.themes, flows.reflection),
                       tried_flow(flows.themes, flows.reflection)],
                      idle_timeout=timedelta(minutes=flows.idle_timeout_minutes))
