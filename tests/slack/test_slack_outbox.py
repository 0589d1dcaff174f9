"""Slack replies go through the reply outbox: one saved with its turn but not yet confirmed by
Slack when the bot dies is posted when the bot starts again, once and in order."""

from __future__ import annotations

from adapters.slack_events import PLATFORM
from tests.slack.conftest import StartBot
from tests.slack.people import Person
from tests.slack.standin import SlackStandIn
from tests.slack.test_slack_adapter import SocketPerson

CONSENT = "Before you tell me anything"


async def test_a_reply_saved_but_not_posted_when_the_bot_died_is_posted_after_a_restart(
        start_bot: StartBot, socket_person: SocketPerson, slack_standin: SlackStandIn) -> None:
    first = await start_bot("socket")
    person: Person = socket_person()
    await person.says("hi")
    await person.wait_for_replies(1)
    slack_standin.fail_next("chat.postMessage", retry_after=60)  # Slack holds the reply back
    await person.says("yes")
    await slack_standin.wait_until(
        lambda: len(slack_standin.calls_to("chat.postMessage")) == 2, "the held-back post")
    assert await first.store.pending_replies(PLATFORM), "saved with its turn, not yet sent"
    await first.adapter.app.delivery.detach(PLATFORM)  # the bot dies before Slack took it
    await first.stop()

    await start_bot("socket")
    replies = await person.wait_for_replies(2)
    assert CONSENT in replies[1]
    await person.says("yes")
    replies = await person.wait_for_replies(3)
    assert [CONSENT in text for text in replies] == [False, True, False]
    assert "What's been happening?" in replies[2]
