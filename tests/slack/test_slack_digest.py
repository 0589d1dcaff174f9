"""A digest on Slack: approved by slash command, posted to the staff channel once, with its
chart and full list as files, in Block Kit within Slack's limits, and harmless text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk.errors import SlackApiError

from adapters.slack_blocks import MAX_BLOCKS, MAX_SECTION_TEXT, digest_messages
from bot.core.clock import FakeClock
from bot.core.config import DigestConfig
from bot.core.ports import Post
from bot.core.types import Platform, RoomId
from bot.features.digest.desk import DigestDesk

from .conftest import StartBot
from .payloads import SIGNING_SECRET
from .people import Http, Person
from .standin import SlackStandIn
from .test_slack_adapter import TYPED

NASTY = "<!channel> <https://evil.example|click> the phone is engaged every Monday."
WARD = "C0WARD7STAFF"


async def test_a_digest_is_approved_by_command_and_posted_once_to_staff(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http", digest=DigestConfig(), moderators=("U0MOD00001",),
                          staff_channels=(WARD,), moderator_channels=("C0MODS0001",))
    teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    for line in (*TYPED[:3], NASTY, *TYPED[4:]):
        await teller.says(line)
    await slack_standin.wait_until(
        lambda: any("your story is saved" in t for t in teller.bot_texts()), "story saved")
    moderator = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0MOD00001")

    async def command(text: str) -> str:
        await moderator.slash("/storyloop", text, channel="C0MODS0001", response_key=text)
        return str((await slack_standin.wait_for_response(text))[-1].args["text"])

    assert (await command("story approve 1")).startswith("Story #1 is approved")
    clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    app = bot.adapter.app
    desk = DigestDesk(bot.store, clock, DigestConfig(), {Platform("slack"): (RoomId(WARD),)},
                      {Platform("slack"): (RoomId("C0MODS0001"),)}, app.senders,
                      app.publishers)
    await desk.tick()  # sets the schedule: next Monday, 09:00 London
    clock.advance(days=7)
    await desk.tick()  # the draft is shown to the moderators, not yet to staff
    assert any("This week's digest is ready" in m["text"]
               for m in slack_standin.messages("C0MODS0001"))
    assert slack_standin.messages(WARD) == []
    assert (await command("digest preview")).startswith("Draft digest #1")
    assert (await command("digest approve")).endswith("posted to 1 of 1 staff rooms.")
    posted = [c for c in slack_standin.calls_to("chat.postMessage") if c.args["channel"] == WARD]
    assert len(posted) == 1
    every_text = str(posted[0].args)
    assert "<!channel>" not in every_text and "<https://evil" not in every_text
    assert "*What people tried*" in str(posted[0].args["blocks"])
    uploads = slack_standin.calls_to("files.completeUploadExternal")
    assert WARD in str(uploads[-1].args)
    names = {f.filename for f in slack_standin.files.values()}
    assert {"digest-chart.png", "digest-stories.md"} <= names
    assert any(f.data and f.data.startswith(b"\x89PNG") for f in slack_standin.files.values())
    await slack_standin.wait_until(
        lambda: any("in this week's digest" in t for t in teller.bot_texts()), "teller told")
    await command("digest draft")
    assert len([c for c in slack_standin.calls_to("chat.postMessage")
                if c.args["channel"] == WARD]) == 1  # never posted twice


def test_long_digests_are_split_within_block_kit_limits() -> None:
    text = "\n\n".join(f"**Part {n}**\n" + "word " * 900 for n in range(60))
    messages = digest_messages(text)
    assert len(messages) > 1 and all(len(m) <= MAX_BLOCKS for m in messages)
    sections = [b["text"]["text"] for m in messages for b in m]
    assert all(len(s) <= MAX_SECTION_TEXT for s in sections)
    assert sections[0].startswith("*Part 0*")


async def test_the_moderators_notice_has_buttons_that_only_moderators_can_use(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    from bot.core.types import StoryStatus

    from .payloads import block_actions_payload

    bot = await start_bot("http", moderators=("U0MOD00001",),
                          moderator_channels=("C0MODS0001",))
    app = bot.adapter.app
    desk = DigestDesk(bot.store, app.clock, DigestConfig(), {},
                      {Platform("slack"): (RoomId("C0MODS0001"),)}, app.senders, app.publishers)
    teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
    for line in TYPED:
        await teller.says(line)
    await slack_standin.wait_until(
        lambda: any("your story is saved" in t for t in teller.bot_texts()), "story saved")
    await desk.tick()
    [notice] = slack_standin.messages("C0MODS0001")
    buttons = {e["text"]["text"]: e for b in notice["blocks"] if b["type"] == "actions"
               for e in b["elements"]}
    assert set(buttons) == {"Show all pending", "Show #1", "Approve #1"}

    async def press(user: str, label: str) -> None:
        button = buttons[label]
        await Http(bot.url, SIGNING_SECRET).interactive(block_actions_payload(
            user, "C0MODS0001", notice["ts"], button["action_id"], button["value"],
            message=notice))

    await press("U0PERSON01", "Approve #1")
    await slack_standin.wait_until(
        lambda: any("only moderators" in m["text"]
                    for m in slack_standin.messages("C0MODS0001")), "refusal")
    assert (await bot.store.list_stories())[0].status is StoryStatus.PENDING
    await press("U0MOD00001", "Approve #1")
    await slack_standin.wait_until(
        lambda: any("Story #1 is approved" in m["text"]
                    for m in slack_standin.messages("C0MODS0001")), "approval")
    assert (await bot.store.list_stories())[0].status is StoryStatus.APPROVED


async def test_a_digest_post_that_fails_part_way_carries_on_and_posts_nothing_twice(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http", staff_channels=(WARD,))
    publish = bot.adapter.app.publishers[Platform("slack")]
    text = "\n\n".join(f"**Part {n}** " + "word " * 50 for n in range(80))
    post = Post(3, text, "", b"\x89PNG fake chart", "# every story")
    assert len(digest_messages(text)) == 2
    slack_standin.error_next("chat.postMessage", "service_unavailable", after=1)
    with pytest.raises(SlackApiError):
        await publish(WARD, post)  # files shared, first message posted, second refused
    first = await publish(WARD, post)  # the desk's next try
    assert await publish(WARD, post) == first  # and any later one: all there already
    messages = slack_standin.messages(WARD)
    assert [m.get("upload", False) for m in messages] == [True, False, False]
    assert messages[1]["ts"] == first
    assert len(slack_standin.calls_to("files.completeUploadExternal")) == 1
    shown = " ".join(b["text"]["text"] for m in messages[1:] for b in m["blocks"])
    assert shown.count("*Part 0*") == 1 and shown.count("*Part 79*") == 1
