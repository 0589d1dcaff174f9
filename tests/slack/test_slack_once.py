"""Slack input applied once, however often it arrives: a slash command replayed with the
same signature and trigger_id, an interactive payload delivered twice, a second click on an
answered question; and ``/storyloop hello`` in a DM starts the conversation where its
buttons work."""

from __future__ import annotations

from collections.abc import Callable

from adapters.slack import STORY_ACK
from bot.core.config import DigestConfig
from bot.core.types import Platform, RoomId, StoryStatus
from bot.features.digest.desk import DigestDesk
from tests.slack.conftest import RunningBot, StartBot
from tests.slack.payloads import SIGNING_SECRET, JsonDict, block_actions_payload, slash_command_form
from tests.slack.people import Http, Person
from tests.slack.standin import RESPONSE_URL_CALL, SlackStandIn
from tests.slack.test_slack_adapter import TYPED

HttpPerson = Callable[[RunningBot], Person]
MODS = "C0MODS0001"
MODERATOR = "U0MOD00001"


async def told_story(bot: RunningBot, slack_standin: SlackStandIn) -> Person:
    teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    for line in TYPED:
        await teller.says(line)
    await slack_standin.wait_until(
        lambda: any("your story is saved" in t for t in teller.bot_texts()), "story saved")
    return teller


def texts_in(slack_standin: SlackStandIn, channel: str) -> list[str]:
    return [m["text"] for m in slack_standin.messages(channel)]


async def test_a_replayed_slash_command_runs_once(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http", moderators=(MODERATOR,))
    await told_story(bot, slack_standin)
    http = Http(bot.url, SIGNING_SECRET)
    form = slash_command_form("/storyloop", "story approve 1", MODERATOR, MODS,
                              response_url=slack_standin.response_url("approve"))
    await http.command(form)
    await http.command(form)  # the same signed request again: same trigger_id
    status = slash_command_form("/storyloop", "status", MODERATOR, MODS,
                                response_url=slack_standin.response_url("approve"))
    await http.command(status)  # a later command, answered after any replay would be
    answers = await slack_standin.wait_for_response("approve", 2)
    assert answers[0].args["text"].startswith("Story #1 is approved")
    assert answers[1].args["text"].startswith("storyloop is running")
    assert len(slack_standin.calls_to(RESPONSE_URL_CALL)) == 2
    assert [e.action for e in await bot.store.audit_entries()].count("approve") == 1


async def test_a_command_button_payload_delivered_twice_is_applied_once(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http", moderators=(MODERATOR,), moderator_channels=(MODS,))
    app = bot.adapter.app
    await told_story(bot, slack_standin)
    desk = DigestDesk(bot.store, app.clock, DigestConfig(), {},
                      {Platform("slack"): (RoomId(MODS),)}, app.senders, app.publishers)
    await desk.tick()
    [notice] = slack_standin.messages(MODS)
    [approve] = [e for b in notice["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["text"]["text"] == "Approve #1"]
    payload = block_actions_payload(MODERATOR, MODS, notice["ts"], approve["action_id"],
                                    approve["value"], message=notice)
    http = Http(bot.url, SIGNING_SECRET)
    await http.interactive(payload)
    await http.interactive(payload)  # delivered again: same action_ts, same trigger_id
    show = next(e for b in notice["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["text"]["text"] == "Show #1")
    await http.interactive(block_actions_payload(MODERATOR, MODS, notice["ts"],
                                                 show["action_id"], show["value"],
                                                 message=notice))
    await slack_standin.wait_until(lambda: len(slack_standin.messages(MODS)) >= 3, "3 posts")
    said = texts_in(slack_standin, MODS)[1:]
    assert len(said) == 2 and said[0].startswith("Story #1 is approved")
    assert not said[1].startswith("Story #1 is approved")
    assert (await bot.store.list_stories())[0].status is StoryStatus.APPROVED


def answer_shown(message: JsonDict) -> str | None:
    context = [b for b in message.get("blocks", []) if b["type"] == "context"]
    return str(context[-1]["elements"][0]["text"]) if context else None


async def test_a_second_click_or_a_redelivered_click_keeps_the_answer_shown(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    await person.says("hi")
    await person.wait_for_replies(1)
    greeting = slack_standin.messages(person.dm)[0]
    await person.presses("Yes, let's start", message=greeting)
    await person.wait_for_replies(2)
    await person.presses("Yes, let's start", message=greeting)  # a client not yet refreshed
    await person.presses("Not now", message=greeting)
    button = greeting["blocks"][-1]["elements"][0]
    again = block_actions_payload(person.user, person.dm, greeting["ts"], button["action_id"],
                                  button["value"], message=greeting)
    await person.transport.interactive(again)
    await person.transport.interactive(again)
    await slack_standin.wait_for_calls("chat.update", 5)
    first = slack_standin.messages(person.dm)[0]
    assert answer_shown(first) == "\u2713 Yes, let's start"
    assert [b["type"] for b in first["blocks"]] == ["section", "context"]
    await person.presses("Yes, that's OK")
    texts = await person.wait_for_replies(3)
    assert len(texts) == 3 and "What's been happening?" in texts[2]


async def test_storyloop_hello_in_a_dm_starts_the_conversation_where_buttons_work(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    person = http_person(await start_bot("http"))
    ack = await person.slash("/storyloop", "hello", channel="D0SOMEONE2")  # any DM
    assert STORY_ACK in ack
    [opened] = await slack_standin.wait_for_calls("conversations.open")
    assert opened.args["users"] == person.user
    [hello] = await person.wait_for_replies(1)
    assert "Shall we start?" in hello
    assert slack_standin.calls_to(RESPONSE_URL_CALL) == []  # no ephemeral buttons anywhere
    await person.presses("Yes, let's start")
    assert "Before you tell me anything" in (await person.wait_for_replies(2))[1]
