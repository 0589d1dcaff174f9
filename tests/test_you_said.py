"""The digest's "You said, we did": what changed because of stories since the last digest,
with counts of changes made, redacted; and the full list carries each story's responses and
changes."""

from __future__ import annotations

from bot.app import App
from bot.core.clock import FakeClock
from tests.test_digests import Staff, desk, say, staff, tell

__all__ = ["staff"]  # the fixture


async def test_a_change_made_reaches_the_digest_once_and_counts_stay_in_all(
        app: App, clock: FakeClock, staff: Staff) -> None:
    desk(app, clock, staff)
    await tell(app, "@p1:x", "Phones engaged all morning")
    await tell(app, "@p2:x", "Parking is hard", consents="none")  # not in summaries
    await say(app, "story approve 1")
    await say(app, "story approve 2")
    await say(app, 'story respond 1 "Thank you; ring Dr Smith on 07700 900123."')
    clock.advance(minutes=1)
    await say(app, 'story change 1 made "A call-back list"')
    await say(app, 'story change 2 planned "Ten more spaces"')
    preview = await say(app, "digest draft")
    assert "You said, we did" in preview
    assert "1 change made because of stories since the last digest (1 in all)." in preview
    assert "You said: \u201cPhones engaged all morning\u201d. We did: A call-back list." in preview
    assert "Story #2: We plan: Ten more spaces." in preview and "Parking" not in preview
    await say(app, "digest approve")
    _, post = staff.posts[0]
    assert "You said, we did" in post.text and "<h3>You said, we did</h3>" in post.html
    assert "**Answer from the storyloop team:** Thank you; ring Dr \\[name removed\\] on " \
           "\\[phone removed\\]." in post.full_list
    assert "**Change made:** A call-back list" in post.full_list
    assert "07700" not in post.full_list and "Smith" not in post.full_list

    clock.advance(days=7)
    await tell(app, "@p3:x", "Lost referral letters")
    await say(app, "story approve 3")
    await say(app, 'story change 3 made "Letters are tracked"')
    later = await say(app, "digest draft")
    assert "1 change made because of stories since the last digest (2 in all)." in later
    assert "Letters are tracked" in later and "A call-back list" not in later


async def test_a_digest_with_no_changes_has_no_such_section(
        app: App, clock: FakeClock, staff: Staff) -> None:
    desk(app, clock, staff)
    await tell(app, "@p1:x", "Phones engaged all morning")
    await say(app, "story approve 1")
    assert "You said, we did" not in await say(app, "digest draft")
