"""What the adapter takes from Slack and what it leaves: bots, edits, deletions, mentions in
channels, stale or doubled button presses, /story, Slack errors and missing secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.slack import STORY_ACK, SlackAdapter
from bot.compose import compose
from bot.core.config import Config, SlackConfig, StorageConfig
from bot.core.errors import ConfigError, PlatformError
from storage.open import open_store
from tests.slack.conftest import RunningBot, StartBot
from tests.slack.payloads import BOT_USER_ID, JsonDict, event_ts, message_event
from tests.slack.people import Person
from tests.slack.standin import BOT_ID, SlackStandIn

HttpPerson = Callable[[RunningBot], Person]
SocketPerson = Callable[[], Person]
CHANNEL = "C0GENERAL1"


def deleted(person: Person, message: JsonDict) -> JsonDict:
    ts = event_ts()
    return {"type": "message", "subtype": "message_deleted", "hidden": True,
            "channel": person.dm, "channel_type": "im", "ts": ts, "event_ts": ts,
            "deleted_ts": message["ts"], "previous_message": dict(message)}


def edited(person: Person, ts: str, text: str) -> JsonDict:
    now = event_ts()
    new = {"type": "message", "user": person.user, "text": text, "ts": ts,
           "edited": {"user": person.user, "ts": now}}
    return {"type": "message", "subtype": "message_changed", "hidden": True,
            "channel": person.dm, "channel_type": "im", "ts": now, "event_ts": now,
            "message": new}


async def test_a_mention_in_a_channel_is_offered_a_direct_message_in_its_thread(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    mention = await person.mentions_bot(CHANNEL, "I have a story about our ward")
    [post] = await slack_standin.wait_for_calls("chat.postMessage")
    assert post.args["channel"] == CHANNEL and post.args["thread_ts"] == mention["ts"]
    assert "send me a direct message" in post.args["text"]


async def test_messages_from_bots_are_ignored(
        start_bot: StartBot, http_person: HttpPerson) -> None:
    person = http_person(await start_bot("http"))
    own = message_event(BOT_USER_ID, person.dm, "Shall we start?", bot_id=BOT_ID)
    other = message_event("U0OTHERBOT", person.dm, "beep", subtype="bot_message",
                          bot_id="B0OTHER")
    updated = edited(person, event_ts(), "\u2713 Yes")  # how our own chat.update comes back
    updated["message"] |= {"user": BOT_USER_ID, "bot_id": BOT_ID}
    for event in (own, other, updated):
        await person.deliver(event)
    await person.says("hi")
    texts = await person.wait_for_replies(1)
    assert len(texts) == 1 and "Shall we start?" in texts[0]


async def test_deleting_an_answer_takes_it_back(
        start_bot: StartBot, http_person: HttpPerson) -> None:
    person = http_person(await start_bot("http"))
    for n, text in enumerate(("hi", "yes", "yes", "The phones are engaged all Monday."), 1):
        said = await person.says(text)
        await person.wait_for_replies(n)
    await person.deliver(deleted(person, said))
    texts = await person.wait_for_replies(6)
    assert "taken out the message you deleted" in texts[4]
    assert texts[5] == texts[3]  # and asks again where we are


async def test_deleting_the_bots_message_is_ignored(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    await person.says("hi")
    await person.wait_for_replies(1)
    await person.deliver(deleted(person, slack_standin.messages(person.dm)[0]))
    await person.says("yes")
    assert len(await person.wait_for_replies(2)) == 2


async def test_an_edit_counts_only_for_a_message_not_yet_handled(
        start_bot: StartBot, http_person: HttpPerson) -> None:
    person = http_person(await start_bot("http"))
    hi = await person.says("hi")
    await person.wait_for_replies(1)
    await person.deliver(edited(person, hi["ts"], "hello"))  # already answered: ignored
    late_ts = event_ts()
    await person.deliver(edited(person, late_ts, "yes"))  # its original never arrived
    await person.says("nope", ts=late_ts)  # ...until now: the same message, already handled
    await person.says("yes")
    texts = await person.wait_for_replies(3)
    assert len(texts) == 3
    assert "Before you tell me anything" in texts[1] and "What's been happening?" in texts[2]


async def test_a_press_on_a_question_that_has_moved_on_is_not_an_answer(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    await person.says("hi")
    await person.wait_for_replies(1)
    await person.says("yes")  # typed, so the greeting's buttons are stale
    await person.wait_for_replies(2)
    first = slack_standin.messages(person.dm)[0]
    await person.presses("Not now", message=first)
    await person.presses("Yes, that's OK")

    texts = await person.wait_for_replies(3)
    assert len(texts) == 3 and "What's been happening?" in texts[2]
    assert [b["type"] for b in slack_standin.messages(person.dm)[0]["blocks"]] == ["section"]


async def test_a_double_press_is_one_answer(
        start_bot: StartBot, socket_person: SocketPerson, slack_standin: SlackStandIn) -> None:
    await start_bot("socket")
    person = socket_person()
    await person.says("hi")
    await person.wait_for_replies(1)
    greeting = slack_standin.messages(person.dm)[0]
    await person.presses("Yes, let's start", message=greeting)
    await person.presses("Yes, let's start", message=greeting)
    await person.wait_for_replies(2)  # the consent question, before its button is pressed
    await person.presses("Yes, that's OK")
    texts = await person.wait_for_replies(3)
    assert len(texts) == 3 and "What's been happening?" in texts[2]


async def test_story_opens_the_direct_message_and_says_hello_there(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    ack = await person.slash("/story", channel=CHANNEL)
    [opened] = await slack_standin.wait_for_calls("conversations.open")
    [hello] = await person.wait_for_replies(1)
    assert STORY_ACK in ack and opened.args["users"] == person.user
    assert "Shall we start?" in hello
    await person.slash("/story", channel=CHANNEL)  # a conversation is under way: no new hello
    await person.says("yes")
    assert len(await person.wait_for_replies(2)) == 2


async def test_a_reply_refused_for_its_blocks_is_posted_as_plain_text(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn,
        caplog: pytest.LogCaptureFixture) -> None:
    person = http_person(await start_bot("http"))
    slack_standin.expect_refusals = True
    slack_standin.error_next("chat.postMessage", "invalid_blocks")
    with caplog.at_level(logging.ERROR, logger="adapters.slack"):
        await person.says("hi")
        [hello] = await person.wait_for_replies(1)
    assert "Shall we start?" in hello and "1. Yes, let's start" in hello
    assert "blocks" not in slack_standin.messages(person.dm)[0]
    assert "chat.postMessage: invalid_blocks" in caplog.text


async def test_a_refused_app_token_stops_socket_mode_with_the_reason(
        slack_standin: SlackStandIn, slack_env: None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-not-the-right-one")
    config = Config(storage=StorageConfig(path=tmp_path / "s.db"),
                    slack=SlackConfig(mode="socket", api_url=slack_standin.api_url))
    assert config.slack is not None
    store = open_store(config.storage.url)
    await store.open()
    try:
        adapter = SlackAdapter(config.slack, compose(config, store).app, store)
        with pytest.raises(PlatformError, match=r"apps\.connections\.open: invalid_auth"):
            await adapter.run()
    finally:
        await store.close()


@pytest.mark.parametrize(("mode", "missing", "key"), [
    ("socket", "SLACK_BOT_TOKEN", "slack.bot_token_env"),
    ("http", "SLACK_SIGNING_SECRET", "slack.signing_secret_env"),
])
async def test_a_missing_secret_is_named_at_start(
        slack_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str,
        missing: str, key: str) -> None:
    monkeypatch.delenv(missing)
    config = Config(storage=StorageConfig(path=tmp_path / "s.db"), slack=SlackConfig(mode=mode))
    assert config.slack is not None
    store = open_store(config.storage.url)
    with pytest.raises(ConfigError) as raised:
        SlackAdapter(config.slack, compose(config, store).app, store)
    assert raised.value.key == key and missing in raised.value.problem
