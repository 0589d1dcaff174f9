"""The weekly digest: what people tried, drawn from approved stories, solutions first.

``draft`` is pure: given the stories of a period (and the weeks before, for the chart), it
builds a :class:`Digest` that holds only what may be shown to staff:

* only approved stories whose tellers agreed to summaries, never one marked for
  safeguarding;
* every text redacted (``bot.features.export.public_view``);
* quotes only from people who agreed to be quoted;
* people who acted counted, and named only if they agreed to be named (and as they asked).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.core.follow_ups import Outcome, StoryUpdate
from bot.core.loop import ChangeStatus, StoryChange
from bot.core.types import Role, Story, StoryStatus, TriedBy
from bot.core.words import say
from bot.features.export import public_view
from flows.redaction import redact

MAX_TRIED = 8
MAX_QUOTES = 3
MAX_QUESTIONS = 5
MAX_YOU_SAID = 8
SAID_LENGTH = 120
QUOTE_LENGTH = 200
CHART_WEEKS = 8
"""This week and the seven before it."""
QUESTIONS = ("enhance", "restore", "replace", "become")
"""The reflection answers that become the service's open questions."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Headline(Frozen):
    stories: int
    with_something_tried: int
    staff: int
    citizens: int


class Tried(Frozen):
    story_id: int
    tried: str
    by: str
    outcome: str | None


class Week(Frozen):
    """One week of the chart: how many stories, and how many told of something tried."""

    starts: date
    stories: int
    with_something_tried: int


class YouSaid(Frozen):
    """One thing that changed because of a story: "You said, we did"."""

    story_id: int
    said: str | None
    """The start of the story, redacted; None if the story may not be in a digest."""
    status: ChangeStatus
    what: str


class HowItWent(Frozen):
    """How an experiment went, weeks later, in its teller's words: "How experiments went"."""

    story_id: int
    said: str | None
    """The start of the story, redacted; None if the story may not be in a digest."""
    outcome: Outcome
    learned: str | None
    """What its teller learned, redacted; only for a story that may be in a digest."""


class Digest(Frozen):
    period_start: datetime
    period_end: datetime
    story_ids: tuple[int, ...]
    headline: Headline
    tried: tuple[Tried, ...]
    themes: tuple[tuple[str, int], ...]
    quotes: tuple[str, ...]
    people_who_acted: int
    named: tuple[str, ...] = ()
    """People who acted and agreed to be named, as they asked to be named."""
    open_questions: tuple[str, ...]
    weeks: tuple[Week, ...]
    note: str | None = None
    """A moderator's opening line."""
    you_said: tuple[YouSaid, ...] = ()
    """What changed because of stories since the last digest."""
    changes_made: int = 0
    """Changes made because of stories since the last digest."""
    changes_made_total: int = 0
    """Changes made because of stories, in all."""
    how_it_went: tuple[HowItWent, ...] = ()
    """Follow-ups answered, and approved, since the last digest."""


def eligible(story: Story) -> bool:
    """May this story be in a digest at all?"""
    return (story.status is StoryStatus.APPROVED and story.consent.digest
            and story.safeguarding is None)


def draft(stories: Iterable[Story], start: datetime, end: datetime,
          weeks: Sequence[Week] = (), note: str | None = None) -> Digest:
    """The digest of the eligible stories created in [start, end). ``weeks`` is the chart
    (``weeks_ending``); without it, the chart is this period alone.

    Only what is shown is redacted: the few stories quoted, listed or asked about, and each
    theme once, not every story of the period (over 100,000 stories that was most of the
    drafting time)."""
    chosen = [s for s in stories if eligible(s) and start <= s.created_at < end]
    with_tried = [s for s in chosen if _acted(s)]
    this_week = Week(starts=start.date(), stories=len(chosen),
                     with_something_tried=len(with_tried))
    return Digest(
        period_start=start, period_end=end, note=note,
        story_ids=tuple(s.id for s in chosen if s.id is not None),
        headline=_headline(chosen, with_tried),
        tried=tuple(_tried(public_view(s)) for s in with_tried[:MAX_TRIED]),
        themes=_themes(chosen),
        quotes=tuple(_quote(public_view(s)) for s in islice(
            (s for s in chosen if s.consent.quote), MAX_QUOTES)),
        people_who_acted=len(with_tried),
        named=tuple(s.acted_name for s in with_tried if s.consent.name and s.acted_name),
        open_questions=tuple(islice(_questions(
            public_view(s) for s in chosen if any(getattr(s, f) for f in QUESTIONS)),
            MAX_QUESTIONS)),
        weeks=tuple(weeks) or (this_week,),
    )


def you_said(digest: Digest, changes: Sequence[StoryChange], stories: Mapping[int, Story],
             made_total: int) -> Digest:
    """``digest`` with "You said, we did": ``changes`` (those since the last digest), each
    with the start of its story if that story may be in a digest, and the counts of changes
    made. Every text is redacted."""
    said = tuple(YouSaid(story_id=c.story_id, said=_said(stories.get(c.story_id)),
                         status=c.status, what=redact(c.what)) for c in changes[-MAX_YOU_SAID:])
    made = sum(c.status is ChangeStatus.MADE for c in changes)
    return digest.model_copy(update={"you_said": said, "changes_made": made,
                                     "changes_made_total": made_total})


def how_it_went(digest: Digest, updates: Sequence[StoryUpdate],
                stories: Mapping[int, Story]) -> Digest:
    """``digest`` with "How experiments went": the approved ``updates`` (those no digest
    has carried yet), each with the start of its story and what its teller learned if
    that story may be in a digest, redacted."""
    went = tuple(_went(u, _said(stories.get(u.story_id)))
                 for u in updates if u.status is StoryStatus.APPROVED)
    return digest.model_copy(update={"how_it_went": went[-MAX_YOU_SAID:]})


def _went(update: StoryUpdate, said: str | None) -> HowItWent:
    learned = redact(update.learned) if update.learned and said is not None else None
    return HowItWent(story_id=update.story_id, said=said, outcome=update.outcome,
                     learned=learned)


def _said(story: Story | None) -> str | None:
    if story is None or not eligible(story):
        return None
    words = " ".join(redact(story.situation).split())
    return words if len(words) <= SAID_LENGTH else words[:SAID_LENGTH - 1] + "\u2026"


def weeks_ending(stories: Iterable[Story], end: datetime, zone: ZoneInfo,
                 count: int = CHART_WEEKS) -> tuple[Week, ...]:
    """The chart: ``count`` weeks back from ``end``, oldest first, each story in exactly one.

    A week is seven days on the local calendar of ``zone``: it starts at the same local time
    of day as ``end``, so a week across a clock change is 167 or 169 hours, not 168."""
    starts = [week_start(end, zone, n) for n in range(count, 0, -1)]
    edges = [*starts, end.astimezone(UTC)]
    counts = [[0, 0] for _ in starts]
    for story in stories:
        at = story.created_at
        if eligible(story) and edges[0] <= at < edges[-1]:
            bucket = counts[bisect_right(edges, at) - 1]
            bucket[0] += 1
            bucket[1] += _acted(story)
    return tuple(Week(starts=start.astimezone(zone).date(), stories=n, with_something_tried=t)
                 for start, (n, t) in zip(starts, counts, strict=True))


def week_start(end: datetime, zone: ZoneInfo, weeks_back: int = CHART_WEEKS) -> datetime:
    """The same local time as ``end``, ``weeks_back`` weeks of ``zone``'s calendar before it
    (in UTC): where the chart's oldest week starts, by default."""
    local = end.astimezone(zone).replace(tzinfo=None) - timedelta(days=7 * weeks_back)
    return local.replace(tzinfo=zone).astimezone(UTC)


def week_of(stories: Iterable[Story], start: datetime) -> Week:
    """One week (seven times 24 hours) from ``start``."""
    chosen = [s for s in stories if eligible(s)
              and start <= s.created_at < start + timedelta(days=7)]
    return Week(starts=start.date(), stories=len(chosen),
                with_something_tried=sum(_acted(s) for s in chosen))


def _themes(chosen: list[Story]) -> tuple[tuple[str, int], ...]:
    """Themes by how many stories name them, most first; each distinct theme redacted once."""
    counted: Counter[str] = Counter()
    for theme, n in Counter(t for s in chosen for t in s.themes).items():
        counted[redact(theme)] += n
    return tuple(counted.most_common())


def _acted(story: Story) -> bool:
    return bool(story.tried) and story.tried_by is not TriedBy.NOBODY


def _headline(chosen: list[Story], with_tried: list[Story]) -> Headline:
    roles = Counter(s.role for s in chosen)
    return Headline(stories=len(chosen), with_something_tried=len(with_tried),
                    staff=roles[Role.STAFF] + roles[Role.BOTH],
                    citizens=roles[Role.CITIZEN] + roles[Role.BOTH])


def _tried(story: Story) -> Tried:
    return Tried(story_id=story.id or 0, tried=story.tried or "",
                 by=(story.tried_by or TriedBy.SOMEONE_ELSE).value, outcome=story.outcome)


def _quote(story: Story) -> str:
    """Their words about what happened (what was tried is listed already)."""
    words = story.outcome or story.situation
    return words if len(words) <= QUOTE_LENGTH else words[:QUOTE_LENGTH - 1] + "\u2026"


def _questions(chosen: Iterable[Story]) -> Iterator[str]:
    """What could be enhanced, restored, replaced, become: the service's open questions."""
    for story in chosen:
        for field in QUESTIONS:
            answer = getattr(story, field)
            if answer:
                yield say(f"digest.question.{field}", answer=answer)
