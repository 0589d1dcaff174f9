"""Sending to Matrix rooms: message content in, the event id the homeserver gave it out.

Rate limits (``M_LIMIT_EXCEEDED``) are waited out for as long as the homeserver asks, so the
replies in a room arrive in order; any other refusal is a ``PlatformError``. A room may be
named by an alias (``#moderators:example.org``): it is resolved once and remembered. A
transaction id, when given, lets the homeserver recognise a message sent twice (it answers a
repeat with the event it already has; the id is scoped to our access token, which
``session`` keeps across restarts). A homeserver that cannot be reached, or that answers
with a server error, is ``Unreachable``: the message may be sent again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, RoomResolveAliasResponse, RoomSendError, RoomSendResponse

from bot.core.errors import PlatformError, Unreachable

log = logging.getLogger(__name__)
MAX_SEND_ATTEMPTS = 30


class RoomSender:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self._aliases: dict[str, str] = {}

    async def send(self, room: str, content: dict[str, Any], tx_id: str | None = None) -> str:
        """Send one ``m.room.message``, waiting out rate limits; return its event id."""
        room_id = await self.room_id(room)
        for _ in range(MAX_SEND_ATTEMPTS):
            response = await self._room_send(room_id, content, tx_id)
            if isinstance(response, RoomSendResponse):
                return str(response.event_id)
            await _wait_if_rate_limited(room_id, response)
        raise PlatformError(f"still rate limited in {room_id}; giving up on a message")

    async def _room_send(self, room_id: str, content: dict[str, Any],
                         tx_id: str | None) -> RoomSendResponse | RoomSendError:
        try:
            return await self.client.room_send(room_id, "m.room.message", content, tx_id=tx_id,
                                               ignore_unverified_devices=True)
        except (ClientError, OSError, TimeoutError) as exc:
            raise Unreachable(f"could not reach the homeserver to send to {room_id}: "
                              f"{exc!r}") from exc

    async def room_id(self, room: str) -> str:
        """The room id for a room id or alias."""
        if not room.startswith("#"):
            return room
        if room not in self._aliases:
            response = await self.client.room_resolve_alias(room)
            if not isinstance(response, RoomResolveAliasResponse):
                raise PlatformError(f"the room alias {room} does not resolve: {response}")
            self._aliases[room] = response.room_id
        return self._aliases[room]


async def _wait_if_rate_limited(room_id: str, response: RoomSendError) -> None:
    status = response.transport_response.status if response.transport_response else 0
    if status >= 500:
        raise Unreachable(f"the homeserver failed to send to {room_id} ({status}): "
                          f"{response.message}")
    if response.status_code != "M_LIMIT_EXCEEDED":
        raise PlatformError(f"could not send to {room_id}: {response.message}")
    wait = (response.retry_after_ms or 1000) / 1000
    log.info("rate limited in %s; waiting %.2f s as asked", room_id, wait)
    await asyncio.sleep(wait)  # the homeserver asked us to wait this long
