"""People's data stays theirs: pseudonyms only, their stories on request, erased on request."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.config import PrivacyConfig
from bot.features.retention import apply_retention
from storage.base import Store
from storage.sqlite import SQLiteStore
from tests.conftest import Chat
from tests.test_cli import SCRIPT, storyloop

FINISH = ["hi", "yes", "yes", "Our ward's handovers kept missing allergies.",
          "We started a two-minute huddle at every shift change.", "skip", "skip", "no",
          "skip", "skip", "staff", "none", "yes"]


async def test_my_stories_lists_what_is_kept(chat: Chat) -> None:
    await chat.say("my stories")
    assert chat.last_text == "I don't keep any stories from you."
    await chat.script(*FINISH)
    await chat.say("my stories")
    assert ("(waiting for a moderator): Our ward's handovers kept missing allergies."
            in chat.last_text)


async def test_my_stories_shows_a_story_told_in_several_lines_on_one(chat: Chat) -> None:
    told = [*FINISH[:3], "Handovers kept missing allergies.\n\nNight staff were tired.",
            *FINISH[4:]]
    await chat.script(*told)
    await chat.say("my stories")
    assert ("(waiting for a moderator): Handovers kept missing allergies. Night staff were "
            "tired.\n") in chat.last_text


async def test_asking_mid_story_answers_then_repeats_the_question(chat: Chat) -> None:
    await chat.script("hi", "yes", "yes", "my stories")
    assert chat.replies[-2].text == "I don't keep any stories from you."
    assert "What's been happening?" in chat.last_text


async def test_export_my_data_sends_everything_without_platform_ids(chat: Chat) -> None:
    await chat.script(*FINISH, "hi", "yes", "yes", "A second story in progress.")
    await chat.say("export my data")
    text = chat.replies[-2].text
    data = json.loads(text[text.index("{"):])
    assert data["stories"][0]["tried"] == "We started a two-minute huddle at every shift change."
    assert data["conversation_in_progress"]["situation"] == "A second story in progress."
    assert "alice" not in text and chat.pseudonym not in text


async def test_forget_me_asks_first_and_keeping_changes_nothing(chat: Chat,
                                                              store: Store) -> None:
    await chat.script(*FINISH, "forget me")
    assert "can't be undone" in chat.last_text
    await chat.say("no")
    assert chat.last_text == "OK, nothing was erased."
    assert len(await store.list_stories()) == 1


async def test_forget_me_erases_everything_and_moderators_see_only_that_it_happened(
        chat: Chat, store: Store) -> None:
    await chat.script(*FINISH, "hi", "yes", "yes", "Something half told.", "forget me", "yes")
    assert chat.last_text.startswith("Done. I've erased 1 story")
    assert await store.list_stories() == []
    assert (await store.load_turn(chat.key, None)).conversation is None
    [entry] = await store.audit_entries()
    assert (entry.actor, entry.action, entry.target, entry.reason) == (
        "storyteller", "erasure", None, None)
    await chat.say("hello")
    assert "Shall we start?" in chat.last_text


async def test_forget_me_leaves_no_row_that_links_to_the_person(
        chat: Chat, sqlite_store: SQLiteStore) -> None:
    chat.app.store = sqlite_store
    await chat.script(*FINISH, "forget me", "yes")
    with sqlite3.connect(sqlite_store.path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dump = "\n".join(db.iterdump())
    assert "conversations" in tables
    for needle in (chat.pseudonym, chat.person, "handovers", "huddle"):
        assert needle not in dump, [line for line in dump.splitlines() if needle in line]


async def test_platform_ids_are_never_stored(chat: Chat, sqlite_store: SQLiteStore) -> None:
    chat.app.store = sqlite_store
    await chat.script(*FINISH)
    with sqlite3.connect(sqlite_store.path) as db:
        dump = "\n".join(db.iterdump())
    assert chat.person not in dump and "alice" not in dump
    assert chat.pseudonym in dump


def test_forget_me_in_the_terminal(tmp_path: Path) -> None:
    config = tmp_path / "storyloop.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "stories.db"}"\n')
    storyloop("--config", str(config), "chat", "--as", "sam", stdin="\n".join(SCRIPT) + "\n")
    chat = storyloop("--config", str(config), "chat", "--as", "sam",
                     stdin="my stories\nforget me\nyes\n")
    assert "(waiting for a moderator): Our ward's handovers" in chat.stdout
    assert "I've erased 1 story" in chat.stdout
    assert "0 stories" in storyloop("--config", str(config), "stories").stdout
    with sqlite3.connect(tmp_path / "stories.db") as db:
        assert "handovers" not in "\n".join(db.iterdump())


async def test_retention_anonymises_old_stories_and_clears_old_conversations(
        chat: Chat, store: Store, clock: FakeClock) -> None:
    await chat.script(*FINISH)
    clock.advance(days=40)
    await chat.script("hi", "yes", "yes", "Something half told.")
    clock.advance(days=40)
    privacy = PrivacyConfig(retention_days=60)
    assert await apply_retention(store, privacy, clock) == 1
    [story] = await store.list_stories()
    assert story.participant != chat.pseudonym and story.place is None
    assert story.situation.startswith("Our ward's handovers")  # the words stay, unlinked
    assert await store.stories_of(chat.key.platform, chat.pseudonym) == []
    assert (await store.load_turn(chat.key, None)).conversation is not None  # 40 days: kept
    assert await apply_retention(store, privacy, clock) == 0  # idempotent
    [entry, _] = await store.audit_entries()
    assert (entry.action, entry.target) == ("retention: anonymise", "0 stories")


async def test_retention_can_delete_instead(chat: Chat, store: Store, clock: FakeClock) -> None:
    await chat.script(*FINISH)
    clock.advance(days=31)
    assert await apply_retention(store, PrivacyConfig(retention_days=30, retention="delete"),
                                 clock) == 1
    assert await store.list_stories() == []
    assert (await store.load_turn(chat.key, None)).conversation is None


async def test_the_review_shows_redactions_before_anything_is_stored(
        chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes", "yes",
                      "Dr Patel at SW1A 1AA lost my referral; ring me on 07700 900123.",
                      "nobody has tried anything", "skip", "no", "skip", "skip", "citizen",
                      "none")
    review = chat.last_text
    assert "Dr [name removed] at [postcode removed] lost my referral; ring me on " \
           "[phone removed]." in review
    assert "I've hidden details that could identify someone" in review
    assert "Patel" not in review and "07700" not in review
    assert await store.list_stories() == []  # nothing stored until they say send


def test_exports_and_listings_are_redacted_and_have_no_platform_ids(tmp_path: Path) -> None:
    config = tmp_path / "storyloop.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "stories.db"}"\n')
    script = list(SCRIPT)
    script[3] = "Nurse Okafor's number 07700 900123 was on the ward board."
    storyloop("--config", str(config), "chat", "--as", "sam", stdin="\n".join(script) + "\n")
    for output in (storyloop("--config", str(config), "export").stdout,
                   storyloop("--config", str(config), "export", "--format", "csv").stdout,
                   storyloop("--config", str(config), "stories").stdout):
        assert "[phone removed]" in output and "07700" not in output
        assert "Okafor" not in output and "sam" not in output and "p-" not in output
