"""A reply longer than one Slack message may be: posted whole, in order, in several messages
that Slack accepts (the stand-in checks each with slack_sdk's models), the buttons on the
last, and those buttons work."""

from __future__ import annotations

from collections.abc import Callable

from adapters.slack_blocks import MAX_BLOCKS
from tests.slack.conftest import RunningBot, StartBot
from tests.slack.people import Person
from tests.slack.standin import SlackStandIn
from tests.slack.test_slack_adapter import TYPED

HttpPerson = Callable[[RunningBot], Person]
LONG = " ".join(f"On day {n} the phone line was engaged again and people gave up." for n in
                range(1800))
"""About 115,000 characters: a story pasted whole."""


async def test_a_review_too_long_for_one_message_is_posted_whole_with_working_buttons(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http")
    person = http_person(bot)
    for n, line in enumerate((*TYPED[:3], LONG, *TYPED[4:-1]), start=1):
        await person.says(line)
        await slack_standin.wait_for_calls("chat.postMessage", n)  # its answer, at least
    await slack_standin.wait_until(lambda: "Yes, send it" in str(
        slack_standin.messages(person.dm)[-1].get("blocks")), "the review's buttons")
    messages = slack_standin.messages(person.dm)
    start = next(n for n, m in enumerate(messages) if "your story as others" in m["text"])
    review = messages[start:]
    assert len(review) > 2 and all(len(m["blocks"]) <= MAX_BLOCKS for m in review)
    shown = " ".join(b["text"]["text"] for m in review for b in m["blocks"]
                     if b["type"] == "section")
    assert "On day 0 the phone" in shown and "On day 1799 the phone" in shown
    assert [any(b["type"] == "actions" for b in m["blocks"]) for m in review] == \
        [False] * (len(review) - 1) + [True]

    await person.presses("Yes, send it")
    await slack_standin.wait_until(
        lambda: any("your story is saved" in t for t in person.bot_texts()), "story saved")
    [story] = await bot.store.list_stories()
    assert story.situation == LONG

