"""Replies Slack would refuse as they are: longer than one message may be (posted whole, in
order, in several messages, the buttons on the last, and those buttons work), or with
choices from the config that are empty or hold ``&<>``. The stand-in checks every message
with slack_sdk's models and Slack's limits."""

from __future__ import annotations

from collections.abc import Callable

from adapters.slack_blocks import MAX_BLOCKS
from bot.core.config import FlowsConfig
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



async def test_themes_from_the_config_that_are_empty_or_hold_markup_make_working_buttons(
        start_bot: StartBot, http_person: HttpPerson, slack_standin: SlackStandIn) -> None:
    themes = ("A&E <urgent>", "", "<!channel> phones")
    bot = await start_bot("http", flows=FlowsConfig(themes=themes))
    person = http_person(bot)
    for n, line in enumerate(TYPED[:8], start=1):
        await person.says(line)
        await slack_standin.wait_for_calls("chat.postMessage", n)
    asking = slack_standin.messages(person.dm)[-1]
    shown = [e["text"]["text"] for b in asking["blocks"] if b["type"] == "actions"
             for e in b["elements"]]
    assert shown == ["A&amp;E &lt;urgent&gt;", "2", "&lt;!channel&gt; phones"]
    await person.presses("A&E <urgent>")
    await person.wait_for_replies(9)
    context = slack_standin.messages(person.dm)[7]["blocks"][-1]["elements"][0]["text"]
    assert context == "\u2713 A&amp;E &lt;urgent&gt;"
    for line in TYPED[9:]:
        await person.says(line)
    await slack_standin.wait_until(
        lambda: any("your story is saved" in t for t in person.bot_texts()), "story saved")
    [story] = await bot.store.list_stories()
    assert story.themes == ("A&E <urgent>",)
