"""The weekly digest: what ``draft`` lets through, and how ``digest_render`` shows it."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from bot.core.types import Consent, Platform, Role, Story, StoryStatus, TriedBy, UserId
from bot.features.digest.content import Digest, Week, draft, week_of
from bot.features.digest.render import chart_png, to_html, to_markdown_full, to_text

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
END = START + timedelta(days=7)
DURING = START + timedelta(days=2)
PHONE = "07700 900123"


def story(n: int, situation: str = "The phone line is engaged every Monday.",
          at: datetime = DURING, digest: bool = True, quote: bool = False,
          **extra: Any) -> Story:
    fields: dict[str, Any] = {"status": StoryStatus.APPROVED, "role": Role.CITIZEN,
                                 "themes": ("access",)} | extra
    return Story(id=n, platform=Platform("test"), participant=UserId(f"@p{n}"), flow="story",
                 situation=situation,
                 consent=Consent(store=True, digest=digest, quote=quote, wording_version="v1",
                                 given_at=at),
                 created_at=at, updated_at=at, **fields)


def tried(n: int, what: str = "The practice started a call-back list.", **extra: Any) -> Story:
    fields: dict[str, Any] = {"tried_by": TriedBy.SOMEONE_ELSE,
                                 "outcome": "Mondays feel calmer."} | extra
    return story(n, tried=what, **fields)


def week_digest(*stories: Story, note: str | None = None) -> Digest:
    return draft(stories, START, END, note=note)


# What draft lets through
@pytest.mark.parametrize("left_out", [
    story(9, "Hidden words", status=StoryStatus.HIDDEN),
    story(9, "Pending words", status=StoryStatus.PENDING),
    story(9, "Safeguarding words", safeguarding="self-harm"),
    story(9, "Private words", digest=False),
])
def test_only_approved_consented_safe_stories_appear(left_out: Story) -> None:
    digest = week_digest(tried(1), left_out)
    assert digest.story_ids == (1,)
    assert digest.headline.stories == 1
    assert left_out.situation not in to_text(digest) + to_html(digest)
    assert left_out.situation not in to_markdown_full([tried(1), left_out])


@pytest.mark.parametrize("at", [START - timedelta(seconds=1), END])
def test_only_stories_of_the_week_appear(at: datetime) -> None:
    digest = week_digest(tried(1), story(9, "Another week", at=at))
    assert digest.story_ids == (1,)
    assert "Another week" not in to_text(digest)


def test_quotes_only_from_people_who_agreed() -> None:
    digest = week_digest(tried(1, "A call-back list.", quote=True, outcome="Quote me on this."),
                         tried(2, "Do not quote me.", outcome="Nor this."),
                         story(3, "Quote my situation.", quote=True))
    assert digest.quotes == ("Quote me on this.", "Quote my situation.")


def test_identifying_details_are_redacted_everywhere() -> None:
    secret = tried(1, f"Ring the manager on {PHONE} for a slot.", quote=True,
                   outcome=f"She rang back from {PHONE}.", enhance=f"Text {PHONE} on Mondays",
                   themes=(f"call {PHONE}",))
    digest = week_digest(secret)
    shown = [to_text(digest), to_html(digest), to_markdown_full([secret]),
             digest.model_dump_json()]
    assert all(PHONE not in words for words in shown)
    assert "[phone removed]" in digest.tried[0].tried


def test_headline_counts_stories_something_tried_and_voices() -> None:
    digest = week_digest(tried(1, role=Role.STAFF), tried(2, role=Role.BOTH),
                         story(3, role=Role.CITIZEN),
                         tried(4, "Nothing yet.", tried_by=TriedBy.NOBODY),
                         story(5, role=Role.RATHER_NOT_SAY))
    h = digest.headline
    assert (h.stories, h.with_something_tried, h.staff, h.citizens) == (5, 2, 2, 3)
    assert digest.people_who_acted == 2
    assert [t.story_id for t in digest.tried] == [1, 2]
    assert to_text(digest).startswith(
        "5 stories this week; 2 tell of something tried; 2 from staff, "
        "3 from people who use services.")


def test_themes_are_counted_most_common_first() -> None:
    digest = week_digest(story(1, themes=("access", "GP")), story(2, themes=("GP",)),
                         story(3, themes=("maternity", "GP")))
    assert digest.themes[0] == ("GP", 3)
    assert sorted(digest.themes[1:]) == [("access", 1), ("maternity", 1)]


def test_without_weeks_the_chart_is_this_period_alone() -> None:
    digest = draft([tried(4), tried(5), story(6)], START, END)
    assert digest.weeks == (Week(starts=START.date(), stories=3, with_something_tried=2),)


def test_the_weeks_given_are_the_chart() -> None:
    before = START - timedelta(days=7)
    earlier = week_of([tried(1, at=before), story(2, at=before),
                       story(3, at=before, status=StoryStatus.HIDDEN)], before)
    this = Week(starts=START.date(), stories=3, with_something_tried=2)
    digest = draft([tried(4), tried(5), story(6)], START, END, weeks=[earlier, this])
    assert digest.weeks == (Week(starts=before.date(), stories=2, with_something_tried=1), this)


# How it reads
def test_text_leads_with_the_note_and_puts_what_was_tried_before_themes() -> None:
    digest = week_digest(tried(1, enhance="longer call-back hours", quote=True), story(2),
                         note="A good week: thank you all.")
    text = to_text(digest)
    order = ["A good week", "stories this week", "**What people tried**",
             "The practice started a call-back list (by someone else). What happened: Mondays",
             "**Themes**", "access (2)", "**In their words**", "**People who acted**",
             "**Open questions for the service**", "Could we build on: longer call-back hours",
             "is attached."]
    positions = [text.index(words) for words in order]
    assert positions == sorted(positions)


def test_text_of_a_quiet_week_is_kind_and_short() -> None:
    text = to_text(week_digest())
    assert text.startswith("No new stories this week.")
    assert "What people tried" not in text


def test_html_escapes_markup_and_defuses_room_pings() -> None:
    digest = week_digest(tried(1, '<a href="https://evil.example">click</a> @room look',
                               quote=True),
                         story(2, "<script>alert(1)</script> @ROOM", quote=True),
                         note="<b>@room</b> hello")
    body = to_html(digest)
    assert "<a " not in body and "<script" not in body and "<b>" not in body
    assert "&lt;script&gt;" in body and "&lt;a href=&quot;" in body
    assert re.search(r"@room", body, re.IGNORECASE) is None
    assert "@\u2060room" in body and "@\u2060ROOM" in body
    tags = set(re.findall(r"</?([a-z0-9]+)", body))
    assert tags <= {"h3", "p", "ul", "li", "strong", "em", "blockquote", "br"}


def test_slack_broadcasts_in_a_story_are_harmless() -> None:
    nasty = tried(1, "Tell <!channel> and @here about it", quote=True,
                  outcome="<!everyone> <@U123> saw it")
    digest = week_digest(nasty)
    for rendered in (to_text(digest), to_html(digest), to_markdown_full([nasty])):
        assert "<!channel>" not in rendered and "<!everyone>" not in rendered
        assert "<@U123>" not in rendered and "@here" not in rendered
    assert "&lt;\u2060!channel&gt;" in to_html(digest)


def test_the_full_list_is_markdown_of_every_story_redacted() -> None:
    stories = [tried(1, f"A list *anyone* can join: {PHONE}"), story(2, "[click](javascript:x)")]
    full = to_markdown_full(stories)
    assert full.startswith("# Stories in this digest (2)")
    assert "## Story 1" in full and "## Story 2" in full
    assert PHONE not in full and "\\*anyone\\*" in full
    assert "\\[click\\](javascript" in full and "[click](" not in full
    assert "@p1" not in full


# The chart
@pytest.mark.parametrize("digest", [
    week_digest(tried(1), story(2, themes=("GP", "a very long theme about parking at night"))),
    week_digest(),
])
def test_the_chart_is_an_800_by_400_png(digest: Digest) -> None:
    png = chart_png(digest)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size == (800, 400)


def test_the_chart_is_the_same_every_time() -> None:
    earlier = [Week(starts=(START - timedelta(days=7 * n)).date(), stories=n,
                    with_something_tried=n // 2) for n in range(7, 0, -1)]
    digest = draft([tried(1), story(2)], START, END, weeks=earlier)
    assert chart_png(digest) == chart_png(digest)


def test_people_who_acted_are_named_only_with_their_consent() -> None:
    named = tried(1, "A rota swap board.").model_copy(update={
        "consent": tried(1, "x").consent.model_copy(update={"name": True}),
        "acted_name": "Sam, ward 7"})
    unnamed = tried(2, "A quiet room.").model_copy(update={"acted_name": "Should not show"})
    digest = week_digest(named, unnamed)
    assert digest.named == ("Sam, ward 7",)
    assert "happy to be named: Sam, ward 7" in to_text(digest)
    assert "Should not show" not in to_text(digest)
