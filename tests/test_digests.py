"""The weekly digest from stories to staff rooms: drafted on schedule (a fake clock, no
sleeping), shaped and approved by a moderator, posted exactly once per room."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.config import DigestConfig
from bot.core.ports import Post
from bot.core.types import OutgoingMessage, Platform, RoomId
from bot.features.digest.desk import NEXT_DUE, DigestDesk
from storage.base import Store
from tests.conftest import MODERATOR, Chat

TEST = Platform("test")
STAFF = (RoomId("!ward-7"), RoomId("!ward-8"))
MODS = RoomId("!moderators")
MONDAY_9AM = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # London is on GMT in January


class Staff:
    """What the staff rooms and moderators' room received, through a test platform."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Post]] = []
        self.messages: list[OutgoingMessage] = []
        self.fail_in: set[str] = set()

    async def publish(self, room_id: str, post: Post) -> str:
        if room_id in self.fail_in:
            raise ConnectionError("the platform went away mid-post")
        self.posts.append((room_id, post))
        return f"post-{len(self.posts)}"

    async def send(self, message: OutgoingMessage) -> None:
        self.messages.append(message)


@pytest.fixture
def staff() -> Staff:
    return Staff()


def desk(app: App, clock: FakeClock, staff: Staff) -> DigestDesk:
    made = DigestDesk(app.store, clock, DigestConfig(schedule="MON 09:00"), {TEST: STAFF},
                      {TEST: (MODS,)}, app.senders, app.publishers)
    app.senders[TEST], app.publishers[TEST] = staff.send, staff.publish
    assert app.commands is not None
    made.register(app.commands)
    return made


async def tell(app: App, who: str, situation: str, consents: str = "1, 2, 3") -> None:
    chat = Chat(app, person=who, room=f"!dm-{who}")
    await chat.script("hi", "yes", "yes", situation, f"We started a fix for: {situation}",
                      "Mondays are calmer.", "skip", "no", "1", "skip", "staff")
    await chat.agree(consents)
    await chat.say("yes")


def mod(app: App) -> Chat:
    return Chat(app, person=MODERATOR, room=str(MODS))


async def say(app: App, command: str) -> str:
    [reply] = await mod(app).command(command)
    return reply.text


async def test_the_whole_cycle_from_stories_to_staff_rooms(
        app: App, clock: FakeClock, staff: Staff) -> None:
    clock._now = MONDAY_9AM
    desk_ = desk(app, clock, staff)
    await desk_.tick()  # sets the schedule
    for n, words in enumerate(["Phones engaged all morning", "Parking <!channel> @room",
                               "Lost referral letters"], start=1):
        await tell(app, f"@p{n}:x", words)
    await tell(app, "@p4:x", "Kept out of summaries", consents="none")
    clock.advance(minutes=1)
    await desk_.tick()
    assert [m.text for m in staff.messages] == [  # one notice for four stories, not four
        "4 new stories are waiting for a moderator. Say stories pending to see them."]
    await say(app, "story approve 1")
    await say(app, "story approve 2")
    await say(app, "story hide 3 names a colleague")
    await say(app, "story approve 4")
    clock.advance(days=7)
    await desk_.tick()
    ready = staff.messages[-1]
    assert ready.room_id == MODS and "This week's digest is ready" in ready.text
    preview = await say(app, "digest preview")
    assert "Stories in it: #1, #2." in preview
    assert "Phones engaged" in preview and "Parking" in preview
    assert "Lost referral" not in preview and "Kept out" not in preview
    assert "What people tried" in preview
    await say(app, "digest remove 1")
    await say(app, 'digest note "Thank you all."')
    assert staff.posts == []  # nothing before approval
    done = await say(app, "digest approve")
    assert done == "Digest #1 is approved: 1 story, posted to 2 of 2 staff rooms."
    assert [room for room, _ in staff.posts] == list(STAFF)
    post = staff.posts[0][1]
    assert post.text.startswith("Thank you all.") and "Phones engaged" not in post.text
    assert "<!channel>" not in post.text and "@room" not in post.html
    assert post.chart.startswith(b"\x89PNG")
    await desk_.tick()
    assert len(staff.posts) == 2  # never again


async def test_a_crash_between_rooms_posts_the_second_on_restart_only(
        app: App, clock: FakeClock, staff: Staff) -> None:
    desk_ = desk(app, clock, staff)
    await tell(app, "@p1:x", "Phones engaged all morning")
    await say(app, "story approve 1")
    await say(app, "digest draft")
    staff.fail_in = {str(STAFF[1])}
    assert (await say(app, "digest approve")).endswith("posted to 1 of 2 staff rooms.")
    staff.fail_in = set()
    restarted = desk(app, clock, staff)
    await restarted.tick()
    assert [room for room, _ in staff.posts] == list(STAFF)
    await desk_.tick()
    assert len(staff.posts) == 2


async def test_storytellers_who_agreed_hear_their_story_is_in_the_digest(
        app: App, clock: FakeClock, staff: Staff) -> None:
    desk(app, clock, staff)
    await tell(app, "@told:x", "Phones engaged", consents="1, 3")
    await tell(app, "@quiet:x", "Parking is hard", consents="1")
    await say(app, "story approve 1")
    await say(app, "story approve 2")
    await say(app, "digest draft")
    await say(app, "digest approve")
    told = [m for m in staff.messages if "in this week's digest" in m.text]
    assert [m.room_id for m in told] == ["!dm-@told:x"]


async def test_only_moderators_can_approve_and_nothing_is_posted_otherwise(
        app: App, clock: FakeClock, staff: Staff, store: Store) -> None:
    desk(app, clock, staff)
    await tell(app, "@p1:x", "Phones engaged")
    await say(app, "story approve 1")
    await say(app, "digest draft")
    [refused] = await Chat(app, person="@p1:x", room="!dm-@p1:x").command("digest approve")
    assert refused.text.startswith("Sorry, only moderators")
    assert staff.posts == [] and await store.unsent() == []


async def test_rejecting_a_draft_posts_nothing_and_is_audited(
        app: App, clock: FakeClock, staff: Staff, store: Store) -> None:
    desk(app, clock, staff)
    await say(app, "digest draft")
    assert await say(app, "digest reject") == "Please give a reason: digest reject <reason>."
    assert (await say(app, "digest reject too thin this week")).startswith("Digest #1 is rej")
    assert staff.posts == []
    assert (await store.audit_entries())[0].reason == "too thin this week"


async def test_a_bot_that_was_down_drafts_when_it_starts(
        app: App, clock: FakeClock, staff: Staff, store: Store) -> None:
    desk_ = desk(app, clock, staff)
    await store.set_value(NEXT_DUE, MONDAY_9AM.isoformat())
    clock._now = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)  # it came back in the afternoon
    await desk_.tick()
    assert "This week's digest is ready" in staff.messages[-1].text
    assert await store.get_value(NEXT_DUE) == "2026-01-12T09:00:00+00:00"


async def test_the_clocks_changing_week_still_drafts_once_at_nine_local(
        app: App, clock: FakeClock, staff: Staff) -> None:
    desk_ = desk(app, clock, staff)
    clock._now = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # GMT; clocks go forward on the 29th
    await desk_.tick()
    assert desk_.next_run(clock.now()) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 09:00 BST
    drafts = []
    for moment in [(3, 30, 7, 59), (3, 30, 8, 0), (3, 30, 8, 59), (3, 30, 9, 0)]:
        clock._now = datetime(2026, *moment, tzinfo=UTC)
        before = len(staff.messages)
        await desk_.tick()
        drafts += [m for m in staff.messages[before:] if "digest is ready" in m.text]
    assert len(drafts) == 1
    autumn = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # 09:00 BST; GMT from the 25th
    assert desk_.next_run(autumn) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
