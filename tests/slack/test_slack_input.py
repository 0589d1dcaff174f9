"""Slack input as Slack really sends it. The payload shapes follow slack-bolt-python's own
scenario tests (tests/scenario_tests_async/ at a2f21ae4: test_message_changed.py,
test_message_bot.py, test_message_deleted.py, test_app.py), written again here for our
people and channels: an edit whose inner message has no ts, another app's message, a
mention without a user... Each is delivered for real (signed HTTP to the bot's endpoint),
and what a person would see, or what is stored, is checked."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tests.slack.conftest import RunningBot, StartBot
from tests.slack.payloads import (
    SIGNING_SECRET,
    JsonDict,
    block_actions_payload,
    event_callback,
    event_ts,
    interactive_body,
    message_event,
    post_signed,
)
from tests.slack.people import FORM, Person
from tests.slack.standin import SlackStandIn
from tests.slack.test_slack_adapter import TYPED

HttpPerson = Callable[[RunningBot], Person]
CHANNEL = "C0GENERAL1"
OTHER_APP: JsonDict = {"bot_id": "B0OTHERAPP", "app_id": "A0OTHERAPP",
             "bot_profile": {"id": "B0OTHERAPP", "app_id": "A0OTHERAPP", "name": "helper"}}


def mention_without_user(channel: str) -> JsonDict:
    ts = event_ts()
    return {"type": "app_mention", "text": "<@U0STANDBOT> hi there", "ts": ts,
            "team": "T0STANDIN", "channel": channel, "event_ts": ts}


def edit_without_inner_ts(person: Person, ts: str, text: str) -> JsonDict:
    """As Slack (and bolt's test_message_changed.py) has it: the edited message carries no
    ts of its own; previous_message does."""
    now = event_ts()
    return {"type": "message", "subtype": "message_changed", "hidden": True,
            "channel": person.dm, "channel_type": "im", "ts": now, "event_ts": now,
            "message": {"type": "message", "text": text, "user": person.user,
                        "team": "T0STANDIN", "edited": {"user": person.user, "ts": now}},
            "previous_message": {"type": "message", "text": "before", "user": person.user,
                                 "team": "T0STANDIN", "ts": ts}}


async def test_a_mention_without_a_user_and_other_apps_messages_are_left_alone(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    other_mention = {**mention_without_user(CHANNEL), "user": "U0OTHERBOT", **OTHER_APP}
    other_in_dm = message_event("U0OTHERBOT", person.dm, "beep", **OTHER_APP)
    classic = message_event("", person.dm, "beep", subtype="bot_message", bot_id="B0CLASSIC",
                            username="classic-bot")
    for event in (mention_without_user(CHANNEL), other_mention, other_in_dm, classic):
        await person.deliver(event)  # each answered 200
    await person.says("hi")
    [hello] = await person.wait_for_replies(1)
    assert "Shall we start?" in hello
    assert [c.args["channel"] for c in slack_standin.calls_to("chat.postMessage")] == [person.dm]


async def test_an_edit_without_its_own_ts_is_the_message_it_edits(
        start_bot: StartBot, http_person: HttpPerson) -> None:
    person = http_person(await start_bot("http"))
    hi = await person.says("hi")
    await person.wait_for_replies(1)
    await person.deliver(edit_without_inner_ts(person, hi["ts"], "hello"))  # answered: ignored
    late = event_ts()
    await person.deliver(edit_without_inner_ts(person, late, "yes"))  # original not yet seen
    await person.says("nope", ts=late)  # the original: the same message, already handled
    await person.says("yes")
    texts = await person.wait_for_replies(3)
    assert len(texts) == 3
    assert "Before you tell me anything" in texts[1] and "What's been happening?" in texts[2]


async def test_a_message_in_a_dm_thread_is_answered_in_that_thread(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    root = event_ts()
    await person.deliver(message_event(person.user, person.dm, "hi", thread_ts=root))
    [hello] = await slack_standin.wait_for_calls("chat.postMessage")
    assert (hello.args["channel"], hello.args["thread_ts"]) == (person.dm, root)
    greeting = slack_standin.messages(person.dm)[0]
    button = greeting["blocks"][-1]["elements"][0]
    await person.transport.interactive(block_actions_payload(
        person.user, person.dm, greeting["ts"], button["action_id"], button["value"],
        message=greeting, thread_ts=root))  # a press in the thread: answered there
    posts = await slack_standin.wait_for_calls("chat.postMessage", 2)
    assert "Before you tell me anything" in posts[1].args["text"]
    assert posts[1].args["thread_ts"] == root
    await person.says("yes")  # at the top level: answered at the top level
    posts = await slack_standin.wait_for_calls("chat.postMessage", 3)
    assert "thread_ts" not in posts[2].args and "What's been happening" in posts[2].args["text"]


async def test_a_deleted_answer_in_bolts_shape_is_taken_back(
        start_bot: StartBot, http_person: HttpPerson) -> None:
    person = http_person(await start_bot("http"))
    for n, text in enumerate(("hi", "yes", "yes", "The phones are engaged all Monday."), 1):
        said = await person.says(text)
        await person.wait_for_replies(n)
    now = event_ts()
    await person.deliver({
        "type": "message", "subtype": "message_deleted", "hidden": True,
        "previous_message": {"type": "message", "text": said["text"], "user": person.user,
                             "team": "T0STANDIN", "ts": said["ts"]},
        "channel": person.dm, "deleted_ts": said["ts"], "event_ts": now, "ts": now,
        "channel_type": "im"})
    texts = await person.wait_for_replies(6)
    assert "taken out the message you deleted" in texts[4]


async def test_member_mentions_reach_the_story_as_someone(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http")
    person = http_person(bot)
    situation = "Dr <@U024BE7LH> was kind, and <@U0NURSE01|sam> called me back."
    for line in (*TYPED[:3], situation, *TYPED[4:]):
        await person.says(line)
    await slack_standin.wait_until(
        lambda: any("your story is saved" in t for t in person.bot_texts()), "story saved")
    [story] = await bot.store.list_stories()
    assert story.situation == "Dr someone was kind, and someone called me back."
    stored = story.model_dump_json()
    assert "U024BE7LH" not in stored and "U0NURSE01" not in stored and "sam" not in stored


async def test_invalid_json_or_a_timestamp_that_is_not_a_number_is_a_400(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http")
    now = str(int(time.time()))
    event = json.dumps(event_callback(message_event("U0PERSON01", "D0PERSON1", "hi"))).encode()
    answers = [
        await post_signed(bot.url, b'{"type": "event_callback", "event": {', SIGNING_SECRET),
        await post_signed(bot.url, b"[1, 2]", SIGNING_SECRET),
        await post_signed(bot.url, b"payload=%7Bnot+json", SIGNING_SECRET, content_type=FORM),
        await post_signed(bot.url, event, SIGNING_SECRET,
                          extra_headers={"X-Slack-Request-Timestamp": f"{now}abc"}),
        await post_signed(bot.url, event, SIGNING_SECRET,
                          extra_headers={"X-Slack-Request-Timestamp": "soon"}),
    ]
    assert [status for status, _ in answers] == [400] * 5
    assert slack_standin.calls == [] and await bot.store.list_stories() == []
    person = http_person(bot)
    await person.says("hi")
    assert "Shall we start?" in (await person.wait_for_replies(1))[0]
    assert interactive_body({"a": 1}).startswith(b"payload=")
