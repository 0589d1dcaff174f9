"""What a Matrix event becomes, tested on event JSON from a real Synapse (``data/``), parsed by
matrix-nio as a sync parses it. No homeserver is needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nio import (
    BadEvent,
    Event,
    RedactedEvent,
    RoomMessageEmote,
    RoomMessageNotice,
    RoomMessageText,
    RoomMessageUnknown,
)

from adapters.matrix.events import Me, RoomFacts, joined, message_from_event, messages
from bot.core.types import EventId, IncomingMessage, MessageKind, Platform, RoomId, UserId

DATA = Path(__file__).parent / "data"
ROOM = "!WDFkKDURgrWW_JqDxffN6C4yu1jzZt3fuLBLGPPrG_M"
DM = RoomFacts(ROOM, member_count=2)
GROUP = RoomFacts(ROOM, member_count=3)
BOT = Me("@storyloop:localhost")
ALICE, BOB = "@alice:localhost", "@bob:localhost"
TEXT_ID = "$nQu61suTG3vHApQPuWq7gi_Zf_kDCaJqU0a83uiWtoU"
REPLY_ID = "$20girTFru80dpYoXR8Lc7U6WEzNN3GsVDt_6cfuvXBg"
COMMAND_ID = "$xMr-YNwhgiMXreSFprUAqohowgovFuFDeV_CY7G5p88"
REDACTION_ID = "$KQn5Ev4q3fsw1dfk8lCoTnIyYWW_hbKLyWaQfE182XE"


def event(name: str) -> Any:
    """The event in ``data/{name}.json``, parsed by nio as it parses a sync's timeline."""
    return Event.parse_event(json.loads((DATA / f"{name}.json").read_text()))


def at(second: int, millis: int) -> datetime:
    """When, on 2026-11-30 at 06:34, the test server received an event."""
    return datetime(2026, 11, 30, 6, 34, second, millis * 1000, tzinfo=UTC)


def said(sender: str, event_id: str, text: str, when: datetime,
         **fields: Any) -> IncomingMessage:
    """The message we expect, in a direct chat unless ``fields`` say otherwise."""
    return IncomingMessage(platform=Platform("matrix"), room_id=RoomId(ROOM),
                           sender_id=UserId(sender), event_id=EventId(event_id), text=text,
                           timestamp=when, **fields)


def test_text_in_a_direct_chat_is_the_persons_message() -> None:
    assert message_from_event(event("text"), DM, BOT) == said(
        ALICE, TEXT_ID, "The phone line is bad", at(36, 604), is_direct=True, addressed=True,
        kind=MessageKind.MESSAGE, target_event_id=None)


@pytest.mark.parametrize("me", [BOT, Me("@another-bot:localhost")])
def test_a_notice_is_never_a_message(me: Me) -> None:
    notice = event("notice_from_bot")
    assert isinstance(notice, RoomMessageNotice) and notice.sender == BOT.user_id
    assert message_from_event(notice, DM, me) is None


def test_text_sent_by_the_bots_own_account_is_not_a_message() -> None:
    assert message_from_event(event("text"), DM, Me(ALICE)) is None


def test_an_edit_arriving_with_its_message_gives_the_message_the_new_text() -> None:
    assert messages([event("text"), event("edit")], DM, BOT) == [
        said(ALICE, TEXT_ID, "The surgery phone line is engaged every Monday.", at(36, 604))]


def test_an_edit_of_a_message_already_handled_is_dropped() -> None:
    edit = event("edit")
    assert isinstance(edit, RoomMessageText) and edit.body.startswith("* ")
    assert message_from_event(edit, DM, BOT) is None
    assert messages([edit], DM, BOT) == []


def test_a_reply_loses_its_quoted_fallback() -> None:
    reply = event("reply_with_fallback")
    assert reply.body.startswith("> <@storyloop:localhost> Shall we start?")
    assert message_from_event(reply, DM, BOT) == said(
        ALICE, REPLY_ID, "Yes, let's start", at(36, 896))


@pytest.mark.parametrize("room", [DM, GROUP])
def test_a_redaction_retracts_the_message_it_names(room: RoomFacts) -> None:
    assert message_from_event(event("redaction"), room, BOT) == said(
        ALICE, REDACTION_ID, "", at(37, 48), is_direct=room.is_direct,
        kind=MessageKind.RETRACTED, target_event_id=EventId(TEXT_ID))


@pytest.mark.parametrize("room", [DM, GROUP])
def test_bang_status_is_the_command_status_wherever_it_is_typed(room: RoomFacts) -> None:
    assert message_from_event(event("command_status"), room, BOT) == said(
        ALICE, COMMAND_ID, "status", at(36, 981), is_direct=room.is_direct, addressed=True,
        kind=MessageKind.COMMAND)


def test_with_another_command_prefix_bang_status_is_just_words() -> None:
    msg = message_from_event(event("command_status"), DM, Me(BOT.user_id, command_prefix="?"))
    assert msg is not None and (msg.text, msg.kind) == ("!status", MessageKind.MESSAGE)


def test_the_prefix_alone_is_not_a_command() -> None:
    assert message_from_event(event("bare_prefix"), DM, BOT) == said(
        ALICE, "$X7R8W6S3jVGdZasvthZwg34lFnZnu1tLhrXVSHhdnVs", "!", at(37, 632))


@pytest.mark.parametrize(("name", "event_id", "text", "when", "addressed"), [
    ("group_mentions_bot", "$iyZSrhPN_gbwjxACqh9TOMa1YEMv-QQCX45Jtz7I670",
     "Can I tell you about our ward?", at(37, 108), True),  # by m.mentions alone
    ("group_names_bot", "$sxORImXOSg6kyCjKcfdDQGWlZsSHwmn-fHquLnMeBN4",
     "storyloop, are you there?", at(37, 381), True),  # by the bot's name alone
    ("group_old_pill_no_mentions", "$hmX6f_uGf6A0Ja7vB-9fcoyVZapLoCzV6UGpdJFkbIs",
     "Bot: hello", at(37, 539), True),  # by a pill in the HTML alone
    ("group_pill_mentions_bot", "$88jU2c-RDYWM0lQ6L2imZX68PqEeA62EPL9KX_9xfM4",
     "Storyloop Bot: hello, I have a story", at(37, 175), True),
    ("group_no_mention", "$zxbog2B8PU73dGdNNGArKNv5oZsqyTtVQmZEga-IscM",
     "Has anyone seen the new rota?", at(37, 238), False),
])
def test_in_a_group_room_a_message_is_addressed_when_it_mentions_the_bot(
        name: str, event_id: str, text: str, when: datetime, addressed: bool) -> None:
    assert message_from_event(event(name), GROUP, BOT) == said(
        BOB, event_id, text, when, is_direct=False, addressed=addressed)


def test_in_a_direct_chat_every_message_is_addressed() -> None:
    msg = message_from_event(event("group_no_mention"), DM, BOT)
    assert msg is not None and msg.is_direct and msg.addressed


@pytest.mark.parametrize(("name", "parsed_as"), [
    ("emote", RoomMessageEmote),
    ("redacted_text", RedactedEvent),
    ("unknown_msgtype", RoomMessageUnknown),
    ("odd_no_body", BadEvent),
])
def test_events_that_are_not_words_to_the_bot(name: str, parsed_as: type) -> None:
    parsed = event(name)
    assert isinstance(parsed, parsed_as)
    assert message_from_event(parsed, DM, BOT) is None


def test_a_batch_keeps_its_order_and_leaves_out_what_is_not_a_message() -> None:
    batch = [event(name) for name in ("text", "notice_from_bot", "reply_with_fallback",
                                      "emote", "command_status", "redaction")]
    found = [(m.event_id, m.kind) for m in messages(batch, DM, BOT)]
    assert found == [(TEXT_ID, MessageKind.MESSAGE), (REPLY_ID, MessageKind.MESSAGE),
                     (COMMAND_ID, MessageKind.COMMAND), (REDACTION_ID, MessageKind.RETRACTED)]


@pytest.mark.parametrize(("room", "invited_direct", "is_direct"), [
    (DM, False, True), (GROUP, True, True), (GROUP, False, False)])
def test_joining_is_a_hello_from_the_inviter(room: RoomFacts, invited_direct: bool,
                                             is_direct: bool) -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert joined(room, ALICE, invited_direct, now) == said(
        ALICE, f"joined:{ROOM}", "", now, is_direct=is_direct, kind=MessageKind.JOINED)


# Odd events: fields that are not what the spec says count as absent.

def test_a_relation_that_is_not_an_object_leaves_plain_words() -> None:
    assert message_from_event(event("odd_relates_to_not_an_object"), DM, BOT) == said(
        ALICE, "$M6p8cJ23nMamfXUqg5wSbq1vQOkV0knPHLX2_MgZt9E", "A phone line", at(37, 692))


@pytest.mark.parametrize("name", ["odd_edit_without_target", "odd_new_content_not_an_object"])
def test_an_edit_without_a_target_or_new_text_changes_nothing(name: str) -> None:
    edit = event(name)
    assert isinstance(edit, RoomMessageText) and edit.body == "* fixed"
    assert messages([event("text"), edit], DM, BOT) == [
        said(ALICE, TEXT_ID, "The phone line is bad", at(36, 604))]


@pytest.mark.parametrize(("name", "event_id", "text", "when"), [
    ("odd_mentions_user_ids_a_string", "$oAEilDCgVzyXYv2uwI1XP49XdGmYm7H3OA8hSPozpPE",
     "hi all", at(37, 826)),
    ("odd_mentions_null", "$hand-made-odd-mentions-null", "Anyone about?", at(38, 100)),
])
def test_mentions_that_are_not_a_list_of_user_ids_mention_no_one(
        name: str, event_id: str, text: str, when: datetime) -> None:
    assert message_from_event(event(name), GROUP, BOT) == said(
        ALICE, event_id, text, when, is_direct=False, addressed=False)
