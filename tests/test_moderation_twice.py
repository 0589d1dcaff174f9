"""A button pressed twice (or two moderators at once) acts once: one audit entry, one message
to the teller, one post per staff room; the second press hears it was done already. And
every reply names commands as they are typed on the moderator's platform."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config, DigestConfig, MatrixConfig, SlackConfig
from bot.core.types import (
    EventId,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
    Platform,
    RoomId,
    UserId,
)
from bot.features.digest.desk import DigestDesk
from storage.base import Store
from tests.conftest import PSEUDONYMS, Chat
from tests.test_digests import STAFF, Staff, desk, tell
from tests.test_moderation import moderator, told

TEST = Platform("test")


def _delivered(app: App) -> list[OutgoingMessage]:
    delivered: list[OutgoingMessage] = []

    async def deliver(message: OutgoingMessage) -> None:
        delivered.append(message)

    app.senders[TEST] = deliver
    return delivered


async def _actions(store: Store) -> list[str]:
    return [f"{e.action} {e.target}" for e in await store.audit_entries(100)]


async def test_approve_twice_approves_once_and_tells_the_teller_once(
        app: App, chat: Chat, store: Store) -> None:
    delivered = _delivered(app)
    await told(chat, consent="contact")
    [first] = await moderator(app).command("story approve 1")
    [second] = await moderator(app).command("story approve #1")
    assert first.text == "Story #1 is approved. Its teller has been told."
    assert second.text == "Story #1 is already approved; nothing changed."
    assert await _actions(store) == ["approve story #1"]
    assert [m.room_id for m in delivered] == [chat.room]


async def test_two_approvals_at_once_count_once(app: App, chat: Chat, store: Store) -> None:
    delivered = _delivered(app)
    await told(chat, consent="contact")
    replies = await asyncio.gather(*(moderator(app).command("story approve 1")
                                     for _ in range(3)))
    texts = sorted(reply.text for [reply] in replies)
    assert texts == ["Story #1 is already approved; nothing changed."] * 2 + [
        "Story #1 is approved. Its teller has been told."]
    assert await _actions(store) == ["approve story #1"]
    assert len(delivered) == 1


async def test_hide_twice_hides_once(app: App, chat: Chat, store: Store) -> None:
    await told(chat)
    mod = moderator(app)
    await mod.command("story hide 1 names a colleague")
    [again] = await mod.command("story hide 1 names a colleague")
    assert again.text == "Story #1 is already hidden; nothing changed."
    assert await _actions(store) == ["hide story #1"]


async def test_digest_approve_twice_posts_once(app: App, clock: FakeClock, store: Store) -> None:
    staff = Staff()
    desk(app, clock, staff)
    await tell(app, "@p1:x", "Phones engaged all morning")
    mod = moderator(app)
    await mod.command("story approve 1")
    await mod.command("digest draft")
    replies = await asyncio.gather(*(mod.command("digest approve") for _ in range(2)))
    [again] = await mod.command("digest approve")
    texts = [*sorted(reply.text for [reply] in replies), again.text]
    assert texts == ["Digest #1 is already approved; nothing changed. Say digest draft to "
                     "start the next one.",
                     "Digest #1 is approved: 1 story, posted to 2 of 2 staff rooms.",
                     "Digest #1 is already approved; nothing changed. Say digest draft to "
                     "start the next one."]
    assert [room for room, _ in staff.posts] == list(STAFF)
    assert (await _actions(store)).count("digest approve digest #1") == 1


# Commands named as typed on each platform
MATRIX, SLACK = Platform("matrix"), Platform("slack")
MATRIX_MODS, SLACK_MODS = RoomId("!mods:localhost"), RoomId("C0MODS0001")


def _platform_app(store: Store, clock: FakeClock) -> App:
    config = Config(matrix=MatrixConfig(homeserver="http://127.0.0.1:1", user_id="@bot:localhost",
                                        command_prefix="!"),
                    slack=SlackConfig())
    return compose(config, store, clock=clock, pseudonymise=PSEUDONYMS,
                   moderators=[(MATRIX, UserId("@mod:localhost")), (SLACK, UserId("U0MOD"))]).app


async def test_a_notice_names_the_command_as_typed_on_each_platform(
        store: Store, clock: FakeClock) -> None:
    app = _platform_app(store, clock)
    sent: list[OutgoingMessage] = []

    async def send(message: OutgoingMessage) -> None:
        sent.append(message)

    app.senders[MATRIX] = app.senders[SLACK] = send
    assert app.commands is not None
    made = DigestDesk(store, clock, DigestConfig(), {},
                      {MATRIX: (MATRIX_MODS,), SLACK: (SLACK_MODS,)}, app.senders)
    made.register(app.commands)
    await tell(app, "@p1:x", "Phones engaged all morning")
    await made.notify_new_stories()
    by_room = {m.room_id: m.text for m in sent}
    assert by_room == {
        MATRIX_MODS: "1 new story is waiting for a moderator. Say !stories pending to see it.",
        SLACK_MODS: "1 new story is waiting for a moderator. Say /storyloop stories pending "
                    "to see it."}


async def test_usage_replies_name_the_command_as_typed_there(
        store: Store, clock: FakeClock) -> None:
    app = _platform_app(store, clock)

    async def command(platform: Platform, user: str, text: str) -> str:
        [reply] = await app.handle(IncomingMessage(
            platform=platform, room_id=RoomId("!mods"), sender_id=UserId(user),
            event_id=EventId(f"$c{text}{user}"), text=text, is_direct=False, timestamp=clock.now(),
            kind=MessageKind.COMMAND))
        return reply.text

    assert await command(MATRIX, "@mod:localhost", "stories") == (
        "Try: !stories pending, or !stories search <words>.")
    assert await command(SLACK, "U0MOD", "stories") == (
        "Try: /storyloop stories pending, or /storyloop stories search <words>.")
