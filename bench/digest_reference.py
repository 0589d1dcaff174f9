"""The digest as it was drafted and drawn before issue 12, kept as the bench's reference:
``draft`` built the redacted view of every story in the period, ``week_of`` went over the
stories once per week, and the chart was drawn with matplotlib (imported on first use, with
a constrained layout). ``bench/digest.py`` times this and the current code in the same run.
Not used by storyloop itself.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.types import Story
from bot.core.words import say, say_date
from bot.features.digest.content import (
    MAX_QUESTIONS,
    MAX_QUOTES,
    MAX_TRIED,
    Digest,
    Week,
    _acted,
    _headline,
    _questions,
    _quote,
    _tried,
    eligible,
)
from bot.features.digest.render import _clip, _period
from bot.features.export import public_view
from flows.redaction import redact

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_THEMES_CHART = 8
CHART_SIZE = (8.0, 4.0)
CHART_DPI = 100
BLUE, ORANGE, VERMILLION, GREY = "#0072B2", "#E69F00", "#D55E00", "#333333"


def draft(stories: Iterable[Story], start: datetime, end: datetime,
          earlier: Sequence[Week] = (), note: str | None = None) -> Digest:
    """The digest of the eligible stories created in [start, end)."""
    chosen = [public_view(s) for s in stories
              if eligible(s) and start <= s.created_at < end]
    with_tried = [s for s in chosen if _acted(s)]
    this_week = Week(starts=start.date(), stories=len(chosen),
                     with_something_tried=len(with_tried))
    return Digest(
        period_start=start, period_end=end, note=note,
        story_ids=tuple(s.id for s in chosen if s.id is not None),
        headline=_headline(chosen, with_tried),
        tried=tuple(_tried(s) for s in with_tried[:MAX_TRIED]),
        themes=tuple(Counter(redact(t) for s in chosen for t in s.themes).most_common()),
        quotes=tuple(_quote(s) for s in chosen if s.consent.quote)[:MAX_QUOTES],
        people_who_acted=len(with_tried),
        named=tuple(s.acted_name for s in with_tried if s.consent.name and s.acted_name),
        open_questions=tuple(_questions(chosen))[:MAX_QUESTIONS],
        weeks=(*earlier, this_week),
    )


def week_of(stories: Iterable[Story], start: datetime) -> Week:
    """One earlier week for the chart."""
    chosen = [s for s in stories if eligible(s)
              and start <= s.created_at < start + timedelta(days=7)]
    return Week(starts=start.date(), stories=len(chosen),
                with_something_tried=sum(_acted(s) for s in chosen))


def chart_png(digest: Digest) -> bytes:
    """An 800 x 400 PNG: themes this week (left), share of stories with something tried in
    each week of ``digest.weeks`` (right). matplotlib is imported here, not at start-up:
    it costs about a second, and most runs of storyloop never draw a chart."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
    themes, tried = figure.subplots(1, 2, width_ratios=(1.1, 1))
    _themes_chart(themes, digest.themes[:MAX_THEMES_CHART])
    _tried_chart(tried, digest.weeks)
    title = say("digest.chart.title", stories=say("digest.count.stories",
                                                  count=digest.headline.stories),
                period=_period(digest))
    figure.suptitle(title, fontsize=13, color=GREY)
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_figure(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _themes_chart(ax: Axes, themes: Sequence[tuple[str, int]]) -> None:
    ax.set_title(say("digest.chart.themes"), fontsize=11, color=GREY, loc="left")
    if not themes:
        _empty(ax, say("digest.chart.no_themes"))
        return
    labels = [_clip(theme, 22) for theme, _ in themes][::-1]
    counts = [n for _, n in themes][::-1]
    bars = ax.barh(labels, counts, color=BLUE)
    ax.bar_label(bars, padding=3, fontsize=9, color=GREY)
    ax.set_xlim(0, max(counts) * 1.18)
    ax.xaxis.set_visible(False)
    _plain_frame(ax)
    ax.tick_params(axis="y", length=0, labelsize=9, labelcolor=GREY)


def _tried_chart(ax: Axes, weeks: Sequence[Week]) -> None:
    ax.set_title(say("digest.chart.tried"), fontsize=11, color=GREY, loc="left")
    if not weeks:
        _empty(ax, say("digest.chart.no_weeks"))
        return
    shares = [100 * w.with_something_tried / w.stories if w.stories else 0.0 for w in weeks]
    labels = [say_date("date.day_month_short", w.starts) for w in weeks[:-1]]
    labels.append(say("digest.chart.this_week"))
    colours = [ORANGE] * (len(weeks) - 1) + [VERMILLION]
    bars = ax.bar(range(len(weeks)), shares, color=colours, width=0.7)
    none = say("digest.chart.none")
    ax.bar_label(bars, labels=[f"{s:.0f}%" if w.stories else none for s, w in
                               zip(shares, weeks, strict=True)], padding=2, fontsize=8,
                 color=GREY)
    ax.set_xticks(range(len(weeks)), labels, rotation=45, ha="right", fontsize=8, color=GREY)
    ax.set_ylim(0, 112)
    ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=8,
                  color=GREY)
    ax.set_xlabel(say("digest.chart.week_starting"), fontsize=8, color=GREY)
    _plain_frame(ax)


def _plain_frame(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _empty(ax: Axes, words: str) -> None:
    ax.text(0.5, 0.5, words, ha="center", va="center", fontsize=10, color=GREY,
            transform=ax.transAxes)
    ax.set_axis_off()
