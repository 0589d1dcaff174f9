"""Long replies on Matrix: cut into notices that each fit in one event, and every word arrives.

The pure tests check the cutting; the Synapse tests send what ``contents_for`` gives through
the bot's own ``RoomSender`` to a person on a real Synapse, who must see every part, in order,
with nothing missing (and the single oversized event is refused, which is why).
"""

from __future__ import annotations

import asyncio
import html
import json
import random

import pytest
from nio import RoomSendError

from adapters.matrix.digest import digest_content, digest_contents
from adapters.matrix.limits import CONTENT_BYTES, split
from adapters.matrix.render import content_for, contents_for, plain
from adapters.matrix.send import RoomSender
from bot.app import App
from bot.core.errors import PlatformError
from bot.core.ports import Post
from bot.core.types import AuditEntry, Choice, OutgoingMessage, RoomId
from storage.base import Store
from tests.conftest import Chat

from .people import Person, PersonFactory

ROOM = RoomId("!r:localhost")
WORDS = ("waiting", "phone", "surgery", "caf\u00e9", "\U0001f60a", "<b>", "&", '"quoted"',
         "@room", "line\nbreak", "\u00e9l\u00e8ve")


def _text(chars: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    while sum(map(len, out)) < chars:
        out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 40))))
        out.append(rng.choice(("\n\n", "\n", " ")))
    return "".join(out)


def _size(content: dict[str, object]) -> int:
    return len(json.dumps(content, ensure_ascii=True, separators=(",", ":")))


def _words(text: str) -> list[str]:
    return text.replace("\u2060", "").split()


@pytest.mark.parametrize("chars", [10, 30_000, 120_000])
def test_every_part_fits_and_no_word_is_lost(chars: int) -> None:
    text = _text(chars)
    reply = OutgoingMessage(room_id=ROOM, text=text,
                            choices=(Choice(value="a", label="Yes"), Choice(value="b", label="No")))
    parts = contents_for(reply)
    assert all(_size(part) <= CONTENT_BYTES for part in parts)
    assert len(parts) == 1 if chars == 10 else len(parts) > 1
    bodies = [str(part["body"]) for part in parts]
    assert _words(" ".join(bodies)) == _words(plain(reply))
    assert all("<ol>" not in str(p["formatted_body"]) for p in parts[:-1])
    assert "<ol><li>Yes</li><li>No</li></ol>" in str(parts[-1]["formatted_body"])


def test_a_single_part_is_exactly_the_old_content() -> None:
    reply = OutgoingMessage(room_id=ROOM, text="Thank you. @room <b>hi</b>")
    assert contents_for(reply) == [content_for(reply)]


def test_cuts_between_paragraphs_before_lines_and_lines_before_words() -> None:
    cost = len
    assert split("aaaa\n\nbb\ncc", 6, cost) == ["aaaa", "bb\ncc"]
    assert split("aaaa bbbb\ncc dd", 9, cost) == ["aaaa bbbb", "cc dd"]
    assert split("aaaa bbbb cc", 9, cost) == ["aaaa bbbb", "cc"]


def test_a_word_longer_than_a_message_is_cut_between_characters() -> None:
    word = "\U0001f60a" * 9000 + "\u00e9" * 9000
    parts = contents_for(OutgoingMessage(room_id=ROOM, text=word))
    assert len(parts) > 1 and all(_size(p) <= CONTENT_BYTES for p in parts)
    assert "".join(str(p["body"]) for p in parts) == word


async def _review_of_32000_characters(app: App) -> OutgoingMessage:
    chat = Chat(app)
    long = [_text(6500, seed) for seed in range(5)]
    await chat.script("hi", "yes", "yes", long[0], long[1], long[2], long[3], "no",
                      "1, 3", long[4], "staff", "1, 3", "no")
    assert chat.last_text.startswith("Here's your story")
    assert sum(map(len, long)) >= 32_000
    return chat.last


async def _a_dm(matrix_person: PersonFactory, encrypted: bool) -> tuple[Person, Person, str]:
    bot, person = await matrix_person(encrypted=encrypted), await matrix_person(encrypted=encrypted)
    room = await person.create_dm(bot.user_id, encrypted=encrypted)
    await bot.join(room)
    await person.wait_for_join(room, bot.user_id)
    return bot, person, room


async def _received(person: Person, room: str, count: int) -> list[str]:
    return [str((await person.wait_for_message(room, timeout=30)).body) for _ in range(count)]


@pytest.mark.parametrize("encrypted", [False, True])
async def test_a_32000_character_review_reaches_the_person_in_full(
        app: App, matrix_person: PersonFactory, encrypted: bool) -> None:
    review = await _review_of_32000_characters(app)
    bot, person, room = await _a_dm(matrix_person, encrypted)
    sender = RoomSender(bot.client)
    if not encrypted:  # the reason for all this: one event that size is refused
        refused = await bot.client.room_send(room, "m.room.message", content_for(review))
        assert isinstance(refused, RoomSendError) and refused.status_code == "M_TOO_LARGE"
    parts = contents_for(review)
    for content in parts:
        await sender.send(room, content)
    bodies = await _received(person, room, len(parts))
    assert bodies == [p["body"] for p in parts]
    assert _words("\n".join(bodies)) == _words(str(content_for(review)["body"]))
    assert "1. Yes" in bodies[-1]


async def test_an_export_and_audit_500_reach_the_moderator_in_full(
        app: App, store: Store, matrix_person: PersonFactory) -> None:
    chat = Chat(app)
    await chat.script("hi", "yes", "yes", _text(20_000, 7), _text(20_000, 8))
    [export] = [r for r in await chat.say("export my data") if '"stories"' in r.text]
    assert _text(20_000, 8)[:2000] in export.text.replace("\\n", "\n").replace('\\"', '"')
    await asyncio.gather(*(store.audit(AuditEntry(
        at=app.clock.now(), actor="matrix:@moderator-with-a-long-name:example.org",
        action="hide", target=f"story #{n}", reason=f"entry {n}: {_text(120, n)}"))
        for n in range(500)))
    [audit] = await Chat(app, person="@mod:example.org", room="!mods:example.org").command(
        "audit 500")
    assert "entry 0:" in audit.text and "entry 499:" in audit.text
    bot, person, room = await _a_dm(matrix_person, encrypted=False)
    for reply in (export, audit):
        parts = contents_for(reply)
        assert len(parts) > 1
        for content in parts:
            await RoomSender(bot.client).send(room, content)
        bodies = await _received(person, room, len(parts))
        assert _words("\n".join(bodies)) == _words(reply.text)


async def test_the_sender_still_refuses_an_oversized_content_clearly(
        matrix_person: PersonFactory) -> None:
    bot, _, room = await _a_dm(matrix_person, encrypted=False)
    with pytest.raises(PlatformError):
        await RoomSender(bot.client).send(room, content_for(OutgoingMessage(
            room_id=ROOM, text=_text(70_000))))


def test_a_digest_too_long_for_one_event_is_posted_in_parts() -> None:
    names = ", ".join(f"Person {n} of the night team on ward {n % 40}" for n in range(2000))
    text = f"**People who acted**\n3 stories tell of someone who acted. Thank you, {names}."
    post = Post(7, text, f"<p>{html.escape(text)}</p>" * 2, b"", "")
    parts = digest_contents(post)
    assert len(parts) > 1 and all(_size(p) <= CONTENT_BYTES for p in parts)
    assert _words(" ".join(str(p["body"]) for p in parts)) == _words(text)
    short = Post(8, "1 story this week.", "<p>1 story this week.</p>", b"", "")
    assert digest_contents(short) == [digest_content(short)]
