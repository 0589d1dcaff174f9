"""Safety over flow: a person who may be at risk is helped at once, whatever the question."""

from __future__ import annotations

from bot.app import App
from bot.core.types import ConversationStatus, Platform, RoomId
from storage.base import Store
from tests.conftest import Chat
from tests.test_cli import SCRIPT, storyloop

AT_RISK = "Honestly I don't see the point any more."


async def test_a_person_at_risk_gets_help_at_once_and_the_story_waits(
        chat: Chat, app: App, store: Store) -> None:
    app.alert_rooms = {Platform("test"): (RoomId("!moderators"),)}
    await chat.script("hi", "yes", "yes")
    replies = await chat.say(AT_RISK)
    help_, offer, alert = replies
    assert "116 123" in help_.text and "999" in help_.text and "111" in help_.text
    assert help_.room_id == chat.room
    assert "no rush" in offer.text and [c.label for c in offer.choices] == [
        "Carry on with my story", "Stop here for now"]
    assert "If I've misread you" in offer.text and "kept what you wrote" in offer.text
    assert alert.room_id == "!moderators" and "point" not in alert.text
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None and conversation.status is ConversationStatus.PAUSED
    assert conversation.answers.get("situation") is None


async def test_carrying_on_after_help_keeps_their_words_in_a_story_never_for_digests(
        chat: Chat, store: Store) -> None:
    """A misreading must not lose what someone wrote: "carry on" makes it their answer."""
    await chat.script("hi", "yes", "yes", AT_RISK, "carry on")
    assert "tried something" in chat.last_text
    await chat.script("nobody has tried anything", "skip", "no", "skip", "skip", "citizen",
                      "1", "yes")
    [story] = await store.list_stories()
    assert story.safeguarding == "suicide" and story.situation == AT_RISK


async def test_words_said_before_consent_are_not_kept_at_a_safeguarding_reply(
        chat: Chat, store: Store) -> None:
    await chat.script("hi", AT_RISK)
    assert "If I've misread you" not in chat.last_text
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None and AT_RISK not in str(conversation.answers)


async def test_stopping_after_help_keeps_the_story_paused(chat: Chat) -> None:
    await chat.script("hi", "yes", "yes", AT_RISK, "stop here")
    assert "Take care of yourself" in chat.last_text


async def test_look_alikes_do_not_interrupt_the_story(chat: Chat) -> None:
    await chat.script("hi", "yes", "yes")
    await chat.say("This new process is killing me with paperwork.")
    assert "tried something" in chat.last_text


def test_the_terminal_shows_help_in_the_same_turn(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    config = tmp_path / "storyloop.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "s.db"}"\n')
    script = [*SCRIPT[:3], AT_RISK]
    out = storyloop("--config", str(config), "chat", "--as", "sam",
                    stdin="\n".join(script) + "\n").stdout
    after = out[out.index(f"> {AT_RISK}"):]
    assert "116 123" in after and "no rush" in after


async def test_asking_for_someone_to_talk_to_after_help_gets_the_numbers_again(
        chat: Chat, store: Store) -> None:
    """Found in a tuning set: "i need to talk to someone" got "Sorry, I didn't follow"."""
    await chat.script("hi", "yes", "yes", AT_RISK)
    numbers, offer = (await chat.say("i need to talk to someone"))[-2:]
    assert "116 123" in numbers.text and "999" in numbers.text
    assert "no rush" in offer.text and [c.label for c in offer.choices] == [
        "Carry on with my story", "Stop here for now"]
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None and conversation.status is ConversationStatus.PAUSED
