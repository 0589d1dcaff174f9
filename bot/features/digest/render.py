"""A drafted :class:`~bot.features.digest.content.Digest` as people read it. Pure: no I/O,
no global state.

* :func:`to_text`: plain text (markdown-ish), readable in about two minutes, solutions first.
* :func:`to_html`: the same as Matrix HTML, using only ``h3 p ul li strong em blockquote br``;
  every piece of text escaped.
* :func:`to_markdown_full`: the full list of a digest's stories, redacted, to attach as a file.
* :func:`chart_png`: themes this week and the share of stories with something tried, by week
  (drawn by ``chart``).

Text and HTML are built from the same sections, so they always say the same thing. Words
that could ping a whole room (``@room``, ``@channel``, ``<!channel>``...) get an invisible
word joiner; the platform adapters still escape for their own markup on top of this.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bot.core.types import Role, Story
from bot.core.words import say, say_date
from bot.features.digest.content import Digest, HowItWent, Tried, YouSaid, eligible
from bot.features.export import Answered, public_view
from flows.redaction import redact

WORD_JOINER = "\u2060"
ITEM_LENGTH = 160
"""Characters of one tried, outcome or question in the short digest."""
MAX_THEMES_TEXT = 10

_PINGS = re.compile(r"@(?=(?:room|channel|here|everyone)\b)|<(?=[!@#])", re.IGNORECASE)
_BY = {"me": "digest.by.me", "my team": "digest.by.my_team",
       "someone else": "digest.by.someone_else"}
"""Who tried it, by the stored value: the key of the words for it."""
_ROLES = {Role.STAFF: "digest.role.staff", Role.CITIZEN: "digest.role.citizen",
          Role.BOTH: "digest.role.both"}

Style = Literal["note", "headline", "para", "list", "quote"]


@dataclass(frozen=True)
class DigestPart:
    heading: str | None
    style: Style
    lines: tuple[str, ...]


# The words
def sections(digest: Digest, link: str | None = None) -> list[DigestPart]:
    """What the digest says, in order, as plain unescaped words."""
    parts = [DigestPart(None, "note", (digest.note,))] if digest.note else []
    parts.append(DigestPart(None, "headline", (_headline(digest),)))
    if digest.headline.stories:
        parts += [_tried_section(digest.tried), _themes_section(digest.themes)]
        if digest.quotes:
            parts.append(DigestPart(say("digest.heading.quotes"), "quote", digest.quotes))
        parts.append(_acted_section(digest.people_who_acted, digest.named))
        if digest.open_questions:
            parts.append(DigestPart(say("digest.heading.questions"), "list",
                                    tuple(_clip(q) for q in digest.open_questions)))
    parts += _you_said_section(digest)
    parts += _how_it_went_section(digest)
    parts.append(DigestPart(None, "para", (_closing(digest, link),)))
    return parts


def _headline(digest: Digest) -> str:
    h, when = digest.headline, _period(digest)
    if not h.stories:
        return say("digest.headline.none", period=when)
    return say("digest.headline", stories=say("digest.count.stories", count=h.stories),
               period=when, tried=say("digest.count.tried", count=h.with_something_tried),
               staff=h.staff, citizens=h.citizens)


def _period(digest: Digest) -> str:
    if digest.period_end - digest.period_start <= timedelta(days=7, hours=1):
        return say("digest.period.week")
    return say("digest.period.since", date=say_date("date.day_month", digest.period_start))


def _tried_section(tried: Sequence[Tried]) -> DigestPart:
    heading = say("digest.heading.tried")
    if not tried:
        return DigestPart(heading, "para", (say("digest.tried.none"),))
    return DigestPart(heading, "list", tuple(_tried_line(t) for t in tried))


def _tried_line(tried: Tried) -> str:
    by = say(_BY[tried.by]) if tried.by in _BY else say("digest.by.other", who=tried.by)
    outcome = (say("digest.tried.outcome", outcome=_clip(tried.outcome))
               if tried.outcome and tried.outcome.strip() else say("digest.tried.too_early"))
    return say("digest.tried.line", tried=_clip(tried.tried).rstrip("."), by=by, outcome=outcome)


def _themes_section(themes: Sequence[tuple[str, int]]) -> DigestPart:
    shown = [f"{theme} ({n})" for theme, n in themes[:MAX_THEMES_TEXT]]
    if len(themes) > MAX_THEMES_TEXT:
        shown.append(say("digest.themes.more", count=len(themes) - MAX_THEMES_TEXT))
    words = ", ".join(shown) if shown else say("digest.themes.none")
    return DigestPart(say("digest.heading.themes"), "para", (words,))


def _acted_section(people: int, named: Sequence[str] = ()) -> DigestPart:
    heading = say("digest.heading.acted")
    if not people:
        return DigestPart(heading, "para", (say("digest.acted.none"),))
    thanks = (say("digest.acted.thanks_named", names=", ".join(named)) if named
              else say("digest.acted.thanks"))
    return DigestPart(heading, "para", (say("digest.acted", count=people, thanks=thanks),))


def _you_said_section(digest: Digest) -> list[DigestPart]:
    """"You said, we did": how many changes were made, then each change with its story."""
    if not digest.you_said and not digest.changes_made_total:
        return []
    counts = say("digest.changes.count", count=digest.changes_made,
                 total=digest.changes_made_total)
    parts = [DigestPart(say("digest.heading.you_said"), "para", (counts,))]
    if digest.you_said:
        parts.append(DigestPart(None, "list", tuple(map(_you_said_line, digest.you_said))))
    return parts


def _how_it_went_section(digest: Digest) -> list[DigestPart]:
    """"How experiments went": each follow-up answered since the last digest."""
    if not digest.how_it_went:
        return []
    return [DigestPart(say("digest.heading.how_it_went"), "list",
                       tuple(map(_how_it_went_line, digest.how_it_went)))]


def _how_it_went_line(item: HowItWent) -> str:
    went = say(f"digest.went.{item.outcome.name.lower()}")
    if item.said is None:
        return say("digest.how_it_went.unquoted", id=item.story_id, went=went)
    learned = say("digest.how_it_went.learned", learned=_clip(item.learned).rstrip(".")) \
        if item.learned else ""
    return say("digest.how_it_went.line", said=_clip(item.said).rstrip("."), went=went,
               learned=learned).rstrip()


def _you_said_line(item: YouSaid) -> str:
    did = say(f"digest.we_did.{item.status.name.lower()}", what=_clip(item.what).rstrip("."))
    if item.said is None:
        return say("digest.you_said.unquoted", id=item.story_id, did=did)
    return say("digest.you_said.line", said=_clip(item.said).rstrip("."), did=did)


def _closing(digest: Digest, link: str | None) -> str:
    if not digest.headline.stories:
        return say("digest.closing.none")
    return say("digest.closing.link", link=link) if link else say("digest.closing.attached")


def _clip(text: str, length: int = ITEM_LENGTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length - 1].rstrip() + "\u2026"


def defuse(text: str) -> str:
    """Text that cannot ping a room or channel: a word joiner after ``@`` in ``@room``,
    ``@channel``, ``@here``, ``@everyone``, and after ``<`` in ``<!channel>``, ``<@U1>``."""
    return _PINGS.sub(lambda m: m.group(0) + WORD_JOINER, text)


# Plain text
def to_text(digest: Digest, link: str | None = None) -> str:
    """The digest as plain text; ``link`` is where the full list is, if not attached."""
    return "\n\n".join(_text_section(s) for s in sections(digest, link))


def _text_section(section: DigestPart) -> str:
    lines = [" ".join(line.split()) for line in section.lines]
    if section.style == "list":
        lines = [f"- {line}" for line in lines]
    elif section.style == "quote":
        lines = [f"> \u201c{line}\u201d" for line in lines]
    heading = [f"**{section.heading}**"] if section.heading else []
    return defuse("\n".join(heading + lines))


# HTML
def to_html(digest: Digest, link: str | None = None) -> str:
    """The digest as HTML for Matrix's ``formatted_body``."""
    return "".join(_html_section(s) for s in sections(digest, link))


def _html_section(section: DigestPart) -> str:
    heading = f"<h3>{_h(section.heading)}</h3>" if section.heading else ""
    return heading + _html_body(section.style, [_h(line) for line in section.lines])


def _html_body(style: Style, lines: list[str]) -> str:
    if style == "list":
        return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
    if style == "quote":
        return "".join(f"<blockquote>\u201c{line}\u201d</blockquote>" for line in lines)
    wrap = {"note": "<em>{}</em>", "headline": "<strong>{}</strong>"}.get(style, "{}")
    return "".join(f"<p>{wrap.format(line)}</p>" for line in lines)


def _h(text: str) -> str:
    return html.escape(defuse(" ".join(text.split())))


# The full list
def to_markdown_full(stories: Sequence[Story], answered: Answered | None = None) -> str:
    """Every story of the digest as markdown, redacted, with no teller, place or platform,
    each with what services answered and what changed because of it. Stories that may not
    be in a digest (hidden, pending, safeguarding, no consent) are left out even if passed."""
    answered = answered or Answered()
    shown = [public_view(s) for s in stories if eligible(s)]
    head = [f"# {say('digest.full.heading', count=len(shown))}", "",
            say("digest.full.removed"), ""]
    return "\n".join(head + [block for s in shown
                             for block in _story_markdown(s) + _answered_markdown(s, answered)])


def _answered_markdown(story: Story, answered: Answered) -> list[str]:
    lines = [f"**{say('digest.full.response', signed=_md(r.signed))}:** {_md(redact(r.text))}\n"
             for r in answered.responses_to(story)]
    return lines + [f"**{say(f'digest.full.change.{c.status.name.lower()}')}:** "
                    f"{_md(redact(c.what))}\n" for c in answered.changes_to(story)]


def _story_markdown(story: Story) -> list[str]:
    who = _ROLES.get(story.role)
    title = f"## {say('digest.full.story', id=story.id)} \u00b7 {story.created_at:%Y-%m-%d}"
    told_by = f" \u00b7 {say('digest.full.told_by', who=say(who))}" if who else ""
    lines = [title + told_by, ""]
    if story.themes:
        themes = _md(", ".join(redact(t) for t in story.themes))
        lines += [f"*{say('digest.full.themes')}:* {themes}", ""]
    fields = (("situation", story.situation), ("tried", _with_by(story)),
              ("outcome", story.outcome), ("spread", story.spread), ("enhance", story.enhance),
              ("restore", story.restore), ("replace", story.replace), ("become", story.become))
    return lines + [f"**{say(f'digest.full.{name}')}:** {_md(text)}\n"
                    for name, text in fields if text]


def _with_by(story: Story) -> str | None:
    if not story.tried:
        return None
    key = _BY.get(story.tried_by.value) if story.tried_by else None
    return f"{story.tried.rstrip('.')} ({say(key)})." if key else story.tried


def _md(text: str) -> str:
    """Words that show as written: no markup, links, HTML or pings from a story."""
    flat = html.escape(defuse(" ".join(text.split())), quote=False)
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", flat)


# The chart
def chart_png(digest: Digest) -> bytes:
    """An 800 x 400 PNG: themes this week (left), share of stories with something tried in
    each week of ``digest.weeks`` (right); see ``bot.features.digest.chart``."""
    title = say("digest.chart.title", stories=say("digest.count.stories",
                                                  count=digest.headline.stories),
                period=_period(digest))
    from bot.features.digest import chart  # Pillow: when a digest is drawn, not at start-up

    return chart.chart_png(title, digest.themes, digest.weeks)
