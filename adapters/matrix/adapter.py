"""The Matrix adapter: a matrix-nio client that turns room events into IncomingMessages and
sends the App's replies back as notices.

What Matrix demands, and where it is handled here:

* No replay of history on a first start (the first sync asks for no timeline), and nothing
  missed on a restart (sync resumes from the token saved after each handled batch; events
  handled twice are refused by the store's de-duplication).
* Our own login and device are kept across restarts (``login.json`` beside the crypto store);
  we never log out, which would destroy the encryption keys.
* Invites are joined only when addressed to us, and only from allowed inviters.
* Rate limits (``M_LIMIT_EXCEEDED``) are waited out; replies in a room are sent in order.
* The sync loop survives everything: a failed sync or a lost homeserver means a pause with
  backoff, and a failing handler is logged while the person gets a kind reply.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    InviteInfo,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RedactionEvent,
    RoomMessageText,
    RoomResolveAliasResponse,
    RoomSendError,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)

from adapters.matrix_digest import (
    chart_content,
    digest_content,
    list_content,
    transaction_id,
    upload,
)
from adapters.matrix_render import content_for, strip_reply_fallback
from bot.app import App
from bot.core.config import MatrixConfig, secret
from bot.core.errors import PlatformError
from bot.core.ports import Post
from bot.core.types import (
    EventId,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
    Platform,
    RoomId,
    UserId,
)
from storage.base import Store

log = logging.getLogger(__name__)
PLATFORM = Platform("matrix")
FIRST_SYNC_FILTER = {"room": {"timeline": {"limit": 0}}}
LONG_POLL_MS = 30_000
MAX_SEND_ATTEMPTS = 30


@dataclass(frozen=True)
class Backoff:
    """How long to wait after a failed sync: doubling from ``first`` up to ``most`` seconds."""

    first: float = 0.5
    most: float = 30.0

    def delay(self, failures: int) -> float:
        return float(min(self.most, self.first * 2 ** max(0, failures - 1)))


class MatrixAdapter:
    name = "matrix"

    def __init__(self, config: MatrixConfig, app: App, store: Store,
                 backoff: Backoff = Backoff()) -> None:
        self.config, self.app, self.store, self.backoff = config, app, store, backoff
        self.client: AsyncClient | None = None
        self.ready = asyncio.Event()
        """Set once logged in and the first sync is handled."""
        self._token_key = f"matrix:{config.user_id}:next_batch"
        self._to_greet: dict[str, tuple[str, bool]] = {}
        self._undecrypted: list[tuple[str, MegolmEvent]] = []
        self._aliases: dict[str, str] = {}

    # Running
    async def run(self) -> None:
        """Log in, catch up, then sync until cancelled. Never logs out."""
        self.client = await self._login()
        self.app.senders[PLATFORM] = self.send
        self.app.publishers[PLATFORM] = self.publish
        try:
            await self._sync_forever()
        finally:
            self.ready.clear()
            self.app.senders.pop(PLATFORM, None)
            self.app.publishers.pop(PLATFORM, None)
            await self.client.close()

    async def _sync_forever(self) -> None:
        failures = 0
        first = True
        while True:
            try:
                await self._sync_once(first)
            except (OSError, TimeoutError, PlatformError) as exc:
                failures += 1
                delay = self.backoff.delay(failures)
                log.warning("matrix sync failed (%s); trying again in %.1f s", exc, delay)
                await asyncio.sleep(delay)  # backing off from a homeserver that is down
                continue
            failures, first = 0, False
            self.ready.set()

    async def _sync_once(self, first: bool) -> None:
        client = self._client
        since = await self.store.get_value(self._token_key)
        if first and since is None:
            response = await client.sync(timeout=0, sync_filter=FIRST_SYNC_FILTER,
                                         full_state=True)
        else:
            response = await client.sync(timeout=0 if first else LONG_POLL_MS, since=since,
                                         full_state=first)
        if isinstance(response, SyncError):
            raise PlatformError(f"sync refused: {response.status_code} {response.message}")
        await self._housekeeping()
        await self._handle_sync(response)
        await self.store.set_value(self._token_key, response.next_batch)

    @property
    def _client(self) -> AsyncClient:
        if self.client is None:
            raise PlatformError("the Matrix adapter is not running")
        return self.client

    # Login: restore the saved device, or make one and save it
    async def _login(self) -> AsyncClient:
        store_path = self.config.store_path
        await asyncio.to_thread(store_path.mkdir, parents=True, exist_ok=True)
        saved = _read_login(store_path)
        device = saved.get("device_id") if saved else None
        client = AsyncClient(self.config.homeserver, self.config.user_id, device or "",
                             str(store_path), self._client_config())
        try:
            if saved:
                client.restore_login(saved["user_id"], saved["device_id"], saved["access_token"])
            else:
                await self._first_login(client)
        except BaseException:
            await client.close()
            raise
        return client

    def _client_config(self) -> AsyncClientConfig:
        return AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=60,
                                 encryption_enabled=self.config.encryption,
                                 store_sync_tokens=False)

    async def _first_login(self, client: AsyncClient) -> None:
        if self.config.access_token_env:
            token = secret("matrix.access_token_env", self.config.access_token_env)
            client.access_token = token
            whoami = await client.whoami()
            if not isinstance(whoami, WhoamiResponse):
                raise PlatformError(f"the Matrix access token was refused: {whoami}")
            client.restore_login(whoami.user_id, whoami.device_id or "", token)
        else:
            password = secret("matrix.password_env", self.config.password_env)
            response = await client.login(password, device_name=self.config.device_name)
            if not isinstance(response, LoginResponse):
                raise PlatformError(f"Matrix login failed: {response}")
        _write_login(self.config.store_path, client)
        log.info("logged in to Matrix as %s, device %s", client.user_id, client.device_id)

    async def _housekeeping(self) -> None:
        """The end-to-end encryption chores that nio's sync_forever would do."""
        client = self._client
        if client.olm is None:
            return
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

    # Turning a sync into messages
    async def _handle_sync(self, response: SyncResponse) -> None:
        for room_id, invite in response.rooms.invite.items():
            await self._on_invite(room_id, invite)
        work = [self._events_for(room_id, info.timeline.events)
                for room_id, info in response.rooms.join.items()]
        work += self._retry_undecrypted()
        await asyncio.gather(*(self.process_room(room, events) for room, events in work
                               if events))
        for room_id in list(self._to_greet):
            if room_id in response.rooms.join:
                await self._greet(room_id)

    def _events_for(self, room_id: str, events: list[Any]) -> tuple[MatrixRoom, list[Any]]:
        room = self._client.rooms[room_id]
        for event in events:
            if isinstance(event, MegolmEvent):
                self._undecrypted.append((room_id, event))
        return room, [e for e in events if not isinstance(e, MegolmEvent)]

    def _retry_undecrypted(self) -> list[tuple[MatrixRoom, list[Any]]]:
        """A room key can arrive after the message it unlocks."""
        pending, self._undecrypted = self._undecrypted, []
        found: list[tuple[MatrixRoom, list[Any]]] = []
        for room_id, event in pending:
            try:
                found.append((self._client.rooms[room_id], [self._client.decrypt_event(event)]))
            except EncryptionError:
                self._undecrypted.append((room_id, event))
        return found

    async def process_room(self, room: MatrixRoom, events: list[Any]) -> list[OutgoingMessage]:
        """Handle one room's new events, in order; return what was sent."""
        sent: list[OutgoingMessage] = []
        edits = _latest_edits(events)
        for event in events:
            msg = self._incoming(room, event, edits)
            if msg is not None:
                sent += await self._answer(room.room_id, msg)
        return sent

    def _incoming(self, room: MatrixRoom, event: Any,
                  edits: dict[str, str]) -> IncomingMessage | None:
        if getattr(event, "sender", None) == self._client.user_id:
            return None
        base = {"platform": PLATFORM, "room_id": RoomId(room.room_id),
                "sender_id": UserId(event.sender), "event_id": EventId(event.event_id),
                "is_direct": _is_direct(room), "timestamp": _time(event)}
        if isinstance(event, RedactionEvent):
            return IncomingMessage(**base, text="", kind=MessageKind.RETRACTED,
                                   target_event_id=EventId(event.redacts))
        if not isinstance(event, RoomMessageText) or _is_edit(event):
            return None
        text = edits.get(event.event_id, event.body)
        text = strip_reply_fallback(text) if _is_reply(event) else text
        return self._message(base, text, event)

    def _message(self, base: dict[str, Any], text: str, event: RoomMessageText) -> IncomingMessage:
        prefix = self.config.command_prefix
        if text.startswith(prefix) and len(text) > len(prefix):
            return IncomingMessage(**base, text=text[len(prefix):], kind=MessageKind.COMMAND)
        addressed = base["is_direct"] or self._mentions_me(text, event)
        return IncomingMessage(**base, text=text, addressed=addressed)

    def _mentions_me(self, text: str, event: RoomMessageText) -> bool:
        me = self._client.user_id
        mentions = event.source.get("content", {}).get("m.mentions", {})
        localpart = me.split(":")[0].lstrip("@")
        return (me in mentions.get("user_ids", []) or me in text
                or me in (event.formatted_body or "") or localpart in text.casefold())

    # Answering
    async def _answer(self, room_id: str, msg: IncomingMessage) -> list[OutgoingMessage]:
        client = self._client
        try:
            await client.room_typing(room_id, True, timeout=10_000)
            replies = await self.app.handle(msg)
            for reply in replies:
                await self.send(reply)
            return replies
        except Exception:
            log.exception("could not answer %s in %s", msg.event_id, room_id)
            return []
        finally:
            await client.room_typing(room_id, False)

    async def send(self, reply: OutgoingMessage) -> str:
        """Send one reply as a notice, waiting out rate limits; return its event id."""
        return await self._send(reply.room_id, content_for(reply))

    async def publish(self, room_id: str, post: Post) -> str:
        """Post a digest (chart, full list, then the digest); return the digest's event id."""
        room_id = await self._room_id(room_id)
        client = self._client
        chart = await upload(client, room_id, post.chart, "image/png", "digest-chart.png")
        await self._send(room_id, chart_content(chart), transaction_id(post, room_id, "chart"))
        stories = await upload(client, room_id, post.full_list.encode(), "text/markdown",
                               "digest-stories.md")
        await self._send(room_id, list_content(stories), transaction_id(post, room_id, "list"))
        return await self._send(room_id, digest_content(post),
                                transaction_id(post, room_id, "digest"))

    async def _send(self, room: str, content: dict[str, Any], tx_id: str | None = None) -> str:
        room_id = await self._room_id(room)
        for _ in range(MAX_SEND_ATTEMPTS):
            response = await self._client.room_send(
                room_id, "m.room.message", content, tx_id=tx_id, ignore_unverified_devices=True)
            if not isinstance(response, RoomSendError):
                return str(response.event_id)
            if response.status_code != "M_LIMIT_EXCEEDED":
                raise PlatformError(f"could not send to {room_id}: {response.message}")
            wait = (response.retry_after_ms or 1000) / 1000
            log.info("rate limited in %s; waiting %.2f s as asked", room_id, wait)
            await asyncio.sleep(wait)  # the homeserver asked us to wait this long
        raise PlatformError(f"still rate limited in {room_id}; giving up on a message")

    async def _room_id(self, room: str) -> str:
        """Configured rooms may be aliases (#moderators:example.org): resolve them once."""
        if not room.startswith("#"):
            return room
        if room not in self._aliases:
            response = await self._client.room_resolve_alias(room)
            if not isinstance(response, RoomResolveAliasResponse):
                raise PlatformError(f"the room alias {room} does not resolve: {response}")
            self._aliases[room] = response.room_id
        return self._aliases[room]

    # Invites
    async def _on_invite(self, room_id: str, invite: InviteInfo) -> None:
        mine = [e for e in invite.invite_state if isinstance(e, InviteMemberEvent)
                and e.state_key == self._client.user_id and e.membership == "invite"]
        if not mine:
            return
        inviter = mine[-1].sender
        if not self._may_invite(inviter):
            log.info("not joining %s: %s is not an allowed inviter", room_id, inviter)
            return
        response = await self._client.join(room_id)
        if isinstance(response, JoinError):
            log.warning("could not join %s: %s", room_id, response.message)
            return
        is_direct = bool(mine[-1].content.get("is_direct"))
        self._to_greet[room_id] = (inviter, is_direct)

    def _may_invite(self, user_id: str) -> bool:
        allowed = self.config.allowed_inviters
        server = ":" + user_id.split(":", 1)[-1]
        return not allowed or user_id in allowed or server in allowed

    async def _greet(self, room_id: str) -> None:
        inviter, is_direct = self._to_greet.pop(room_id)
        room = self._client.rooms[room_id]
        msg = IncomingMessage(platform=PLATFORM, room_id=RoomId(room_id),
                              sender_id=UserId(inviter), event_id=EventId(f"joined:{room_id}"),
                              text="", is_direct=is_direct or _is_direct(room),
                              timestamp=self.app.clock.now(), kind=MessageKind.JOINED)
        await self._answer(room_id, msg)


def _is_direct(room: MatrixRoom) -> bool:
    """A room with just us and one person is a direct chat, whatever it was created as."""
    return int(room.member_count) <= 2


def _is_edit(event: RoomMessageText) -> bool:
    relates = event.source.get("content", {}).get("m.relates_to", {})
    return bool(relates.get("rel_type") == "m.replace")


def _is_reply(event: RoomMessageText) -> bool:
    relates = event.source.get("content", {}).get("m.relates_to", {})
    return "m.in_reply_to" in relates


def _latest_edits(events: list[Any]) -> dict[str, str]:
    """Original event id -> newest text, for edits arriving with the message they edit."""
    edits: dict[str, str] = {}
    for event in events:
        if isinstance(event, RoomMessageText) and _is_edit(event):
            content = event.source["content"]
            new = content.get("m.new_content", {}).get("body")
            if isinstance(new, str):
                edits[content["m.relates_to"]["event_id"]] = new
    return edits


def _time(event: Any) -> datetime:
    return datetime.fromtimestamp(event.server_timestamp / 1000, UTC)


def _read_login(store_path: Path) -> dict[str, str] | None:
    path = store_path / "login.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return {k: str(data[k]) for k in ("user_id", "device_id", "access_token")}


def _write_login(store_path: Path, client: AsyncClient) -> None:
    """Keep the login so the same device (and its keys) is used after a restart."""
    path = store_path / "login.json"
    data = {"user_id": client.user_id, "device_id": client.device_id,
            "access_token": client.access_token}
    path.write_text(json.dumps(data))
    os.chmod(path, 0o600)
