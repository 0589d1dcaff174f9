"""Slack payloads as IncomingMessages: what a person said, edited, deleted, pressed or typed
as a slash command, in the platform-neutral shape ``App.handle`` takes.

Every message gets one event id, ``{channel}:{ts}``, however often and through whichever event
Slack delivers it (a retry, or ``message`` and ``app_mention`` for the same words), so the store
applies it once. The bot's own messages and other bots' are never a person's.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from adapters.slack_blocks import plain_text, without_mention_of
from bot.core.types import EventId, IncomingMessage, MessageKind, Platform, RoomId, UserId

JsonDict = dict[str, Any]
PLATFORM = Platform("slack")
_PLAIN_SUBTYPES = (None, "file_share", "thread_broadcast", "me_message")
_CHOICE_NUMBER = re.compile(r"^storyloop-choice-(\d+)$")


def message_from_event(event: JsonDict, bot_user_id: str | None) -> IncomingMessage | None:
    """A person's direct message, edit or deletion; None for anything else, and for a
    payload missing what identifies it (who, where, which message)."""
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        return _retraction(event, bot_user_id)
    if subtype == "message_changed":
        return message_from_event(_edited(event), bot_user_id)
    if subtype not in _PLAIN_SUBTYPES or _from_bot(event, bot_user_id) or not _in_dm(event):
        return None
    return _said(event, bot_user_id, is_direct=True)


def mention_from_event(event: JsonDict, bot_user_id: str | None) -> IncomingMessage | None:
    """A person mentioning the bot; None for another app's or a bot's message."""
    if _from_bot(event, bot_user_id):
        return None
    return _said(event, bot_user_id, is_direct=_in_dm(event))


def thread_of(event: JsonDict) -> str | None:
    """The thread a message was written in (replies go there), or None at the top level."""
    if event.get("subtype") == "message_changed":
        return thread_of(_edited(event))
    thread = event.get("thread_ts")
    return str(thread) if thread else None


def choice_from_payload(body: JsonDict, action: JsonDict) -> IncomingMessage | None:
    """A button press is the person answering with that choice: its number, which means
    exactly that choice whatever its words hold ("A&E" is one theme, not two), as typing
    the number would (None for a payload missing who pressed, where, or when)."""
    container = body.get("container") or {}
    channel, message_ts = container.get("channel_id"), container.get("message_ts")
    user, pressed = (body.get("user") or {}).get("id"), action.get("action_ts")
    when = _time(pressed)
    if not (channel and message_ts and user and when):
        return None
    press = f"{channel}:{message_ts}:{action.get('action_id')}:{pressed}"
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(channel), sender_id=UserId(user),
        event_id=EventId(press), text=_answer_of(action),
        is_direct=str(channel).startswith("D"), timestamp=when)


def _answer_of(action: JsonDict) -> str:
    numbered = _CHOICE_NUMBER.match(str(action.get("action_id", "")))
    return str(int(numbered.group(1)) + 1) if numbered else str(action.get("value", ""))


def command_from_payload(body: JsonDict, action: JsonDict) -> IncomingMessage | None:
    """A command button (on a moderators' notice) is that command, typed by whoever pressed."""
    pressed = choice_from_payload(body, action)
    return pressed and pressed.model_copy(update={"kind": MessageKind.COMMAND})


def command_message(command: JsonDict, now: datetime) -> IncomingMessage | None:
    """``/storyloop status`` -> a COMMAND ``status`` (an empty one asks for help). Its id is
    the command's trigger_id, unique to each use, so a replay is known as one."""
    channel, user, trigger = (command.get(k) for k in ("channel_id", "user_id", "trigger_id"))
    if not (channel and user and trigger):
        return None
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(channel), sender_id=UserId(user),
        event_id=EventId(f"{channel}:command:{trigger}"),
        text=plain_text(command.get("text") or "").strip() or "help",
        is_direct=str(channel).startswith("D"), timestamp=now, kind=MessageKind.COMMAND)


def joined(dm: RoomId, command: JsonDict, now: datetime) -> IncomingMessage:
    """``/story``: as if the person had just opened a direct chat with the bot."""
    return IncomingMessage(
        platform=PLATFORM, room_id=dm, sender_id=UserId(command["user_id"]),
        event_id=EventId(f"{dm}:story:{command['trigger_id']}"), text="", is_direct=True,
        timestamp=now, kind=MessageKind.JOINED)


def message_id(channel: str, ts: str) -> EventId:
    """One id per Slack message, however often and by whichever event it is delivered."""
    return EventId(f"{channel}:{ts}")


def _said(event: JsonDict, bot_user_id: str | None, is_direct: bool) -> IncomingMessage | None:
    channel, user, ts = event.get("channel"), event.get("user"), event.get("ts")
    when = _time(ts)
    if not (channel and user and ts and when):
        return None
    text = plain_text(without_mention_of(bot_user_id, event.get("text") or ""))
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(channel), sender_id=UserId(user),
        event_id=message_id(channel, ts), text=text.strip(), is_direct=is_direct,
        timestamp=when)


def _edited(event: JsonDict) -> JsonDict:
    """The message as edited; Slack may leave out its ts (the edited message keeps the one
    in ``previous_message``) and its channel (the event's)."""
    message = event.get("message") or {}
    ts = message.get("ts") or (event.get("previous_message") or {}).get("ts")
    return {**message, "channel": event.get("channel", ""),
            "channel_type": event.get("channel_type"), "ts": ts}


def _retraction(event: JsonDict, bot_user_id: str | None) -> IncomingMessage | None:
    previous = event.get("previous_message") or {}
    deleted = event.get("deleted_ts") or previous.get("ts")
    channel = event.get("channel")
    when = _time(event.get("event_ts") or deleted)
    if _from_bot(previous, bot_user_id) or not (deleted and channel and when) \
            or not _in_dm(event):
        return None
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(channel), sender_id=UserId(previous["user"]),
        event_id=EventId(f"{message_id(channel, deleted)}:deleted"), text="",
        timestamp=when, kind=MessageKind.RETRACTED, target_event_id=message_id(channel, deleted))


def _from_bot(message: JsonDict, bot_user_id: str | None) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message"
                or message.get("bot_profile") or message.get("app_id")
                or not message.get("user") or message.get("user") == bot_user_id)


def _in_dm(event: JsonDict) -> bool:
    return bool(event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D"))


def _time(ts: object) -> datetime | None:
    """A Slack ts ("1700000000.000100") as an aware time; None if it is not one."""
    try:
        return datetime.fromtimestamp(float(str(ts)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
