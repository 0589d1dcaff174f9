"""Closing the loop on Slack, as far as the staff channel: a moderator marks a change made
by slash command, the teller's follow-up weeks later (an injected clock) is approved, and
the digest approved by command is posted to staff with "You said, we did" (the change and
the count of changes made) and "How experiments went" (the update), redacted, once."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import FakeClock
from bot.core.config import DigestConfig
from bot.core.types import StoryStatus

from .conftest import StartBot
from .payloads import SIGNING_SECRET
from .people import Http, Person
from .standin import SlackStandIn
from .test_slack_follow_ups import ASKED, tick
from .test_slack_responses import MOD, MODS, told

WARD = "C0WARD7STAFF"


def shown(slack_standin: SlackStandIn, channel: str) -> str:
    """Every section of every message posted to ``channel``, as staff read them."""
    return "\n".join(block["text"]["text"] for message in slack_standin.messages(channel)
                     for block in message.get("blocks", []) if block["type"] == "section")


async def test_a_change_made_and_an_approved_follow_up_reach_the_staff_digest(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    clock = FakeClock(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))  # a Monday morning in London
    bot = await start_bot("http", digest=DigestConfig(), clock=clock, moderators=(MOD,),
                          moderator_channels=(MODS,), staff_channels=(WARD,))
    teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    await told(slack_standin, teller)  # agreed to summaries and to be contacted
    moderator = Person(slack_standin, Http(bot.url, SIGNING_SECRET), MOD)
    assert (await moderator.command("story approve 1", MODS)).startswith("Story #1 is approved")
    made = 'story change 1 made "A call-back list on Mondays; ring 07700 900123"'
    assert "its teller has been told" in await moderator.command(made, MODS)
    told_of = await teller.wait_for_text("Something has changed")
    assert "A call-back list on Mondays" in told_of and "07700" not in told_of

    await tick(bot)
    clock.advance(weeks=4)
    await tick(bot)
    await teller.wait_for_text(ASKED)
    for line in ("still going", "Mondays are calmer now.", "Ask the receptionists first."):
        await teller.says(line)
    await teller.wait_for_text("I've added this to your story")
    draft = await moderator.command("digest draft", MODS)
    assert "How experiments went" not in draft  # the update waits for a moderator
    assert (await moderator.command("update approve 1", MODS)) == "Update #1 is now approved."
    [update] = await bot.store.updates_to()
    assert update.status is StoryStatus.APPROVED
    assert "How experiments went" in await moderator.command("digest draft", MODS)
    assert slack_standin.messages(WARD) == []  # staff see nothing before approval
    approved = await moderator.command("digest approve", MODS)
    assert approved.endswith("posted to 1 of 1 staff rooms.")

    digest = shown(slack_standin, WARD)
    assert "*You said, we did*" in digest
    assert "1 change made because of stories since the last digest (1 in all)." in digest
    assert "We did: A call-back list on Mondays; ring [phone removed]." in digest
    assert "07700" not in digest
    assert "*How experiments went*" in digest
    assert "Weeks later: still going. What they learned: Ask the receptionists first." in digest
    posts = [c for c in slack_standin.calls_to("chat.postMessage")
             if c.args["channel"] == WARD]
    assert len(posts) == 1
    await teller.wait_for_text("in this week's digest")
    assert teller.count("in this week's digest") == 1
    await teller.says("my stories")
    mine = await teller.wait_for_text("Here's what I keep from you")
    assert "Change made: A call-back list on Mondays; ring [phone removed]" in mine
    assert "Your update (approved): still going." in mine


async def test_an_update_approved_after_the_next_digest_went_out_is_in_the_one_after(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    """A teller answers their follow-up on a Monday, that week's digest goes out while the
    update still waits for a moderator, and it is approved on the Wednesday: staff read
    how the experiment went in the following week's digest, and once only."""
    clock = FakeClock(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))
    bot = await start_bot("http", digest=DigestConfig(), clock=clock, moderators=(MOD,),
                          moderator_channels=(MODS,), staff_channels=(WARD,))
    teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    await told(slack_standin, teller)
    moderator = Person(slack_standin, Http(bot.url, SIGNING_SECRET), MOD)
    await moderator.command("story approve 1", MODS)
    await tick(bot)
    clock.advance(weeks=4)
    await tick(bot)
    await teller.wait_for_text(ASKED)
    for line in ("it changed", "We ring back at 8:30 now.", "Start small."):
        await teller.says(line)
    await teller.wait_for_text("I've added this to your story")
    clock.advance(hours=1)
    await moderator.command("digest draft", MODS)
    assert (await moderator.command("digest approve", MODS)).endswith("1 of 1 staff rooms.")
    assert "How experiments went" not in shown(slack_standin, WARD)  # still pending then
    clock.advance(days=2)
    assert (await moderator.command("update approve 1", MODS)) == "Update #1 is now approved."
    clock.advance(days=5)
    assert "Weeks later: changed since." in await moderator.command("digest draft", MODS)
    assert (await moderator.command("digest approve", MODS)).endswith("1 of 1 staff rooms.")
    assert shown(slack_standin, WARD).count("Weeks later: changed since.") == 1
    clock.advance(days=7)
    assert "How experiments went" not in await moderator.command("digest draft", MODS)
