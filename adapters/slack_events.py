"""Slack payloads as IncomingMessages: what a person said, edited, deleted, pressed or typed
as a slash command, in the platform-neutral shape ``App.handle`` takes.

Every message gets one event id, ``{channel}:{ts}``, however often and through whichever event
Slack delivers it (a retry, or ``message`` and ``app_mention`` for the same words), so the store
applies it once. The bot's own messages and other bots' are never a person's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.slack_blocks import plain_text, without_mention_of
from bot.core.types import EventId, IncomingMessage, MessageKind, Platform, RoomId, UserId

JsonDict = dict[str, Any]
PLATFORM = Platform("slack")
_PLAIN_SUBTYPES = (None, "file_share", "thread_broadcast", "me_message")


def message_from_event(event: JsonDict, bot_user_id: str | None) -> IncomingMessage | None:
    """A person's direct message, edit or deletion; None for anything else."""
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        return _retraction(event, bot_user_id)
    if subtype == "message_changed":
        edited = {**event.get("message", {}), "channel": event.get("channel", "")}
        return message_from_event(edited, bot_user_id)
    if subtype not in _PLAIN_SUBTYPES or _from_bot(event, bot_user_id) or not _in_dm(event):
        return None
    return _said(event, bot_user_id, is_direct=True)


def mention_from_event(event: JsonDict, bot_user_id: str | None) -> IncomingMessage:
    return _said(event, bot_user_id, is_direct=_in_dm(event))


def choice_from_payload(body: JsonDict, action: JsonDict) -> IncomingMessage:
    """A button press is the person answering with that choice's words."""
    container = body["container"]
    channel = container["channel_id"]
    press = f"{channel}:{container['message_ts']}:{action['action_id']}:{action['action_ts']}"
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(channel), sender_id=UserId(body["user"]["id"]),
        event_id=EventId(press), text=str(action.get("value", "")),
        is_direct=channel.startswith("D"), timestamp=_time(action["action_ts"]))


def command_from_payload(body: JsonDict, action: JsonDict) -> IncomingMessage:
    """A command button (on a moderators' notice) is that command, typed by whoever pressed."""
    return choice_from_payload(body, action).model_copy(update={"kind": MessageKind.COMMAND})


def command_message(command: JsonDict, now: datetime) -> IncomingMessage:
    """``/storyloop status`` -> a COMMAND ``status`` (an empty one asks for help)."""
    channel = command["channel_id"]
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(channel), sender_id=UserId(command["user_id"]),
        event_id=EventId(f"{channel}:command:{command['trigger_id']}"),
        text=plain_text(command.get("text", "")).strip() or "help",
        is_direct=channel.startswith("D"), timestamp=now, kind=MessageKind.COMMAND)


def joined(dm: RoomId, command: JsonDict, now: datetime) -> IncomingMessage:
    """``/story``: as if the person had just opened a direct chat with the bot."""
    return IncomingMessage(
        platform=PLATFORM, room_id=dm, sender_id=UserId(command["user_id"]),
        event_id=EventId(f"{dm}:story:{command['trigger_id']}"), text="", is_direct=True,
        timestamp=now, kind=MessageKind.JOINED)


def message_id(channel: str, ts: str) -> EventId:
    """One id per Slack message, however often and by whichever event it is delivered."""
    return EventId(f"{channel}:{ts}")


def _said(event: JsonDict, bot_user_id: str | None, is_direct: bool) -> IncomingMessage:
    text = plain_text(without_mention_of(bot_user_id, event.get("text") or ""))
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(event["channel"]), sender_id=UserId(event["user"]),
        event_id=message_id(event["channel"], event["ts"]), text=text.strip(),
        is_direct=is_direct, timestamp=_time(event["ts"]))


def _retraction(event: JsonDict, bot_user_id: str | None) -> IncomingMessage | None:
    previous = event.get("previous_message") or {}
    deleted = event.get("deleted_ts") or previous.get("ts")
    if _from_bot(previous, bot_user_id) or not deleted or not _in_dm(event):
        return None
    channel = event["channel"]
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(channel), sender_id=UserId(previous["user"]),
        event_id=EventId(f"{message_id(channel, deleted)}:deleted"), text="",
        timestamp=_time(event.get("event_ts") or deleted), kind=MessageKind.RETRACTED,
        target_event_id=message_id(channel, deleted))


def _from_bot(message: JsonDict, bot_user_id: str | None) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message"
                or not message.get("user") or message.get("user") == bot_user_id)


def _in_dm(event: JsonDict) -> bool:
    return bool(event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D"))


def _time(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)
