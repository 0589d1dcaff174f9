"""The sync loop: what Matrix has for us, batch after batch, until cancelled.

* No replay of history on a first start (the first sync asks for no timeline), and nothing
  missed on a restart (sync resumes from the token saved after each batch that held room
  events or invites; events handled twice are refused by the store's de-duplication). A
  batch of only to-device messages (room keys, which nio keeps in its own store) needs no
  save: the homeserver forgets them once the next sync has asked past them.
* Each sync asks only for what the bot reads (``sync_filter``, uploaded once per start):
  every sync the bot is woken for costs the homeserver and the bot a round trip, so its own
  replies coming back, typing notices, read receipts, presence and account data are left
  out.
* A failed or refused sync (a homeserver that is down, or ``M_LIMIT_EXCEEDED`` on sync) means
  a pause with backoff, never the end of the loop. The backoff is short (a few seconds at
  most) and each wait ends with a cheap probe (``GET /_matrix/client/versions``), so a
  homeserver that comes back is noticed within seconds; then ``connected`` is called (the
  adapter resumes sending the reply outbox).
* The long poll is cut short when something is due sooner (``poll_ms``): an encrypted
  message to give up on (``undecrypted``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import ClientError
from nio import AsyncClient, SyncError, SyncResponse, UploadFilterResponse

from adapters.matrix.session import encryption_chores
from bot.core.errors import PlatformError

log = logging.getLogger(__name__)
NOTHING: dict[str, Any] = {"not_types": ["*"]}
LONG_POLL_MS = 30_000
PROBE_TIMEOUT = 5.0
SyncHandler = Callable[[SyncResponse], Awaitable[None]]


class TokenStore(Protocol):
    async def get_value(self, key: str) -> str | None: ...

    async def set_value(self, key: str, value: str, *, durable: bool = True) -> None: ...


@dataclass(frozen=True)
class Backoff:
    """How long to wait after a failed sync: doubling from ``first`` up to ``most`` seconds.
    ``most`` is small because the wait ends in a probe, not a sync: it is how long a
    homeserver that is back may go unnoticed."""

    first: float = 0.5
    most: float = 2.0

    def delay(self, failures: int) -> float:
        return float(min(self.most, self.first * 2 ** max(0, failures - 1)))


DEFAULT_BACKOFF = Backoff()


async def _nothing() -> None:
    return None


def sync_filter(user_id: str, first: bool = False) -> dict[str, Any]:
    """What each sync asks for: the room events of everyone but the bot (messages, encrypted
    or not, redactions, and state: joins, leaves, encryption), invites, and to-device
    messages (room keys), which no filter touches. Left out, as nothing here reads them:
    presence, account data, typing notices and read receipts (a room's ephemeral events),
    and the bot's own events in room timelines (its replies coming back). Its own state
    changes, its join say, still reach the room's state. ``first``: no timeline at all, so
    a first start does not answer history."""
    timeline: dict[str, Any] = {"not_senders": [user_id]}
    if first:
        timeline["limit"] = 0
    return {"presence": NOTHING, "account_data": NOTHING,
            "room": {"ephemeral": NOTHING, "account_data": NOTHING, "timeline": timeline}}


def worth_saving(response: SyncResponse) -> bool:
    """Whether a restart must resume after this batch: it held room events or invites
    (a batch of only to-device messages may be asked for again harmlessly: the homeserver
    has forgotten them)."""
    rooms = response.rooms
    return bool(rooms.join or rooms.invite or rooms.leave)


def sync_token_key(user_id: str) -> str:
    """Where the sync token of the bot account ``user_id`` is kept."""
    return f"matrix:{user_id}:next_batch"


@dataclass
class SyncLoop:
    """Syncs, hands each batch to ``handle``, then saves its token; ``ready`` is set once the
    first batch is handled, cleared while syncing fails, and set again once the homeserver
    answers."""

    client: AsyncClient
    store: TokenStore
    token_key: str
    handle: SyncHandler
    backoff: Backoff
    ready: asyncio.Event
    connected: Callable[[], Awaitable[None]] = field(default=_nothing)
    """Called after the first sync, and after each sync that follows a failure."""
    poll_ms: Callable[[], int] = field(default=lambda: LONG_POLL_MS)
    """How long the next sync may wait for news."""
    _since: str | None = field(default=None, init=False)
    _filter_id: str | None = field(default=None, init=False)

    async def run(self) -> None:
        self._since = await self.store.get_value(self.token_key)
        failures, first = 0, True
        while True:
            try:
                await self._once(first)
            except (OSError, TimeoutError, ClientError, PlatformError) as exc:
                self.ready.clear()  # out of sync until the homeserver answers (/healthz)
                failures += 1
                log.warning("matrix sync failed (%r); trying again", exc)
                failures = await self._until_answered(failures)
                continue
            if first or failures:
                log.info("in sync with the homeserver")
                await self.connected()
            failures, first = 0, False
            self.ready.set()

    async def _until_answered(self, failures: int) -> int:
        """Back off, then probe, until the homeserver answers; the failures so far."""
        while True:
            await asyncio.sleep(self.backoff.delay(failures))  # backing off: it is down
            if await answers(self.client):
                log.info("the homeserver answers again")
                self.ready.set()  # connected: the next sync may wait a while for news
                return failures
            failures += 1
            log.info("the homeserver is not answering yet (%s tries)", failures)

    async def _once(self, first: bool) -> None:
        response = await self._fetch(first, self._since)
        await encryption_chores(self.client)
        await self.handle(response)
        self._since = response.next_batch
        if worth_saving(response):
            # Not flushed at once: lost to a power cut, its events come again, and those
            # handled already are refused as seen.
            await self.store.set_value(self.token_key, response.next_batch, durable=False)

    async def _fetch(self, first: bool, since: str | None) -> SyncResponse:
        user_id = self.client.user_id
        if first and since is None:
            response = await self.client.sync(timeout=0, full_state=True,
                                              sync_filter=sync_filter(user_id, first=True))
        else:
            response = await self.client.sync(timeout=0 if first else self.poll_ms(),
                                              since=since, full_state=first,
                                              sync_filter=await self._filter())
        if isinstance(response, SyncError):
            raise PlatformError(f"sync refused: {response.status_code} {response.message}")
        return response

    async def _filter(self) -> str:
        """The id of ``sync_filter``, uploaded once (the homeserver then reads it by id,
        instead of parsing and checking it on every sync)."""
        if self._filter_id is None:
            response = await self.client.upload_filter(**sync_filter(self.client.user_id))
            if not isinstance(response, UploadFilterResponse):
                raise PlatformError(f"the sync filter was refused: {response}")
            self._filter_id = str(response.filter_id)
        return self._filter_id


async def answers(client: AsyncClient) -> bool:
    """Whether the homeserver answers at all: ``/_matrix/client/versions`` needs no login
    and no database, so it is the cheapest thing to ask."""
    try:
        response = await client.send("GET", "/_matrix/client/versions", timeout=PROBE_TIMEOUT)
        response.release()
    except (ClientError, OSError, TimeoutError):
        return False
    return bool(response.status == 200)
