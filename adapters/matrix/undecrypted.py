"""Encrypted messages we cannot read yet, and what is done about them.

A room key can arrive after the message it unlocks (as a to-device message in a later sync),
so an event we cannot decrypt is held and tried again after every sync. Meanwhile its key is
asked for: a fresh query of the sender's devices (so a key they send comes from a device we
know) and nio's room key request (``request_room_key``, to our own other devices: nio accepts
a forwarded key only from those). If it still cannot be read after ``wait`` (the setting
``matrix.unreadable_after_seconds``), it is given up, and the adapter asks the person to send
it again. Nothing of it is ever read as an answer.

Held events are kept in the store as they came (encrypted: nothing readable), so a restart
while waiting neither loses them nor forgets to ask. The sync's long poll is cut short to
the next give-up time, so the person is told on time even when nothing else happens.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, EncryptionError, LocalProtocolError, MegolmEvent

from storage.ports import KeyValue

log = logging.getLogger(__name__)
RoomEvents = tuple[str, list[Any]]


@dataclass(frozen=True)
class Held:
    room_id: str
    event: MegolmEvent
    since: datetime


class Undecrypted:
    def __init__(self, wait: timedelta, store: KeyValue, key: str) -> None:
        self.wait, self.store, self.key = wait, store, key
        self._held: list[Held] = []
        self._fresh: list[MegolmEvent] = []
        """Held since the keys were last asked for."""
        self._changed = False

    async def load(self) -> None:
        """The events held before a restart."""
        saved = json.loads(await self.store.get_value(self.key) or "[]")
        self._held = [held for held in map(_held, saved) if held is not None]

    async def save(self) -> None:
        if self._changed:
            rows = [[h.room_id, h.event.source, h.since.isoformat()] for h in self._held]
            await self.store.set_value(self.key, json.dumps(rows))
            self._changed = False

    def readable(self, room_id: str, events: Sequence[Any], now: datetime) -> list[Any]:
        """The events we can read now; the others are held from ``now``."""
        known = {h.event.event_id for h in self._held}
        locked = [e for e in events if isinstance(e, MegolmEvent) and e.event_id not in known]
        self._held += [Held(room_id, e, now) for e in locked]
        self._fresh += locked
        self._changed = self._changed or bool(locked)
        return [e for e in events if not isinstance(e, MegolmEvent)]

    def retry(self, client: AsyncClient) -> list[RoomEvents]:
        """Held events that can be read now, each with its room; the rest stay held."""
        pending, self._held = self._held, []
        found: list[RoomEvents] = []
        for held in pending:
            try:
                found.append((held.room_id, [client.decrypt_event(held.event)]))
            except EncryptionError:
                self._held.append(held)
        self._changed = self._changed or bool(found)
        return found

    def expired(self, now: datetime) -> list[Held]:
        """Held events waited for long enough: given up, and no longer held."""
        given_up = [h for h in self._held if now - h.since >= self.wait]
        self._held = [h for h in self._held if h not in given_up]
        self._changed = self._changed or bool(given_up)
        return given_up

    def poll_ms(self, now: datetime, longest: int) -> int:
        """How long the next sync may wait for news: no longer than until the next give-up."""
        deadlines = [(h.since + self.wait - now).total_seconds() * 1000 for h in self._held]
        return int(max(0, min([longest, *deadlines])))

    async def ask_for_keys(self, client: AsyncClient) -> None:
        """Ask for the keys of the events held since last time."""
        fresh, self._fresh = self._fresh, []
        if client.olm is None:
            return
        for event in fresh:
            log.info("cannot decrypt %s yet; asking for its key", event.event_id)
            client.olm.users_for_key_query.add(event.sender)
            try:
                await client.request_room_key(event)
            except LocalProtocolError:
                continue  # asked already, for another message of the same session
            except (ClientError, OSError, TimeoutError) as exc:
                log.info("could not ask for the key of %s: %r", event.event_id, exc)
        if client.should_query_keys:
            try:
                await client.keys_query()
            except (ClientError, OSError, TimeoutError) as exc:  # the next sync asks again
                log.info("could not query keys: %r", exc)


def _held(row: list[Any]) -> Held | None:
    room_id, source, since = row
    event = MegolmEvent.from_dict(source)
    if not isinstance(event, MegolmEvent):
        return None
    event.room_id = room_id
    return Held(room_id, event, datetime.fromisoformat(since))
