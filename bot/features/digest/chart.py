"""The digest's chart, drawn with Pillow: an 800 x 400 PNG, themes this week on the left and
the share of stories with something tried in each week on the right. Pure and deterministic:
the same digest gives the same bytes.

Why not matplotlib (used before): importing it and laying out a constrained figure took
about 0.8 s of the digest's 1.4 s over 100,000 stories (``bench/digest.py``); Pillow imports
in 0.06 s and draws this in a few milliseconds. The font is Pillow's own (``load_default``),
so no font file has to be found on the machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.core.words import say, say_date
from bot.features.digest.content import Week

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Box = tuple[int, int, int, int]
"""left, top, right, bottom"""

WIDTH, HEIGHT = 800, 400
MAX_THEMES = 8
BLUE, ORANGE, VERMILLION, GREY, LIGHT = "#0072B2", "#E69F00", "#D55E00", "#333333", "#BBBBBB"
"""Okabe-Ito colours: told apart with any colour vision."""
LEFT: Box = (12, 44, 404, 388)
RIGHT: Box = (452, 44, 790, 388)


@cache
def font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def chart_png(title: str, themes: Sequence[tuple[str, int]], weeks: Sequence[Week]) -> bytes:
    """The chart as PNG bytes, under ``title``."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH // 2, 8), title, fill=GREY, font=font(17), anchor="mt")
    themes_chart(draw, LEFT, themes[:MAX_THEMES])
    tried_chart(image, draw, RIGHT, weeks)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def themes_chart(draw: ImageDraw.ImageDraw, box: Box,
                 themes: Sequence[tuple[str, int]]) -> None:
    left, top, right, bottom = box
    draw.text((left, top), say("digest.chart.themes"), fill=GREY, font=font(14))
    if not themes:
        _empty(draw, box, say("digest.chart.no_themes"))
        return
    labels = [_clip(theme, 22) for theme, _ in themes]
    axis = left + 8 + max(int(draw.textlength(label, font=font(11))) for label in labels)
    row = min(36, (bottom - top - 30) // len(themes))
    most = max(n for _, n in themes)
    room = right - axis - 30
    for n, (label, (_, count)) in enumerate(zip(labels, themes, strict=True)):
        y = top + 30 + n * row
        end = axis + max(1, round(room * count / most))
        draw.rectangle((axis, y + 3, end, y + row - 5), fill=BLUE)
        middle = y + (row - 2) // 2
        draw.text((axis - 6, middle), label, fill=GREY, font=font(11), anchor="rm")
        draw.text((end + 4, middle), str(count), fill=GREY, font=font(11), anchor="lm")
    draw.line((axis, top + 28, axis, top + 30 + len(themes) * row), fill=GREY)


def tried_chart(image: Image.Image, draw: ImageDraw.ImageDraw, box: Box,
                weeks: Sequence[Week]) -> None:
    left, top, right, bottom = box
    draw.text((left, top), say("digest.chart.tried"), fill=GREY, font=font(14))
    if not weeks:
        _empty(draw, box, say("digest.chart.no_weeks"))
        return
    plot = (left + 40, top + 34, right, bottom - 70)
    _percent_axis(draw, plot)
    slot = (plot[2] - plot[0]) / len(weeks)
    labels = [say_date("date.day_month_short", w.starts) for w in weeks[:-1]]
    labels.append(say("digest.chart.this_week"))
    for n, week in enumerate(weeks):
        x0 = round(plot[0] + slot * n + slot * 0.15)
        x1 = round(plot[0] + slot * (n + 1) - slot * 0.15)
        share = week.with_something_tried / week.stories if week.stories else 0.0
        y = round(plot[3] - (plot[3] - plot[1]) * share)
        colour = VERMILLION if n == len(weeks) - 1 else ORANGE
        if week.stories and y < plot[3]:
            draw.rectangle((x0, y, x1, plot[3]), fill=colour)
        text = f"{100 * share:.0f}%" if week.stories else say("digest.chart.none")
        draw.text(((x0 + x1) // 2, y - 3), text, fill=GREY, font=font(10), anchor="mb")
        _slanted(image, labels[n], (x1, plot[3] + 4))
    draw.text(((plot[0] + plot[2]) // 2, bottom), say("digest.chart.week_starting"),
              fill=GREY, font=font(11), anchor="mb")


def _percent_axis(draw: ImageDraw.ImageDraw, plot: Box) -> None:
    left, top, right, bottom = plot
    for percent in (0, 25, 50, 75, 100):
        y = round(bottom - (bottom - top) * percent / 100)
        draw.text((left - 6, y), f"{percent}%", fill=GREY, font=font(10), anchor="rm")
        if percent:
            draw.line((left, y, right, y), fill="#EEEEEE")
    draw.line((left, top, left, bottom), fill=GREY)
    draw.line((left, bottom, right, bottom), fill=GREY)


def _slanted(image: Image.Image, text: str, top_right: tuple[int, int]) -> None:
    """``text`` at 45 degrees, its end at ``top_right`` (like a rotated tick label)."""
    width = int(font(10).getlength(text)) + 4
    label = Image.new("RGBA", (width, 14), (255, 255, 255, 0))
    ImageDraw.Draw(label).text((width, 7), text, fill=GREY, font=font(10), anchor="rm")
    turned = label.rotate(45, expand=True, resample=Image.Resampling.BICUBIC)
    image.paste(turned, (top_right[0] - turned.width, top_right[1]), turned)


def _empty(draw: ImageDraw.ImageDraw, box: Box, words: str) -> None:
    left, top, right, bottom = box
    draw.text(((left + right) // 2, (top + bottom) // 2), words, fill=GREY, font=font(12),
              anchor="mm")


def _clip(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length - 1].rstrip() + "\u2026"
