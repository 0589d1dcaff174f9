"""Nothing lost, nothing doubled, on a real Synapse: replies sent from the outbox survive a
SIGKILL right after their turn is committed and right after a join, a homeserver that goes
away mid-send, and a repeat after a restart is shown once (the transaction id); the bot is
back within seconds of the homeserver; a message it cannot decrypt is asked for again."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator

import pytest
from nio import AsyncClient
from nio.crypto import OlmDevice

from adapters.matrix.events import PLATFORM
from adapters.matrix.sync import DEFAULT_BACKOFF
from bot.core.types import OutgoingMessage, RoomId

from .bot import BotFactory, says, talk
from .people import Person, PersonFactory
from .process import BotProcess
from .synapse import Synapse

SITUATION = "The surgery phone line is engaged from 8am every Monday and people give up."
LOCKED = "reached me locked"


class LogWatch(logging.Handler):
    """Log records as they happen, to wait for one (in-process bots)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self._changed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self._changed.set()

    async def wait_for(self, wanted: Callable[[str], bool], count: int = 1,
                       timeout: float = 30) -> None:  # noqa: ASYNC109 - a deadline
        async with asyncio.timeout(timeout):
            while sum(wanted(r.getMessage()) for r in self.records) < count:
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
def logs() -> Iterator[LogWatch]:
    watch = LogWatch()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(watch)
    root.setLevel(logging.INFO)
    yield watch
    root.removeHandler(watch)
    root.setLevel(old_level)


def from_bot(person: Person, bot_user: str, room: str) -> list[str]:
    return [s.body for s in person.seen if s.sender == bot_user and s.room_id == room]


def once_in_order(bodies: list[str], expected: list[str]) -> None:
    """Each expected reply arrived exactly once, in this order."""
    for words in expected:
        assert sum(words in b for b in bodies) == 1, (words, bodies)
    found = [next(n for n, b in enumerate(bodies) if words in b) for words in expected]
    assert found == sorted(found), bodies


def unsent(database: object) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM reply_outbox").fetchone()[0])


async def test_storyloop_run_killed_after_a_commit_sends_each_reply_once_in_order(
        synapse: Synapse, bot_process: Callable[..., BotProcess],
        matrix_person: PersonFactory) -> None:
    bot = bot_process()
    await bot.start()
    hal = await matrix_person()
    room = await hal.create_dm(bot.user_id, encrypted=False)
    await hal.wait_for_message(room, says("Shall we start?"), timeout=30)
    synapse.override_ratelimit(bot.user_id, messages_per_second=1, burst_count=1)
    mark = len(bot.lines)
    for line in ("yes", "yes", SITUATION):
        await hal.send(room, line)
    await bot.wait_for_line(lambda line: "rate limited in" in line, after=mark)
    await bot.kill()  # a turn is committed and its reply is waiting to be sent
    left = unsent(bot.database)
    synapse.delete_ratelimit_override(bot.user_id)
    await bot.start()
    for words in ("Is that OK?", "What's been happening?", "tried something"):
        await hal.wait_for_message(room, says(words), timeout=30)
    assert left >= 1
    once_in_order(from_bot(hal, bot.user_id, room),
                  ["Shall we start?", "Is that OK?", "What's been happening?", "tried something"])
    assert await bot.stop() == 0


async def test_storyloop_run_killed_after_a_join_still_greets_once(
        bot_process: Callable[..., BotProcess], matrix_person: PersonFactory) -> None:
    bot = bot_process()
    await bot.start()
    await bot.wait_for_line(lambda line: "logged in to Matrix" in line)
    ivy = await matrix_person(encrypted=True)
    mark = len(bot.lines)
    room = await ivy.create_dm(bot.user_id, encrypted=True)
    await bot.wait_for_line(lambda line: f"joined {room}" in line, after=mark)
    await bot.kill()  # joined, not yet greeted
    await bot.start()
    await ivy.wait_for_message(room, says("Shall we start?"), timeout=30)
    await talk(ivy, room, "yes", "Is that OK?", wait=30)
    once_in_order(from_bot(ivy, bot.user_id, room), ["Shall we start?", "Is that OK?"])
    assert await bot.stop() == 0


async def test_a_reply_repeated_after_a_restart_is_shown_once(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start()
    jo = await matrix_person(encrypted=True)
    room = await jo.create_dm(bot.user_id, encrypted=True)
    await jo.wait_for_message(room, says("Shall we start?"), timeout=20)
    again = OutgoingMessage(room_id=RoomId(room), text="Said once, sent twice.",
                            delivery_id="storyloop-reply-test-twice")
    first = await bot.adapter.send(again)
    await bot.stop()  # as if killed before the outbox row was deleted
    bot = await matrix_bot.start()
    assert await bot.adapter.send(again) == first  # the homeserver knows the transaction
    await talk(jo, room, "yes", "Is that OK?")
    assert sum("sent twice" in b for b in from_bot(jo, bot.user_id, room)) == 1


async def test_a_reply_whose_homeserver_goes_away_arrives_once_when_it_is_back(
        synapse: Synapse, matrix_bot: BotFactory, matrix_person: PersonFactory,
        logs: LogWatch) -> None:
    bot = await matrix_bot.start()
    kit = await matrix_person()
    room = await kit.create_dm(bot.user_id, encrypted=False)
    await kit.wait_for_message(room, says("Shall we start?"), timeout=20)
    synapse.override_ratelimit(bot.user_id, messages_per_second=1, burst_count=1)
    for line in ("yes", "yes", SITUATION):
        await kit.send(room, line)
    await logs.wait_for(lambda m: m.startswith("rate limited in"))
    await asyncio.to_thread(synapse.stop)  # committed, waiting to send: the server goes
    assert await bot.store.pending_replies(PLATFORM) != []
    await asyncio.to_thread(synapse.start)
    synapse.delete_ratelimit_override(bot.user_id)
    for words in ("Is that OK?", "What's been happening?", "tried something"):
        await kit.wait_for_message(room, says(words), timeout=30)
    once_in_order(from_bot(kit, bot.user_id, room),
                  ["Shall we start?", "Is that OK?", "What's been happening?", "tried something"])


async def test_the_bot_is_back_within_seconds_of_a_long_homeserver_outage(
        synapse: Synapse, matrix_bot: BotFactory, matrix_person: PersonFactory,
        logs: LogWatch) -> None:
    matrix_bot.backoff = DEFAULT_BACKOFF  # as deployed
    bot = await matrix_bot.start()
    lea = await matrix_person()
    room = await lea.create_dm(bot.user_id, encrypted=False)
    await lea.wait_for_message(room, says("Shall we start?"), timeout=20)
    await asyncio.to_thread(synapse.stop)
    await logs.wait_for(lambda m: "not answering yet" in m, count=5)  # about 8 s down
    await asyncio.to_thread(synapse.start)
    back = time.monotonic()
    await talk(lea, room, "yes", "Is that OK?", wait=30)
    silence = time.monotonic() - back
    print(f"\nreplied {silence:.1f} s after the homeserver was back")
    assert silence < 5
    assert not bot.task.done()


def lock_out(person: Person, bot: AsyncClient) -> None:
    """The person's client stops sharing room keys with the bot's device (as a client that
    does not know the device yet would), from its next message on."""
    known(person, bot)
    device = person.client.device_store[bot.user_id][bot.device_id]
    person.client.blacklist_device(device)
    for room in person.client.rooms:
        assert person.client.olm is not None
        person.client.olm.rotate_outbound_group_session(room)


def known(person: Person, bot: AsyncClient) -> None:
    """The person's client has the bot's device, as if it had queried it (without a query
    of our own racing the one its sync loop makes)."""
    assert bot.olm is not None
    if bot.device_id not in person.client.device_store[bot.user_id]:
        person.client.device_store.add(OlmDevice(bot.user_id, bot.device_id,
                                                 dict(bot.olm.account.identity_keys)))


def let_in(person: Person, bot: AsyncClient) -> None:
    device = person.client.device_store[bot.user_id][bot.device_id]
    person.client.unblacklist_device(device)
    for room in person.client.rooms:
        assert person.client.olm is not None
        person.client.olm.rotate_outbound_group_session(room)


async def test_a_mid_story_message_that_cannot_be_decrypted_is_asked_for_again(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start(unreadable_after_seconds=1.0)
    client = bot.adapter.client
    assert client is not None
    mo = await matrix_person(encrypted=True)
    room = await mo.create_dm(bot.user_id, encrypted=True)
    await mo.wait_for_message(room, says("Shall we start?"), timeout=20)
    await talk(mo, room, "yes", "Is that OK?")
    lock_out(mo, client)
    await mo.send(room, "yes")
    await mo.wait_for_message(room, says(LOCKED), timeout=20)
    let_in(mo, client)
    await talk(mo, room, "yes", "What's been happening?")
    once_in_order(from_bot(mo, bot.user_id, room),
                  ["Shall we start?", "Is that OK?", LOCKED, "What's been happening?"])


async def test_an_opening_story_that_cannot_be_decrypted_is_asked_for_again(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    bot = await matrix_bot.start(unreadable_after_seconds=1.0)
    client = bot.adapter.client
    assert client is not None and client.olm is not None
    ned = await matrix_person(encrypted=True)
    known(ned, client)
    room = await ned.create_dm(bot.user_id, encrypted=True)
    lock_out(ned, client)
    await ned.send(room, SITUATION)
    await ned.wait_for_message(room, says(LOCKED), timeout=20)
    let_in(ned, client)
    await ned.send(room, SITUATION)
    reply = await ned.wait_for_message(room, lambda e: LOCKED not in e.body
                                       and "Shall we start?" not in e.body, timeout=20)
    assert reply.sender == bot.user_id
    assert sum(LOCKED in b for b in from_bot(ned, bot.user_id, room)) == 1
    assert await bot.store.list_stories() == []


async def test_a_message_held_for_its_key_is_not_forgotten_by_a_restart(
        matrix_bot: BotFactory, matrix_person: PersonFactory, logs: LogWatch) -> None:
    bot = await matrix_bot.start(unreadable_after_seconds=600.0)
    client = bot.adapter.client
    assert client is not None
    pia = await matrix_person(encrypted=True)
    room = await pia.create_dm(bot.user_id, encrypted=True)
    await pia.wait_for_message(room, says("Shall we start?"), timeout=20)
    lock_out(pia, client)
    await pia.send(room, "yes")
    await logs.wait_for(lambda m: m.startswith("cannot decrypt"))
    await bot.stop()
    bot = await matrix_bot.start(unreadable_after_seconds=1.0)
    await pia.wait_for_message(room, says(LOCKED), timeout=20)
    let_in(pia, client)
    await talk(pia, room, "yes", "Is that OK?")
    once_in_order(from_bot(pia, bot.user_id, room), ["Shall we start?", LOCKED, "Is that OK?"])
