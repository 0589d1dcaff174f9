"""Delivery from the reply outbox, through the App as every adapter uses it, on both stores:
each reply reaches the person once and in order, through outages, refusals and a crash
between the commit and the send. The platform here is a stand-in that shows each message
once per delivery id, as a Matrix homeserver does with transaction ids."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config
from bot.core.errors import PlatformError, Unreachable
from bot.core.types import OutgoingMessage, Platform
from bot.features.outbox import MAX_REFUSALS, Retry
from storage.base import Store
from storage.sqlite import SQLiteStore

from .conftest import PSEUDONYMS, Chat

TEST = Platform("test")
FAST = Retry(first=0.01, most=0.02)
STORY = "The surgery phone line is engaged from 8am every Monday and people give up."


class Platform_:
    """What people see: each message once per delivery id. ``down`` refuses to connect;
    ``refusing`` names rooms whose messages are refused outright."""

    def __init__(self) -> None:
        self.shown: list[OutgoingMessage] = []
        self.attempts: dict[str, int] = {}
        self.down = False
        self.refusing: set[str] = set()
        self.held = asyncio.Event()
        self.held.set()
        self.tried = asyncio.Event()
        """Set at each attempt to send."""

    async def send(self, reply: OutgoingMessage) -> str:
        assert reply.delivery_id is not None
        self.attempts[reply.delivery_id] = self.attempts.get(reply.delivery_id, 0) + 1
        self.tried.set()
        await self.held.wait()
        if self.down:
            raise Unreachable("connection refused")
        if reply.room_id in self.refusing:
            raise PlatformError("M_FORBIDDEN: not in the room")
        if all(s.delivery_id != reply.delivery_id for s in self.shown):
            self.shown.append(reply)
        return f"${len(self.shown)}"

    def texts(self, room: str = "!dm:example.org") -> list[str]:
        return [s.text for s in self.shown if s.room_id == room]


def attached(app: App) -> Platform_:
    platform = Platform_()
    app.delivery.retry = FAST
    app.delivery.attach(TEST, platform.send)
    return platform


async def test_replies_are_sent_from_the_outbox_once_in_order(app: App, chat: Chat) -> None:
    platform = attached(app)
    returned = [r.text for line in ("hi", "yes", "yes", STORY) for r in await chat.say(line)]
    await app.delivery.idle()
    assert platform.texts() == returned and len(returned) == 4
    assert await app.store.pending_replies(TEST) == []


async def test_replies_wait_out_an_outage_and_arrive_in_order(app: App, chat: Chat) -> None:
    platform = attached(app)
    platform.down = True
    returned = [r.text for line in ("hi", "yes", "yes") for r in await chat.say(line)]
    assert platform.texts() == []
    assert [r.message.text for r in await app.store.pending_replies(TEST)] == returned
    await platform.tried.wait()
    platform.down = False
    await app.delivery.resume(TEST)
    await app.delivery.idle()
    assert platform.texts() == returned
    assert len(platform.attempts) == len(returned)  # each retry carried the same delivery id
    assert sum(platform.attempts.values()) > len(returned)


async def test_a_crash_after_the_commit_loses_no_reply(sqlite_store: SQLiteStore,
                                                       tmp_path: Path) -> None:
    """The turn is committed and the reply is being sent when the process dies; the next
    process sends it, and the person sees it once."""
    first = bot(sqlite_store)
    platform = attached(first)
    await Chat(first).say("hi")
    await first.delivery.idle()
    platform.held.clear()  # the next send hangs, as a homeserver that does not answer
    platform.tried.clear()
    chat = Chat(first)
    answered = [r.text for r in await chat.say("yes")]
    await platform.tried.wait()  # the send has begun
    await first.delivery.detach(TEST)  # and the process dies
    await sqlite_store.close()
    store = SQLiteStore(tmp_path / "stories.db")
    await store.open()
    try:
        second = bot(store)
        second.delivery.retry = FAST
        second.delivery.attach(TEST, platform.send)
        platform.held.set()
        await second.delivery.resume(TEST)
        await second.delivery.idle()
        assert platform.texts()[-len(answered):] == answered
        assert len(platform.texts()) == len(set(platform.texts()))
        assert 2 in platform.attempts.values()  # sent again after the crash, shown once
        assert await store.pending_replies(TEST) == []
    finally:
        await store.close()


async def test_forget_me_erases_replies_not_yet_sent(app: App, chat: Chat) -> None:
    platform = attached(app)
    platform.down = True
    await chat.script("hi", "yes", "yes", STORY, "back", "forget me")
    assert any("engaged from 8am" in r.message.text
               for r in await app.store.pending_replies(TEST))
    [erased] = await chat.say("yes")
    assert [r.message.text for r in await app.store.pending_replies(TEST)] == [erased.text]
    platform.down = False
    await app.delivery.resume(TEST)
    await app.delivery.idle()
    assert platform.texts() == [erased.text]


async def test_a_refused_reply_is_dropped_and_the_room_carries_on(app: App, chat: Chat) -> None:
    platform = attached(app)
    platform.refusing.add(str(chat.room))
    refused = [r.text for r in await chat.say("hi")]
    await app.delivery.idle()
    assert platform.texts() == [] and await app.store.pending_replies(TEST) == []
    assert set(platform.attempts.values()) == {MAX_REFUSALS}
    platform.refusing.clear()
    answered = [r.text for r in await chat.say("yes")]
    await app.delivery.idle()
    assert platform.texts() == answered and answered != refused


async def test_a_platform_not_attached_gets_its_replies_back_and_nothing_is_queued(
        app: App, chat: Chat) -> None:
    assert await chat.say("hi")
    assert await app.store.pending_replies(TEST) == []


async def test_group_offers_and_commands_go_through_the_outbox_too(app: App) -> None:
    platform = attached(app)
    group = Chat(app, room="!group:example.org")
    offer = group.message("can I tell you something?").model_copy(update={"is_direct": False})
    [reply] = await app.handle(offer)
    [status] = await group.command("status")
    await app.delivery.idle()
    assert platform.texts("!group:example.org") == [reply.text, status.text]


def bot(store: Store) -> App:
    return compose(Config(), store, clock=FakeClock(), pseudonymise=PSEUDONYMS).app
