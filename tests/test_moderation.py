"""Moderators act on stories by command; every action is audited; others are refused."""

from __future__ import annotations

from bot.app import App
from bot.core.types import OutgoingMessage, Platform, StoryStatus
from storage.base import Store
from tests.conftest import MODERATOR, Chat

STORY = ["hi", "yes", "yes", "Dr Jones on ward 7 never reads the notes, 07700 900123.",
         "We started a two-minute huddle.", "skip", "skip", "no", "2", "skip", "staff"]


async def told(chat: Chat, consent: str = "none", introduce: str = "no") -> None:
    await chat.script(*STORY)
    await chat.agree(consent, introduce)
    await chat.say("yes")


def moderator(app: App) -> Chat:
    return Chat(app, person=MODERATOR, room="!moderators:example.org")


async def test_a_moderator_lists_shows_and_approves_stories(app: App, chat: Chat,
                                                          store: Store) -> None:
    await told(chat)
    mod = moderator(app)
    [listing] = await mod.command("stories pending")
    assert "Waiting for a moderator (1):" in listing.text and "#1 [pending]" in listing.text
    assert "07700" not in listing.text and "[phone removed]" in listing.text
    [shown] = await mod.command("story show 1")
    assert "What was tried (my team): We started a two-minute huddle." in shown.text
    assert "They agreed to: nothing beyond keeping it" in shown.text
    assert "Jones" not in shown.text and chat.pseudonym not in shown.text
    [done] = await mod.command("story approve 1")
    assert done.text == "Story #1 is approved."
    [story] = await store.list_stories()
    assert story.status is StoryStatus.APPROVED


async def test_hiding_needs_a_reason_and_is_audited(app: App, chat: Chat, store: Store) -> None:
    await told(chat)
    mod = moderator(app)
    [ask] = await mod.command("story hide 1")
    assert ask.text == "Please give a reason: story hide 1 <reason>."
    await mod.command("story hide 1 names a member of staff")
    [story] = await store.list_stories()
    assert story.status is StoryStatus.HIDDEN
    [audit] = await mod.command("audit")
    assert "@mod:example.org: hide story #1 (names a member of staff)" in audit.text


async def test_redact_replaces_text_everywhere_it_appears(app: App, chat: Chat,
                                                         store: Store) -> None:
    await told(chat)
    mod = moderator(app)
    [done] = await mod.command('story redact 1 "ward 7" -> "a ward"')
    assert done.text == "Redacted story #1 in 1 place."
    [story] = await store.list_stories()
    assert "a ward" in story.situation and "ward 7" not in story.situation
    [missing] = await mod.command('story redact 1 "nowhere" -> "x"')
    assert "does not contain that text" in missing.text


async def test_search_finds_stories_by_words(app: App, chat: Chat) -> None:
    await told(chat)
    mod = moderator(app)
    [found] = await mod.command("stories search huddle")
    assert "Stories mentioning \u201chuddle\u201d (1)" in found.text
    [none] = await mod.command("stories search parking")
    assert none.text.endswith(": none.")


async def test_people_who_are_not_moderators_are_refused_and_nothing_changes(
        chat: Chat, store: Store) -> None:
    await told(chat)
    [refused] = await chat.command("story approve 1")
    assert refused.text.startswith("Sorry, only moderators can use \u201cstory\u201d")
    [story] = await store.list_stories()
    assert story.status is StoryStatus.PENDING
    assert await store.audit_entries() == []


async def test_a_storyteller_who_agreed_hears_when_their_story_is_approved(
        app: App, chat: Chat) -> None:
    delivered: list[OutgoingMessage] = []

    async def deliver(message: OutgoingMessage) -> None:
        delivered.append(message)

    app.senders[Platform("test")] = deliver
    await told(chat, consent="contact")
    [done] = await moderator(app).command("story approve 1")
    assert done.text == "Story #1 is approved. Its teller has been told."
    [note] = delivered
    assert note.room_id == chat.room and "approved the story you shared" in note.text


async def test_unknown_story_numbers_get_a_clear_answer(app: App) -> None:
    [reply] = await moderator(app).command("story show 99")
    assert reply.text == "There is no story #99."
    [reply] = await moderator(app).command("story frobnicate 1")
    assert reply.text.startswith("Try: story show N")
