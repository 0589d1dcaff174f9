"""Slack text both ways, as a table: markup made plain, replies made inert and within limits."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack_blocks import (
    CHOICE_ACTION,
    MAX_BLOCKS,
    MAX_BUTTON_TEXT,
    MAX_BUTTONS,
    MAX_PAGE_TEXT,
    MAX_SECTION_TEXT,
    MULTIPLE_HINT,
    WORD_JOINER,
    answered,
    escape,
    fallback_text,
    plain_text,
    render,
    split_text,
    without_mention_of,
)
from bot.core.types import Choice, OutgoingMessage, RoomId
from tests.slack.blockkit import block_problems

WJ = WORD_JOINER


@pytest.mark.parametrize(("text", "escaped"), [
    ("plain words", "plain words"),
    ("A&E", "A&amp;E"),
    ("a < b > c", "a &lt; b &gt; c"),
    ("<!channel>", "&lt;!channel&gt;"),
    ("<!here> and <!everyone>", "&lt;!here&gt; and &lt;!everyone&gt;"),
    ("<https://evil|click>", "&lt;https://evil|click&gt;"),
    ("<@U0BOSS01> look", "&lt;@U0BOSS01&gt; look"),
    ("&lt;already&gt;", "&amp;lt;already&amp;gt;"),
    ("hey @channel and @Here", f"hey @{WJ}channel and @{WJ}Here"),
    ("@everyone!", f"@{WJ}everyone!"),
    ("@channels are words", "@channels are words"),
])
def test_escape_makes_text_inert(text: str, escaped: str) -> None:
    assert escape(text) == escaped


@pytest.mark.parametrize(("markup", "plain"), [
    ("just words", "just words"),
    ("&lt;!channel&gt; &amp; more", "<!channel> & more"),
    ("<!channel> please", "@channel please"),
    ("<!here|@here>", "@here"),
    ("<!subteam^S0MODS|@moderators>", "@moderators"),
    ("<@U0BOSS01> said", "someone said"),
    ("Dr <@U024BE7LH> was kind", "Dr someone was kind"),
    ("<@U0BOSS01|boss>", "someone"),
    ("<@W0BOSS01|@boss> and <@U0OTHER1>", "someone and someone"),
    ("in <#C0GENERAL1|general>", "in #general"),
    ("<#C0GENERAL1>", "#C0GENERAL1"),
    ("<https://nhs.uk>", "https://nhs.uk"),
    ("<https://nhs.uk|nhs.uk>", "https://nhs.uk"),
    ("<https://evil|click>", "click (https://evil)"),
    ("<mailto:a@b.org|a@b.org>", "a@b.org"),
    ("&lt;https://x|y&gt;", "<https://x|y>"),
])
def test_plain_text_reads_as_the_person_typed(markup: str, plain: str) -> None:
    assert plain_text(markup) == plain


@pytest.mark.parametrize(("markup", "left"), [
    ("<@U0STANDBOT> hi", "hi"),
    ("  <@U0STANDBOT|storyloop>: hi", "hi"),
    ("<@U0OTHER001> was great", "<@U0OTHER001> was great"),
    ("hi <@U0STANDBOT>", "hi <@U0STANDBOT>"),
])
def test_only_a_leading_mention_of_the_bot_is_dropped(markup: str, left: str) -> None:
    assert without_mention_of("U0STANDBOT", markup) == left


def reply(text: str = "Pick one", labels: tuple[str, ...] = (),
          multiple: bool = False) -> OutgoingMessage:
    return OutgoingMessage(room_id=RoomId("D0PERSON1"), text=text, multiple=multiple,
                           choices=tuple(Choice(value=label, label=label) for label in labels))


def blocks_of(out: OutgoingMessage) -> list[dict[str, Any]]:
    """The blocks of a reply that fits in one message, checked as Slack checks them."""
    [page] = render(out)
    assert block_problems(page.blocks) == []
    return page.blocks


def test_choices_are_buttons_in_blocks_of_25_with_unique_action_ids() -> None:
    labels = tuple(f"theme {n}" for n in range(30))
    blocks = blocks_of(reply(labels=labels))
    assert [b["type"] for b in blocks] == ["section", "actions", "actions"]
    buttons = blocks[1]["elements"] + blocks[2]["elements"]
    assert len(blocks[1]["elements"]) == MAX_BUTTONS
    assert [b["value"] for b in buttons] == list(labels)
    ids = [b["action_id"] for b in buttons]
    assert len(set(ids)) == 30 and all(CHOICE_ACTION.match(i) for i in ids)


def test_a_long_label_is_shortened_on_the_button_but_kept_whole_as_its_value() -> None:
    label = "Include it in weekly summaries for staff, without my name, and also " * 2
    [button] = blocks_of(reply(labels=(label,)))[1]["elements"]
    assert len(button["text"]["text"]) == MAX_BUTTON_TEXT
    assert button["text"]["text"].endswith("\u2026") and button["value"] == label


def test_long_text_is_split_into_sections_within_the_limit() -> None:
    text = "\n".join(f"\u2022 line {n}: " + " ".join(["words"] * 20) for n in range(60))
    sections = blocks_of(reply(text))
    assert len(sections) > 2
    assert all(len(s["text"]["text"]) <= MAX_SECTION_TEXT for s in sections)
    assert "\n".join(s["text"]["text"] for s in sections) == escape(text)


def test_splitting_never_breaks_an_entity() -> None:
    pieces = split_text(escape("&" * 1000), limit=MAX_SECTION_TEXT)
    assert all(len(p) <= MAX_SECTION_TEXT and p.count("&") == p.count("&amp;") for p in pieces)
    assert "".join(pieces) == "&amp;" * 1000


def test_several_choices_say_that_several_can_be_typed() -> None:
    blocks = blocks_of(reply(labels=("access", "staffing"), multiple=True))
    assert blocks[-1] == {"type": "context",
                          "elements": [{"type": "mrkdwn", "text": MULTIPLE_HINT}]}
    assert blocks_of(reply(labels=("yes", "no")))[-1]["type"] == "actions"


def test_the_fallback_text_is_escaped_with_a_numbered_list() -> None:
    out = reply("Is <!channel> OK?", ("Yes", "No <b>"))
    assert fallback_text(out) == "Is &lt;!channel&gt; OK?\n\n1. Yes\n2. No &lt;b&gt;"
    assert [page.text for page in render(out)] == [fallback_text(out)]


def test_a_reply_without_choices_is_one_section() -> None:
    assert blocks_of(reply("Thanks & bye")) == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Thanks &amp; bye"}}]


def test_answered_replaces_buttons_by_the_answer() -> None:
    blocks = blocks_of(reply(labels=("a", "b"), multiple=True))
    chosen = {"type": "context", "elements": [{"type": "mrkdwn", "text": "\u2713 &lt;b&gt;"}]}
    assert answered(blocks, "<b>") == [blocks[0], chosen]
    assert answered(blocks, None) == [blocks[0]]


def test_a_reply_over_50_blocks_goes_in_several_messages_with_the_buttons_on_the_last() -> None:
    text = "\n\n".join(f"Story {n}: " + "word " * 700 for n in range(70))
    out = reply(text, labels=tuple(f"theme {n}" for n in range(30)), multiple=True)
    pages = render(out)
    assert len(pages) > 2
    for page in pages:
        assert block_problems(page.blocks) == [] and len(page.blocks) <= MAX_BLOCKS
        assert 0 < len(page.text) <= MAX_PAGE_TEXT + 1000
    kinds = [[b["type"] for b in page.blocks] for page in pages]
    assert all(set(k) == {"section"} for k in kinds[:-1])
    assert kinds[-1][-3:] == ["actions", "actions", "context"]
    shown = "\n".join(b["text"]["text"] for p in pages for b in p.blocks if b["type"] == "section")
    assert shown.split() == escape(text).split()  # every word, in order
    assert pages[-1].text.endswith("29. theme 28\n30. theme 29")


@pytest.mark.parametrize(("label", "shown", "value"), [
    ("A&E <urgent>", "A&amp;E &lt;urgent&gt;", "A&E <urgent>"),
    ("", "1", "1"),
    ("   ", "1", "1"),
    ("&" * 80, "&amp;" * 14 + "\u2026", "&" * 80),
    ("<!channel> now", "&lt;!channel&gt; now", "<!channel> now"),
])
def test_button_labels_are_escaped_never_empty_and_within_slacks_limit(
        label: str, shown: str, value: str) -> None:
    [button] = blocks_of(reply(labels=(label,)))[1]["elements"]
    assert (button["text"]["text"], button["value"]) == (shown, value)
    assert len(button["text"]["text"]) <= MAX_BUTTON_TEXT
