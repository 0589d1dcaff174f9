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
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, MatrixRoom, SyncResponse

from adapters.matrix import digest
from adapters.matrix.events import PLATFORM, Me, RoomFacts, joined, messages
from adapters.matrix.invites import Invitation, Invites
from adapters.matrix.render import content_for
from adapters.matrix.send import RoomSender
from adapters.matrix.session import login
from adapters.matrix.sync import (
    DEFAULT_BACKOFF,
    Backoff,
    SyncLoop,
    Undecrypted,
    room_events,
    sync_token_key,
)
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
        self.ready = asyncio.Event()
        """Set once logged in and the first sync is handled."""
        self._connection: _Connection | None = None
        self._undecrypted = Undecrypted()

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
                        connected=lambda: self.app.delivery.resume(PLATFORM))
        try:
            await invites.load()
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
        work = room_events(response, self._undecrypted, live.client)
        await asyncio.gather(*(self.process_room(live.client.rooms[room_id], events)
                               for room_id, events in work if events))
        for invitation in live.invites.to_greet(response.rooms.join):
            await self._greet(invitation)
            await live.invites.greeted(invitation.room_id)

    async def process_room(self, room: MatrixRoom, events: list[Any]) -> list[OutgoingMessage]:
        """Handle one room's new events, in order; return the replies (sent from the
        outbox)."""
        me = Me(self._live.client.user_id, self.config.command_prefix)
        sent: list[OutgoingMessage] = []
        for msg in messages(events, _facts(room), me):
            sent += await self._answer(room.room_id, msg)
        return sent

    async def _greet(self, invitation: Invitation) -> None:
        room = self._live.client.rooms[invitation.room_id]
        msg = joined(_facts(room), invitation.inviter, invitation.is_direct, self.app.clock.now())
        await self._answer(room.room_id, msg)

    async def _answer(self, room_id: str, msg: IncomingMessage) -> list[OutgoingMessage]:
        """The App's replies to ``msg``: written to the outbox with its turn, and sent from
        there (``bot/features/outbox.py``), never here."""
        await self._typing(room_id, True)
        try:
            return await self.app.handle(msg)
        except Exception:
            log.exception("could not answer %s in %s", msg.event_id, room_id)
            return []
        finally:
            await self._typing(room_id, False)

    async def _typing(self, room_id: str, typing: bool) -> None:
        """Show that we are typing, if the homeserver can be reached: a courtesy, never a
        reason not to answer."""
        try:
            await self._live.client.room_typing(room_id, typing, timeout=10_000)
        except (ClientError, OSError, TimeoutError) as exc:
            log.info("could not show typing in %s: %r", room_id, exc)

    async def send(self, reply: OutgoingMessage) -> str:
        """Send one reply as a notice, waiting out rate limits; return its event id. A reply
        from the outbox carries its transaction id (``delivery_id``), so a repeat after a
        crash is recognised by the homeserver and shown once."""
        return await self._live.sender.send(reply.room_id, content_for(reply), reply.delivery_id)

    async def publish(self, room_id: str, post: Post) -> str:
        """Post a digest (chart, full list, then the digest); return the digest's event id."""
        return await digest.publish(self._live.sender, room_id, post)


def _facts(room: MatrixRoom) -> RoomFacts:
    return RoomFacts(room.room_id, int(room.member_count))
