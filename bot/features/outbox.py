"""Delivery: sending the reply outbox, so that no reply is lost and none is shown twice.

A turn's replies are written in the same transaction as the turn (``storage.ports``). This
sends them: each room's replies in the order they were written, rooms side by side, through
the platform's ``Sender`` port, and deletes each one once the platform has confirmed it.

* **At least once.** A reply is deleted only after its platform confirmed it, so a crash or an
  outage in between means it is sent again: at start-up, after a reconnect (the adapter calls
  ``resume``), or at the next retry.
* **Shown once.** Every attempt carries the same ``delivery_id`` (from the outbox row), which
  a platform that de-duplicates uses: on Matrix it is the transaction id, and the homeserver
  answers a repeat with the event it already has.
* **In order.** One task per room sends its replies oldest first and stops at the first that
  fails: nothing overtakes a reply that is waiting.
* **By one process.** Several processes sharing one database each send the outbox: a room's
  replies are sent by whichever holds that room (``Leases.exclusive``, not waiting), the
  others leave it and look again shortly (``BUSY``), so each reply goes out once and in order.
  Replies a process left unsent when it died are sent by the others' ``sweep`` (a scheduled
  job), at most once more, as after a crash of a process alone.
* A platform that cannot be reached is tried again with backoff, for as long as it is
  attached. A reply the platform refuses outright (the bot was removed from the room, say) is
  tried ``MAX_REFUSALS`` times, then dropped with an error in the log, so that it does not
  hold up the room for ever.

A platform joins by ``attach`` (the Matrix adapter does, once logged in); replies on a
platform that is not attached are not written to the outbox at all: ``App.handle`` returns
them to its caller, which shows them itself (the terminal, and tests that call the App).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Protocol

from bot.core.errors import PlatformError, Unreachable
from bot.core.ports import Sender
from bot.core.types import Platform, RoomId
from storage.ports import Leases, Outbox, QueuedReply

log = logging.getLogger(__name__)
MAX_REFUSALS = 5
Room = tuple[Platform, RoomId]
BUSY = 0.05
"""Seconds before looking again at a room another process is sending."""


class DeliveryStore(Outbox, Leases, Protocol):
    """What delivery uses: the reply outbox, and each room held by one process at a time."""


class Busy(Exception):
    """Another process is sending this room's replies."""


@dataclass(frozen=True)
class Retry:
    """How long to wait before sending again: doubling from ``first`` up to ``most`` seconds."""

    first: float = 0.25
    most: float = 4.0

    def delay(self, failures: int) -> float:
        return float(min(self.most, self.first * 2 ** max(0, failures - 1)))


class Delivery:
    def __init__(self, store: DeliveryStore, retry: Retry | None = None) -> None:
        self.store = store
        self.retry = retry or Retry()
        self.senders: dict[Platform, Sender] = {}
        self._wanted: set[Room] = set()
        """Rooms with replies written since their task last looked."""
        self._tasks: dict[Room, asyncio.Task[None]] = {}
        self._refusals: dict[int, int] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._kick = asyncio.Event()

    def handles(self, platform: Platform) -> bool:
        """Whether replies on ``platform`` go through the outbox."""
        return platform in self.senders

    def attach(self, platform: Platform, sender: Sender) -> None:
        """Write ``platform``'s replies to the outbox from now on, and send them with
        ``sender``. Those left unsent before (by a crash, or an outage) wait for ``resume``:
        the adapter calls it once it is connected."""
        self.senders[platform] = sender

    async def detach(self, platform: Platform) -> None:
        """Stop sending on ``platform``; what is unsent stays in the outbox."""
        self.senders.pop(platform, None)
        tasks = [task for (p, _), task in self._tasks.items() if p == platform]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def resume(self, platform: Platform) -> None:
        """Send everything unsent on ``platform`` now: at start-up and after a reconnect."""
        self._kick.set()  # rooms waiting to try again, try now
        self._kick = asyncio.Event()
        for room in {r.message.room_id for r in await self.store.pending_replies(platform)}:
            self.notify(platform, room)

    async def sweep(self) -> None:
        """Send what is unsent in every room of every attached platform: what another process
        left when it died, say (a scheduled job)."""
        for platform in list(self.senders):
            for room in {r.message.room_id for r in await self.store.pending_replies(platform)}:
                self.notify(platform, room)

    def notify(self, platform: Platform, room: RoomId) -> None:
        """Replies were written for ``room``: send them (in the background)."""
        if platform not in self.senders:
            return
        key = (platform, room)
        self._wanted.add(key)
        task = self._tasks.get(key)
        if task is None or task.done():
            self._idle.clear()
            self._tasks[key] = asyncio.create_task(self._drain(key), name=f"deliver {room}")
            self._tasks[key].add_done_callback(lambda done: self._finished(key, done))

    async def idle(self) -> None:
        """Wait until nothing is being sent (everything written so far has been tried)."""
        await self._idle.wait()

    def _finished(self, key: Room, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not self._tasks:
            self._idle.set()

    async def _drain(self, key: Room) -> None:
        failures = 0
        while key in self._wanted:
            self._wanted.discard(key)
            try:
                await self._send_pending(*key)
                failures = 0
                continue
            except Busy:
                self._wanted.add(key)
                await asyncio.sleep(BUSY)  # until the other process has sent what it holds
                continue
            except (Unreachable, OSError, TimeoutError) as exc:
                log.warning("cannot reach %s to send to %s (%r)", key[0], key[1], exc)
            except PlatformError as exc:
                log.warning("%s refused a reply to %s (%s)", key[0], key[1], exc)
            except Exception:  # a bug must not end delivery to this room
                log.exception("could not deliver to %s", key[1])
            failures += 1
            self._wanted.add(key)
            await self._pause(self.retry.delay(failures))

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` before trying again, or less if ``resume`` is called meanwhile
        (the platform is back)."""
        kick = self._kick
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await kick.wait()

    async def _send_pending(self, platform: Platform, room: RoomId) -> None:
        """Send the room's replies, oldest first, until none is left, holding the room
        against other processes; ``Busy`` if another holds it."""
        async with self.store.exclusive(f"outbox:{platform}:{room}", wait=False) as mine:
            if not mine:
                raise Busy
            while replies := await self.store.pending_replies(platform, room):
                for reply in replies:
                    sender = self.senders.get(platform)
                    if sender is None:
                        return
                    await self._send(sender, reply)

    async def _send(self, sender: Sender, reply: QueuedReply) -> None:
        try:
            await sender(reply.message.model_copy(update={"delivery_id": reply.delivery_id}))
        except Unreachable:
            raise
        except PlatformError:
            refusals = self._refusals[reply.id] = self._refusals.get(reply.id, 0) + 1
            if refusals < MAX_REFUSALS:
                raise
            log.error("giving up on reply %s in %s after %s refusals", reply.id,
                      reply.message.room_id, refusals)
        self._refusals.pop(reply.id, None)
        await self.store.reply_sent(reply.id)
