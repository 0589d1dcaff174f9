"""Consent first, really: a first message is never written to disk before the person agrees
to their story being kept, and after a restart they are simply asked again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config
from storage.base import Store
from storage.open import open_store
from tests.conftest import PSEUDONYMS, Chat

OPENING = ("They lost my referral twice. My NHS number is 943 476 5919, ring me on "
           "07700 900123 or jo.bloggs@example.com")
SECRETS = ("943 476 5919", "07700 900123", "jo.bloggs@example.com", "lost my referral")


@pytest.fixture
async def on_disk(tmp_path: Path) -> AsyncIterator[tuple[Store, Path]]:
    path = tmp_path / "first.db"
    store = open_store(f"sqlite:///{path}")
    await store.open()
    yield store, path
    await store.close()


def new_app(store: Store) -> App:
    return compose(Config(), store, clock=FakeClock(), pseudonymise=PSEUDONYMS).app


def on_disk_text(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_the_opening_is_never_on_disk_before_consent(on_disk: tuple[Store, Path]) -> None:
    store, path = on_disk
    chat = Chat(new_app(store))
    await chat.script(OPENING, "yes")
    assert "Is that OK?" in chat.last_text
    written = on_disk_text(path)
    assert not [s for s in SECRETS if s.encode() in written]
    await chat.say("yes")
    assert "You started by telling me" in chat.last_text and "943 476 5919" in chat.last_text
    await chat.say("yes")
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None and conversation.answers["situation"] == OPENING


async def test_a_story_sent_in_two_bits_before_consent_is_held_whole_and_never_on_disk(
        on_disk: tuple[Store, Path]) -> None:
    """Found in a terminal: the second bit, at the consent question, got "Sorry, I didn't
    follow"."""
    store, path = on_disk
    chat = Chat(new_app(store))
    more = "Then they sent the letter to my old address and I missed it, 943 476 5919"
    await chat.script(OPENING, "yes", more)
    assert chat.replies[-2].text.startswith("Thank you for telling me. I'll hold on to that")
    assert "Is that OK?" in chat.last_text
    assert b"old address" not in on_disk_text(path)
    await chat.say("yes")
    assert "You started by telling me" in chat.last_text and "old address" in chat.last_text
    await chat.say("yes")
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None
    assert conversation.answers["situation"] == f"{OPENING}\n\n{more}"


async def test_after_a_restart_the_person_is_asked_again(on_disk: tuple[Store, Path]) -> None:
    store, _ = on_disk
    await Chat(new_app(store)).say(OPENING)
    again = Chat(new_app(store))  # the bot restarted: nothing held in memory survives
    await again.script("yes", "yes")
    assert again.last_text == "Thank you. What's been happening? Tell it in your own words."


async def test_declining_leaves_nothing_held(on_disk: tuple[Store, Path]) -> None:
    store, path = on_disk
    app = new_app(store)
    chat = Chat(app)
    await chat.script(OPENING, "yes", "no thanks")
    assert "Nothing you've said has been kept" in chat.last_text
    assert not [s for s in SECRETS if s.encode() in on_disk_text(path)]
    assert len(app.held) == 0
