"""The share-what-we-tried flow: it starts from an experiment."""

from __future__ import annotations

from storage.base import Store
from tests.conftest import Chat

TRIED = "We started a walking group for people waiting for knee surgery."


async def test_opening_with_an_attempt_starts_the_tried_flow(chat: Chat, store: Store) -> None:
    await chat.say(TRIED)
    assert "you've tried something" in chat.last_text
    await chat.script("yes", "yes")
    assert "What was it trying to fix?" in chat.last_text
    await chat.script("People lost strength while they waited months.",
                      "Most kept walking weekly.", "A room at the leisure centre.", "no",
                      "2", "skip", "staff", "quote")
    review = chat.last_text
    assert "What it was fixing: People lost strength" in review
    assert f"What was tried: {TRIED}" in review
    await chat.say("yes")
    [story] = await store.list_stories()
    assert story.flow == "tried" and story.tried == TRIED
    assert story.situation == "People lost strength while they waited months."
    assert story.tried_by is not None and story.tried_by.value == "my team"


async def test_saying_tried_asks_what_was_tried(chat: Chat, store: Store) -> None:
    await chat.script("tried", "yes", "yes")
    assert "What did you try?" in chat.last_text
    await chat.script("I printed the clinic map in large type.")
    assert "What was it trying to fix?" in chat.last_text
    await chat.script("People got lost.", "skip", "skip", "no", "skip", "skip", "citizen",
                      "none", "1")
    [story] = await store.list_stories()
    assert story.tried == "I printed the clinic map in large type."
    assert story.tried_by is not None and story.tried_by.value == "me"


async def test_declining_in_the_tried_flow_forgets_the_opening(chat: Chat, store: Store) -> None:
    await chat.script(TRIED, "yes", "no")
    loaded = await store.load_turn(chat.key, None)
    assert loaded.conversation is not None and loaded.conversation.answers == {}
