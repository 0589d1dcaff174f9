"""The floor for ``bench/matrix_cost.py``: the least a matrix-nio bot can do to answer people.

It joins the direct chats it is invited to, says hello once joined (so that, as storyloop,
its first encrypted message in a room is sent before the bench starts counting), and answers
each text message with one notice that repeats it. Nothing else: nio's own ``sync_forever``
with its default settings, no sync filter after the first sync, no typing notices, no
storage but nio's crypto store.

    .venv/bin/python -m bench.matrix_echo HOMESERVER USER_ID DEVICE_ID STORE_DIR [--encrypted]

The access token is read from the ``ECHO_ACCESS_TOKEN`` environment variable. It prints
``ready`` on stdout once its first sync is handled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    MatrixRoom,
    RoomMessageText,
    SyncResponse,
)

TOKEN_ENV = "ECHO_ACCESS_TOKEN"
GREETING = "Hello! I repeat what you say."
FIRST_SYNC_FILTER = {"room": {"timeline": {"limit": 0}}}
"""No backlog on the first sync (invites still arrive); every sync after it is unfiltered."""


class Echo:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.to_greet: set[str] = set()
        client.add_event_callback(self.on_invite, InviteMemberEvent)
        client.add_event_callback(self.on_text, RoomMessageText)
        client.add_response_callback(self.on_sync, SyncResponse)

    async def on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == self.client.user_id and event.membership == "invite":
            self.to_greet.add(room.room_id)
            await self.client.join(room.room_id)

    async def on_sync(self, response: SyncResponse) -> None:
        for room_id in self.to_greet & set(response.rooms.join):
            self.to_greet.discard(room_id)
            await self.notice(room_id, GREETING)

    async def on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != self.client.user_id:
            await self.notice(room.room_id, event.body)

    async def notice(self, room_id: str, text: str) -> None:
        await self.client.room_send(room_id, "m.room.message",
                                    {"msgtype": "m.notice", "body": text},
                                    ignore_unverified_devices=True)


async def run(homeserver: str, user_id: str, device_id: str, store: Path,
              encrypted: bool) -> None:
    await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
    config = AsyncClientConfig(encryption_enabled=encrypted, store_sync_tokens=False,
                               max_limit_exceeded=0, max_timeouts=2, request_timeout=60)
    client = AsyncClient(homeserver, user_id, device_id, str(store), config)
    client.restore_login(user_id, device_id, os.environ[TOKEN_ENV])
    Echo(client)
    ready = asyncio.create_task(_announce(client))
    try:
        await client.sync_forever(timeout=30_000, first_sync_filter=FIRST_SYNC_FILTER)
    finally:
        ready.cancel()
        await client.close()


async def _announce(client: AsyncClient) -> None:
    """``ready`` once the first sync and the key upload after it are done (nio sets
    ``synced`` then)."""
    await client.synced.wait()
    print("ready", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("homeserver")
    parser.add_argument("user_id")
    parser.add_argument("device_id")
    parser.add_argument("store", type=Path)
    parser.add_argument("--encrypted", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.homeserver, args.user_id, args.device_id, args.store, args.encrypted))


if __name__ == "__main__":
    main()
