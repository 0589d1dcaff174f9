"""The Matrix adapter: wires a logged-in matrix-nio client to the App. Each sync's invites are
considered, each room's new events become IncomingMessages (``events``), and the App's
replies go back as notices (``render``, ``send``).

The sync loop survives everything: a failing handler is logged while the person gets a kind
reply from the App, and the loop carries on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nio import AsyncClient, MatrixRoom, SyncResponse

from adapters.matrix import digest
from adapters.matrix.events import PLATFORM, Me, joined, messages, unreadable
from adapters.matrix.invites import Invitation, Invites, group_rooms, room_facts
from adapters.matrix.render import contents_for
from adapters.matrix.send import RoomSender
from adapters.matrix.session import login
from adapters.matrix.sync import DEFAULT_BACKOFF, LONG_POLL_MS, Backoff, SyncLoop, sync_token_key
from adapters.matrix.undecrypted import Held, RoomEvents, Undecrypted
from bot.app import App
from bot.core.config import MatrixConfig
from bot.core.errors import PlatformError
from bot.core.ports import Post
from bot.core.types import IncomingMessage, OutgoingMessage
from storage.ports import KeyValue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Connection:
    """What exists while the adapter runs."""

    client: AsyncClient
    sender: RoomSender
    invites: Invites


class MatrixAdapter:
    name = "matrix"

    def __init__(self, config: MatrixConfig, app: App, store: KeyValue,
                 backoff: Backoff = DEFAULT_BACKOFF) -> None:
        self.config, self.app, self.store, self.backoff = config, app, store, backoff
        self._groups = group_rooms(config)
        self.ready = asyncio.Event()
        """Set once logged in and a sync is handled; cleared while the homeserver does not
        answer."""
        self._connection: _Connection | None = None
        self._undecrypted = Undecrypted(timedelta(seconds=config.unreadable_after_seconds),
                                        store, f"matrix:{config.user_id}:undecrypted")

    @property
    def client(self) -> AsyncClient | None:
        """The logged-in client, once running."""
        return self._connection.client if self._connection else None

    async def run(self) -> None:
        """Log in, catch up, then sync until cancelled. Never logs out."""
        client = await login(self.config)
        invites = Invites(client, self.config.allowed_inviters, self.store)
        self._connection = _Connection(client, RoomSender(client), invites)
        self.app.senders[PLATFORM] = self.send
        self.app.publishers[PLATFORM] = self.publish
        self.app.delivery.attach(PLATFORM, self.send)
        loop = SyncLoop(client, self.store, sync_token_key(self.config.user_id),
                        handle=self._handle_sync, backoff=self.backoff, ready=self.ready,
                        connected=lambda: self.app.delivery.resume(PLATFORM),
                        poll_ms=self._poll_ms)
        try:
            await invites.load()
            await self._undecrypted.load()
            await loop.run()
        finally:
            self.ready.clear()
            await self.app.delivery.detach(PLATFORM)
            self.app.senders.pop(PLATFORM, None)
            self.app.publishers.pop(PLATFORM, None)
            await client.close()

    @property
    def _live(self) -> _Connection:
        if self._connection is None:
            raise PlatformError("the Matrix adapter is not running")
        return self._connection

    async def _handle_sync(self, response: SyncResponse) -> None:
        live = self._live
        for room_id, invite in response.rooms.invite.items():
            await live.invites.consider(room_id, invite)
        work = self._readable(response)
        await self._undecrypted.ask_for_keys(live.client)
        await asyncio.gather(*(self.process_room(live.client.rooms[room_id], events)
                               for room_id, events in work if events))
        for held in self._undecrypted.expired(self.app.clock.now()):
            await self._give_up(held)
        await self._undecrypted.save()
        for invitation in live.invites.to_greet(response.rooms.join):
            await self._greet(invitation)
            await live.invites.greeted(invitation.room_id)

    def _readable(self, response: SyncResponse) -> list[RoomEvents]:
        """Each joined room's new events we can read (the others are held), then held ones
        that can be read now."""
        now, held = self.app.clock.now(), self._undecrypted
        work = [(room_id, held.readable(room_id, info.timeline.events, now))
                for room_id, info in response.rooms.join.items()]
        return work + held.retry(self._live.client)

    def _poll_ms(self) -> int:
        return self._undecrypted.poll_ms(self.app.clock.now(), LONG_POLL_MS)

    async def _give_up(self, held: Held) -> None:
        """A message we could not read in time: ask the person for it again."""
        room = self._live.client.rooms.get(held.room_id)
        me = Me(self._live.client.user_id, self.config.command_prefix)
        msg = unreadable(held.event, room_facts(room, self._groups), me) if room else None
        if msg is not None:
            log.warning("could not decrypt %s in %s in time; asking for it again",
                        held.event.event_id, held.room_id)
            await self._answer(held.room_id, msg)

    async def process_room(self, room: MatrixRoom, events: list[Any]) -> list[OutgoingMessage]:
        """Handle one room's new events, in order; return the replies (sent from the
        outbox)."""
        me = Me(self._live.client.user_id, self.config.command_prefix)
        sent: list[OutgoingMessage] = []
        for msg in messages(events, room_facts(room, self._groups), me):
            sent += await self._answer(room.room_id, msg)
        return sent

    async def _greet(self, invitation: Invitation) -> None:
        room = self._live.client.rooms[invitation.room_id]
        facts = room_facts(room, self._groups)
        msg = joined(facts, invitation.inviter, invitation.is_direct, self.app.clock.now())
        await self._answer(room.room_id, msg)

    async def _answer(self, room_id: str, msg: IncomingMessage) -> list[OutgoingMessage]:
        """The App's replies to ``msg``: written to the outbox with its turn, and sent from
        there (``bot/features/outbox.py``), never here. No typing notice: a reply comes in
        well under a second, too soon for one to be seen, and each cost two requests and
        woke every client in the room twice (``bench/matrix_cost.py``)."""
        try:
            return await self.app.handle(msg)
        except Exception:
            log.exception("could not answer %s in %s", msg.event_id, room_id)
            return []

    async def send(self, reply: OutgoingMessage) -> str:
        """Send one reply as a notice, waiting out rate limits; return its event id. A reply
        from the outbox carries its transaction id (``delivery_id``), so a repeat after a
        crash is recognised by the homeserver and shown once."""
        event_id = ""
        for n, content in enumerate(contents_for(reply)):  # cut below the event size limit
            tx_id = None if reply.delivery_id is None else f"{reply.delivery_id}-{n}"
            event_id = await self._live.sender.send(reply.room_id, content, tx_id)
        return event_id  # the last part's: it carries the choices

    async def publish(self, room_id: str, post: Post) -> str:
        """Post a digest (chart, full list, then the digest); return the digest's event id."""
        return await digest.publish(self._live.sender, room_id, post)



