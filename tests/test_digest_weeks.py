"""The digest chart's weeks: every story in exactly one week, weeks on London's calendar (so a
week across a clock change is 167 or 169 hours), and counts worded with the right plural."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.types import StoryStatus
from bot.features.digest.content import Digest, Week, draft, weeks_ending
from bot.features.digest.render import to_text
from storage.base import Store
from tests.test_digest import story, tried
from tests.test_digests import Staff, desk, tell
from tests.test_moderation import moderator

LONDON = ZoneInfo("Europe/London")


def _where(weeks: tuple[Week, ...]) -> list[int]:
    return [w.stories for w in weeks]


def test_a_story_on_either_side_of_the_boundary_is_in_one_week_only() -> None:
    end = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # Monday 09:00, GMT
    boundary = end - timedelta(days=7)
    stories = [tried(1, at=boundary - timedelta(minutes=1)), story(2, at=boundary),
               story(3, at=end - timedelta(minutes=1)), story(4, at=end)]
    weeks = weeks_ending(stories, end, LONDON)
    assert len(weeks) == 8 and sum(_where(weeks)) == 3
    assert weeks[-2] == Week(starts=date(2025, 12, 29), stories=1, with_something_tried=1)
    assert weeks[-1] == Week(starts=boundary.date(), stories=2, with_something_tried=0)


def test_hidden_and_unconsented_stories_are_not_counted() -> None:
    end = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    during = end - timedelta(days=2)
    stories = [story(1, at=during, status=StoryStatus.HIDDEN), story(2, at=during, digest=False),
               story(3, at=during)]
    assert _where(weeks_ending(stories, end, LONDON))[-1] == 1


def test_weeks_follow_london_when_the_clocks_go_forward() -> None:
    end = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 BST
    last_monday = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 GMT: 169 hours
    weeks = weeks_ending([story(1, at=last_monday - timedelta(minutes=30)),
                          story(2, at=last_monday + timedelta(minutes=30))], end, LONDON)
    assert _where(weeks)[-2:] == [1, 1]
    assert weeks[-1].starts.isoformat() == "2026-03-23"


def test_weeks_follow_london_when_the_clocks_go_back() -> None:
    end = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # Monday 09:00 GMT
    last_monday = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # Monday 09:00 BST: 167 hours
    weeks = weeks_ending([story(1, at=last_monday - timedelta(minutes=30)),
                          story(2, at=last_monday + timedelta(minutes=30))], end, LONDON)
    assert _where(weeks)[-2:] == [1, 1]
    assert [w.starts.isoformat() for w in weeks[-2:]] == ["2026-10-12", "2026-10-19"]


async def test_this_weeks_story_is_in_this_weeks_bar_only(
        app: App, clock: FakeClock, store: Store) -> None:
    """The bug: the bar before "this week" covered the same seven days and counted it too."""
    clock._now = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)  # a Wednesday
    desk(app, clock, Staff())
    await tell(app, "@p1:x", "Phones engaged all morning")
    mod = moderator(app)
    await mod.command("story approve 1")
    clock._now = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    await mod.command("digest draft")
    await mod.command("digest approve")
    record = await store.get_digest(1)
    assert record is not None and record.content is not None
    weeks = Digest.model_validate_json(record.content).weeks
    assert _where(weeks) == [0] * 7 + [1]
    assert weeks[-1].starts.isoformat() == "2026-01-05"


def test_one_story_is_one_story() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    one = draft([tried(1, at=start + timedelta(days=1))], start, start + timedelta(days=7))
    assert to_text(one).splitlines()[0].startswith("1 story this week; 1 tells of something")
    two = draft([tried(1, at=start + timedelta(days=1)), story(2, at=start + timedelta(days=2))],
                start, start + timedelta(days=7))
    assert to_text(two).splitlines()[0].startswith("2 stories this week; 1 tells of")


async def test_the_oldest_week_keeps_its_extra_hour_after_the_clocks_go_back(
        app: App, clock: FakeClock, store: Store) -> None:
    """Eight London weeks before 9 November 09:00 GMT start at 08:00 UTC on 14 September, an
    hour before "56 days ago": a story told in that hour is in the chart."""
    clock._now = datetime(2026, 9, 14, 8, 30, tzinfo=UTC)
    desk(app, clock, Staff())
    await tell(app, "@p1:x", "Phones engaged all morning")
    mod = moderator(app)
    await mod.command("story approve 1")
    clock._now = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
    await mod.command("digest draft")
    await mod.command("digest approve")
    record = await store.get_digest(1)
    assert record is not None and record.content is not None
    weeks = Digest.model_validate_json(record.content).weeks
    assert _where(weeks) == [1] + [0] * 7
    assert weeks[0].starts.isoformat() == "2026-09-14"
