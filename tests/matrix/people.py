"""A human on the test homeserver: a real matrix-nio client with its own sync loop.

Tests drive a ``Person`` to talk to the bot the way a person in Element would. Every wait is
on an ``asyncio.Event`` that the sync loop sets after each sync response; nothing polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeAlias, TypeVar

from aiohttp import ClientConnectionError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    KeysUploadResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    RoomEncryptedFile,
    RoomEncryptedImage,
    RoomMessageFile,
    RoomMessageImage,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)
from nio.exceptions import EncryptionError

from .synapse import RegisteredUser

T = TypeVar("T")
Message: TypeAlias = (
    "RoomMessageText | RoomMessageNotice | RoomMessageImage | RoomMessageFile"
    " | RoomEncryptedImage | RoomEncryptedFile"
)
MESSAGE_TYPES = (RoomMessageText, RoomMessageNotice, RoomMessageImage, RoomMessageFile,
                 RoomEncryptedImage, RoomEncryptedFile)
MessagePredicate = Callable[[Message], bool]
DEFAULT_TIMEOUT = 10.0
LONG_POLL_MS = 30_000
MAX_RECONNECTS = 20  # consecutive failed sync_forever runs before the sync loop gives up
FIRST_SYNC_FILTER = {"room": {"timeline": {"limit": 0}}}  # no backlog; invites still arrive


class RequestFailed(Exception):
    """The homeserver answered a request with an error response."""

    def __init__(self, what: str, response: Any) -> None:
        super().__init__(f"{what} failed: {response}")
        self.response = response


class PersonFactory(Protocol):
    """The ``matrix_person`` fixture: logs a (by default fresh) user in as a ``Person``."""

    async def __call__(
        self, user: RegisteredUser | None = None, *, encrypted: bool = False
    ) -> Person: ...


@dataclass(frozen=True)
class Seen:
    """One m.text/m.notice event as it reached this person (decrypted if it was encrypted)."""

    room_id: str
    event_id: str
    sender: str
    kind: str
    body: str

    def __str__(self) -> str:
        return f"{self.event_id} in {self.room_id} from {self.sender} [{self.kind}]: {self.body!r}"


def _check(response: Any, expected: type, what: str) -> Any:
    if not isinstance(response, expected):
        raise RequestFailed(what, response)
    return response


class Person:
    """A logged-in nio client playing a human; create it with ``await Person.login(...)``."""

    def __init__(self, client: AsyncClient, user: RegisteredUser) -> None:
        self.client = client
        self.user = user
        self.seen: list[Seen] = []
        self._messages: list[tuple[str, Message]] = []
        self._returned: set[str] = set()
        self._undecrypted: list[tuple[str, MegolmEvent]] = []
        self._changed = asyncio.Event()
        self._sync_errors: list[BaseException] = []
        self._sync_task: asyncio.Task[None] | None = None
        client.add_event_callback(self._on_message, MESSAGE_TYPES)
        client.add_event_callback(self._on_undecryptable, MegolmEvent)
        client.add_response_callback(self._on_sync, SyncResponse)

    @classmethod
    async def login(
        cls, homeserver: str, user: RegisteredUser, store_dir: Path, *, encrypted: bool = False
    ) -> Person:
        """Restore the registered login (same device), sync once, upload keys, start syncing."""
        await asyncio.to_thread(store_dir.mkdir, parents=True, exist_ok=True)  # nio won't
        config = AsyncClientConfig(
            max_timeouts=3,
            request_timeout=30,
            max_limit_exceeded=0,
            encryption_enabled=encrypted,
            store_sync_tokens=False,
        )
        client = AsyncClient(homeserver, user.user_id, user.device_id, str(store_dir), config)
        client.restore_login(user.user_id, user.device_id, user.access_token)
        person = cls(client, user)
        try:
            await person._start()
        except BaseException:
            await client.close()
            raise
        return person

    async def _start(self) -> None:
        sync = await self.client.sync(timeout=0, sync_filter=FIRST_SYNC_FILTER)
        _check(sync, SyncResponse, "first sync")
        if self.client.olm is not None and self.client.should_upload_keys:
            # Before anyone can share a room key with this device, its keys must be known.
            _check(await self.client.keys_upload(), KeysUploadResponse, "keys upload")
        self._sync_task = asyncio.create_task(self._sync_loop(), name=f"sync {self.user_id}")
        self._sync_task.add_done_callback(lambda _: self._notify())

    @property
    def user_id(self) -> str:
        return self.user.user_id

    # -- sync loop and callbacks -----------------------------------------------------------

    async def _sync_loop(self) -> None:
        while True:
            try:
                await self.client.sync_forever(timeout=LONG_POLL_MS)
            except (ClientConnectionError, TimeoutError) as error:
                # nio already retried max_timeouts times; the server may be restarting.
                self._sync_errors.append(error)  # cleared by the next successful sync
                if len(self._sync_errors) >= MAX_RECONNECTS:
                    raise
            else:
                return

    def _notify(self) -> None:
        """Wake every waiter; each one re-checks its condition and waits on the new event."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _on_message(self, room: MatrixRoom, event: Message) -> None:
        kind = str(event.source.get("content", {}).get("msgtype", "?"))
        self.seen.append(Seen(room.room_id, event.event_id, event.sender, kind, event.body))
        self._messages.append((room.room_id, event))
        self._notify()

    def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        self._undecrypted.append((room.room_id, event))
        self._notify()

    def _on_sync(self, _response: SyncResponse) -> None:
        self._sync_errors.clear()
        self._retry_decryption()
        self._notify()

    def _retry_decryption(self) -> None:
        """A room key can arrive in a later sync than the message it unlocks."""
        pending, self._undecrypted = self._undecrypted, []
        for room_id, event in pending:
            try:
                decrypted = self.client.decrypt_event(event)
            except EncryptionError:  # the key is still missing
                self._undecrypted.append((room_id, event))
                continue
            if isinstance(decrypted, MESSAGE_TYPES):
                self._on_message(self.client.rooms[room_id], decrypted)

    # -- waiting ---------------------------------------------------------------------------

    async def _wait_until(
        self,
        check: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 - a deadline for the whole wait, applied below
        describe: Callable[[], str],
    ) -> T:
        try:
            async with asyncio.timeout(timeout):
                while (result := check()) is None:
                    self._raise_if_sync_died()
                    await self._changed.wait()
                return result
        except TimeoutError:
            raise TimeoutError(f"{self.user_id}: after {timeout} s, {describe()}") from None

    def _raise_if_sync_died(self) -> None:
        task = self._sync_task
        if task is not None and task.done():
            error = None if task.cancelled() else task.exception()
            raise RuntimeError(f"the sync loop of {self.user_id} has stopped: {error!r}")

    def _report(self) -> str:
        seen = "\n  ".join(str(s) for s in self.seen) or "(none)"
        undecrypted = [f"{event.event_id} from {event.sender}" for _, event in self._undecrypted]
        return (
            f"\nmessages seen:\n  {seen}\nstill undecryptable: {undecrypted or 'none'}"
            f"\nsync errors since last successful sync: {self._sync_errors or 'none'}"
        )

    def _is_joined(self, room_id: str, user_id: str) -> bool | None:
        room = self.client.rooms.get(room_id)
        if room is None or user_id not in room.users or user_id in room.invited_users:
            return None
        return True

    async def wait_for_join(
        self,
        room_id: str,
        user_id: str,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - part of the helper's API
    ) -> None:
        """Wait until this person's client sees ``user_id`` joined to ``room_id``."""
        await self._wait_until(
            lambda: self._is_joined(room_id, user_id),
            timeout,
            lambda: f"{user_id} has not joined {room_id}" + self._report(),
        )

    def _find_message(self, room_id: str, predicate: MessagePredicate) -> Message | None:
        for message_room, event in self._messages:
            if message_room != room_id or event.sender == self.user_id:
                continue
            if event.event_id not in self._returned and predicate(event):
                self._returned.add(event.event_id)
                return event
        return None

    async def wait_for_message(
        self,
        room_id: str,
        predicate: MessagePredicate = lambda _: True,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - part of the helper's API
    ) -> Message:
        """The first m.text/m.notice in ``room_id`` from someone else that matches
        ``predicate`` and was not returned before (encrypted ones arrive decrypted)."""
        message: Message = await self._wait_until(
            lambda: self._find_message(room_id, predicate),
            timeout,
            lambda: f"no matching message from another sender in {room_id}" + self._report(),
        )
        return message

    def bodies(self, room_id: str, words: str = "") -> list[str]:
        """The messages from others in ``room_id`` seen so far that contain ``words``, in
        the order they came."""
        return [s.body for s in self.seen
                if s.room_id == room_id and s.sender != self.user_id and words in s.body]

    # -- actions ---------------------------------------------------------------------------

    async def create_dm(self, invite: str, encrypted: bool) -> str:
        """Create a direct-message room inviting ``invite``; return once we are in it."""
        initial_state = []
        if encrypted:
            content = {"algorithm": "m.megolm.v1.aes-sha2"}
            initial_state.append({"type": "m.room.encryption", "state_key": "", "content": content})
        response = await self.client.room_create(
            is_direct=True, invite=[invite], initial_state=initial_state
        )
        room_id = str(_check(response, RoomCreateResponse, "room_create").room_id)
        await self.wait_for_join(room_id, self.user_id)
        return room_id

    async def join(self, room_id: str) -> None:
        """Join (accepting an invite if there is one); return once our sync shows it."""
        _check(await self.client.join(room_id), JoinResponse, f"join {room_id}")
        await self.wait_for_join(room_id, self.user_id)

    async def send(self, room_id: str, text: str, msgtype: str = "m.text") -> str:
        """Send a plain message (encrypted if the room is); return its event id."""
        if self.client.olm is not None and self.client.should_query_keys:
            await self.client.keys_query()  # so devices that just joined get the room key
        response = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": msgtype, "body": text},
            ignore_unverified_devices=True,
        )
        return str(_check(response, RoomSendResponse, f"send to {room_id}").event_id)

    async def close(self) -> None:
        """Stop the sync loop and close the HTTP session."""
        task = self._sync_task
        if task is not None:
            task.cancel()
            await asyncio.wait([task])  # propagates our own cancellation, not the task's
            if not task.cancelled():
                task.exception()  # already reported by any wait; mark it as retrieved
        await self.client.close()
