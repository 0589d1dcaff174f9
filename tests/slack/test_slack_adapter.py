"""storyloop's Slack adapter end to end: real HTTP on 127.0.0.1, real signed requests, a real
Socket Mode websocket, a real SQLite file; only Slack's cloud is a stand-in.

The scenarios of issue 4, numbered as there. Every wait is on the stand-in seeing a call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import aiohttp
import pytest

from bot.core.types import StoryStatus
from tests.slack.conftest import RunningBot, StartBot
from tests.slack.payloads import (
    SIGNING_SECRET,
    event_callback,
    message_event,
    post_raw,
    post_signed,
)
from tests.slack.people import Http, Person, Press, Reference, talk
from tests.slack.standin import RESPONSE_URL_CALL, SlackStandIn

PROBLEM = "The surgery phone line is engaged from 8am every Monday and people give up."
ATTEMPT = "The practice manager started a call-back list and texts people a time slot."
MIDDLE = (ATTEMPT, "Fewer angry calls on Mondays.", "Other practices could copy the template.")
TYPED = ("hi", "yes", "yes", PROBLEM, *MIDDLE, "no", "1, 3, phones", "Riverside Surgery",
         "staff", "1, 3", "yes", "yes")
"""A whole story, typed (the script of tests/test_story_flow.py)."""
HttpPerson = Callable[[RunningBot], Person]
SocketPerson = Callable[[], Person]


def posts(standin: SlackStandIn) -> list[str]:
    return [call.args["text"] for call in standin.calls_to("chat.postMessage")
            if call.status == 200 and call.response.get("ok")]


# 1. A whole story in a DM over the HTTP Events API
async def test_a_whole_story_over_http_is_stored_and_answered_in_order(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http")
    person, reference = http_person(bot), Reference()

    await talk(person, reference, *TYPED)

    assert person.bot_texts() == reference.texts
    assert "your story is saved" in person.bot_texts()[-1]
    [story] = await bot.store.list_stories()
    assert (story.situation, story.tried, story.place) == (PROBLEM, ATTEMPT, "Riverside Surgery")
    assert story.status is StoryStatus.PENDING and "U0PERSON01" not in story.participant
    assert slack_standin.calls[0].method == "auth.test"
    assert {c.token for c in slack_standin.calls} == {slack_standin.bot_token}


# 2. The same over Socket Mode, with buttons and typing
async def test_a_whole_story_over_socket_mode_with_buttons_and_typing(
        start_bot: StartBot, socket_person: SocketPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("socket")
    person, reference = socket_person(), Reference()

    await talk(person, reference, "hi", Press("Yes, let's start"), Press("Yes, that's OK"),
               PROBLEM, *MIDDLE, Press("No, skip them"), "1, 3, phones", "Riverside Surgery",
               Press("Staff"), "1, 3",
               Press("Yes, I'm happy to be introduced"), Press("Yes, send it"))

    assert person.bot_texts() == reference.texts
    [story] = await bot.store.list_stories()
    assert story.role.value == "staff" and story.themes == ("access", "communication", "phones")
    [opened] = slack_standin.calls_to("apps.connections.open")
    assert opened.token == slack_standin.app_token
    updates = slack_standin.calls_to("chat.update")
    assert len(updates) == 6  # one per button pressed
    role = next(m for m in slack_standin.messages(person.dm) if "Staff" in m["text"])
    assert [b["type"] for b in role["blocks"]] == ["section", "context"]
    assert role["blocks"][-1]["elements"][0]["text"] == "\u2713 Staff"


async def test_a_socket_mode_retry_is_acked_but_answered_once(
        start_bot: StartBot, socket_person: SocketPerson, slack_standin: SlackStandIn) -> None:
    await start_bot("socket")
    person = socket_person()
    hello = await person.says("hi")
    await person.wait_for_replies(1)
    await person.deliver(hello, retry=1)
    await person.says("yes")
    assert len(await person.wait_for_replies(2)) == 2
    assert "Before you tell me anything" in person.bot_texts()[1]


# 3. Unsigned, wrongly signed and stale requests
async def test_unsigned_badly_signed_and_stale_requests_are_refused(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http")
    body = json.dumps(event_callback(message_event("U0PERSON01", "D0PERSON1", "hi"))).encode()
    json_type = {"Content-Type": "application/json"}

    unsigned = await post_raw(bot.url, body, json_type)
    wrong = await post_signed(bot.url, body, "not-the-signing-secret")
    stale = await post_signed(bot.url, body, SIGNING_SECRET, timestamp=int(time.time()) - 301)

    assert [unsigned[0], wrong[0], stale[0]] == [401, 401, 401]
    assert slack_standin.calls == []
    assert await bot.store.list_stories() == []
    person = http_person(bot)
    await person.says("hi")
    assert "Shall we start?" in (await person.wait_for_replies(1))[0]


# 4. The same event three times
async def test_an_event_delivered_three_times_is_one_reply_and_one_story(
        start_bot: StartBot, http_person: HttpPerson) -> None:
    bot = await start_bot("http")
    person, reference = http_person(bot), Reference()
    await talk(person, reference, *TYPED[:-1])
    before = len(person.bot_texts())

    last = await person.says("yes")
    for retry in (1, 2):
        await person.deliver(last, retry=retry)
    await person.says("hello again")  # a later message: its answer comes after any retry's

    texts = await person.wait_for_replies(before + 2)
    assert len(texts) == before + 2
    assert "your story is saved" in texts[before] and "tell another?" in texts[-1]
    assert len(await bot.store.list_stories()) == 1


async def test_a_message_seen_as_both_message_and_mention_is_answered_once(
        start_bot: StartBot, http_person: HttpPerson) -> None:
    bot = await start_bot("http")
    person = http_person(bot)
    said = await person.says("<@U0STANDBOT> hi")
    await person.mentions_bot(person.dm, "hi", ts=said["ts"])
    await person.says("yes")
    texts = await person.wait_for_replies(2)
    assert len(texts) == 2 and "Before you tell me anything" in texts[1]


# 5. Rate limited
async def test_a_rate_limited_post_is_retried_in_order_and_nothing_is_lost(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http")
    person, reference = http_person(bot), Reference()
    await talk(person, reference, "hi")
    slack_standin.fail_next("chat.postMessage", retry_after=1)

    await person.says("yes")
    await slack_standin.wait_for_calls("chat.postMessage", 2)  # the 429
    await person.says("yes")  # arrives while the first answer waits out Retry-After
    for step in ("yes", "yes"):
        await reference.step(step)

    assert await person.wait_for_replies(len(reference.texts)) == reference.texts
    limited, retried = slack_standin.calls_to("chat.postMessage")[1:3]
    assert (limited.status, retried.status) == (429, 200)
    assert retried.args["text"] == limited.args["text"]
    assert retried.time - limited.time >= 1.0
    assert posts(slack_standin) == reference.texts


# 6. Restart mid-conversation
async def test_a_restart_mid_conversation_carries_on(
        start_bot: StartBot, socket_person: SocketPerson, slack_standin: SlackStandIn) -> None:
    first = await start_bot("socket")
    person, reference = socket_person(), Reference()
    await talk(person, reference, "hi", "yes")
    await first.stop()
    await slack_standin.wait_for_no_socket()

    second = await start_bot("socket")
    await slack_standin.wait_for_socket()
    await talk(person, reference, Press("Yes, that's OK"), *TYPED[3:])

    assert person.bot_texts() == reference.texts
    assert len(await second.store.list_stories()) == 1


# 7. Mentions and links in a story are never live
async def test_broadcasts_and_links_in_a_story_are_escaped_wherever_echoed(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http")
    person, reference = http_person(bot), Reference()
    # what Slack delivers when someone types "@channel", a link, and the literal "<!here>"
    sneaky = "Tell <!channel> to <https://evil|click> &lt;!here&gt; &amp; &lt;https://x|y&gt;"
    plain = "Tell @channel to click (https://evil) <!here> & <https://x|y>"
    await talk(person, reference, "hi", "yes", "yes")
    await person.says(sneaky)
    await reference.step(plain)
    await talk(person, reference, *TYPED[4:-1])
    await person.slash("/storyloop", "<!channel>", channel="C0GENERAL1", response_key="cmd")

    review = slack_standin.messages(person.dm)[-1]
    assert "@\u2060channel to click (https://evil) &lt;!here&gt; &amp; &lt;https://x|y&gt;" \
        in review["blocks"][0]["text"]["text"]
    [answer] = await slack_standin.wait_for_calls(RESPONSE_URL_CALL)
    assert "\u201c@\u2060channel\u201d" in answer.args["text"]
    for call in slack_standin.calls:
        sent = json.dumps(call.args, ensure_ascii=False)
        assert "<!" not in sent and "<http" not in sent, call
    await person.says("yes")
    await person.wait_for_replies(len(reference.texts) + 1)
    [story] = await bot.store.list_stories()
    assert story.situation == plain


# 8. Moderator commands
async def test_status_is_for_moderators_and_others_are_refused_politely(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    slack_standin.usergroups["S0MODS"] = ["U0GROUPMOD"]
    bot = await start_bot("http", moderators=("U0MOD00001",), moderator_groups=("S0MODS",))

    async def status(user: str) -> str:
        person = Person(slack_standin, Http(bot.url, SIGNING_SECRET), user)
        await person.slash("/storyloop", "status", channel="C0GENERAL1", response_key=user)
        answers = await slack_standin.wait_for_response(user)
        return str(answers[-1].args["text"])

    refused = await status("U0PERSON01")
    assert refused.startswith("Sorry, only moderators can use \u201cstatus\u201d")
    assert "help: what I can do" in refused and "status:" not in refused
    assert (await status("U0MOD00001")).startswith("storyloop is running")
    assert (await status("U0GROUPMOD")).startswith("storyloop is running")
    [listed] = slack_standin.calls_to("usergroups.users.list")
    assert listed.args["usergroup"] == "S0MODS"


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_the_adapter_stops_cleanly_when_cancelled(
        start_bot: StartBot, slack_standin: SlackStandIn, mode: str) -> None:
    bot = await start_bot(mode)
    url = bot.url
    await bot.stop()
    assert not bot.adapter.ready.is_set()
    if mode == "socket":
        await slack_standin.wait_for_no_socket()
    else:
        with pytest.raises(aiohttp.ClientConnectionError):
            await post_raw(url, b"{}", {"Content-Type": "application/json"})
