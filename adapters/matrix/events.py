"""Matrix room events as IncomingMessages: what a person said, edited, deleted or typed as a
command, in the platform-neutral shape ``App.handle`` takes.

Pure: a nio event and plain facts about its room go in, an ``IncomingMessage`` or None comes
out. No client, no I/O, so every rule here is tested on event JSON (``tests/matrix/data``).

* The bot's own events are never a person's; only ``m.text`` messages and redactions count
  (notices are what bots send, so other bots are not answered).
* An edit (``m.replace``) changes the text of a message arriving in the same batch; alone, it
  is dropped, because the message it edits has been answered already.
* A reply's quoted fallback (``> <@someone> ...``) is stripped.
* ``!status`` is the command ``status``; in a group room, a message is addressed to the bot
  when it mentions the bot.
* Fields that are not what the spec says (``m.relates_to`` that is not an object, an edit
  naming no event, ``m.mentions`` that is null) count as absent: an odd event is at worst
  read as plain words, and never ends the sync loop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nio import RedactionEvent, RoomMessageText

from bot.core.types import EventId, IncomingMessage, MessageKind, Platform, RoomId, UserId

JsonDict = dict[str, Any]
PLATFORM = Platform("matrix")
_FALLBACK_QUOTE = re.compile(r"\A(?:>[^\n]*\n)+\n?")


@dataclass(frozen=True)
class RoomFacts:
    """What translation needs to know about a room, as plain values."""

    room_id: str
    member_count: int
    group: bool = False
    """A room the config names as the moderators' or a staff room: never a direct chat."""

    @property
    def is_direct(self) -> bool:
        """A room with just us and one person is a direct chat, whatever it was created as,
        unless it is a configured group room (a moderators' room of two is still one)."""
        return not self.group and self.member_count <= 2


@dataclass(frozen=True)
class Me:
    """The bot's own account, and how its commands start."""

    user_id: str
    command_prefix: str = "!"

    @property
    def localpart(self) -> str:
        return self.user_id.split(":")[0].lstrip("@")


def messages(events: Sequence[Any], room: RoomFacts, me: Me) -> list[IncomingMessage]:
    """One room's new events, in order, as what people said."""
    edits = latest_edits(events)
    found = (message_from_event(event, room, me, edits) for event in events)
    return [msg for msg in found if msg is not None]


def message_from_event(event: Any, room: RoomFacts, me: Me,
                       edits: Mapping[str, str] | None = None) -> IncomingMessage | None:
    """A person's message, command or deletion; None for anything else. ``edits`` maps an
    event id to its newest text (see ``latest_edits``)."""
    if getattr(event, "sender", None) == me.user_id:
        return None
    if isinstance(event, RedactionEvent):
        return _message(event, room, "", kind=MessageKind.RETRACTED,
                        target=EventId(event.redacts))
    if not isinstance(event, RoomMessageText) or _is_edit(event):
        return None
    text = (edits or {}).get(event.event_id, event.body)
    text = strip_reply_fallback(text) if _is_reply(event) else text
    return _said(event, room, me, text)


def unreadable(event: Any, room: RoomFacts, me: Me) -> IncomingMessage | None:
    """An encrypted event we could not decrypt in time, as a message to ask for again (none
    for our own). Its text is not known, so it is empty."""
    if getattr(event, "sender", None) == me.user_id:
        return None
    return _message(event, room, "", kind=MessageKind.UNREADABLE)


def latest_edits(events: Sequence[Any]) -> dict[str, str]:
    """Original event id -> newest text, for edits arriving with the message they edit."""
    edits: dict[str, str] = {}
    for event in events:
        if isinstance(event, RoomMessageText) and _is_edit(event):
            target = _relation(event).get("event_id")
            new = _object(_content(event), "m.new_content").get("body")
            if isinstance(target, str) and isinstance(new, str):
                edits[target] = new
    return edits


def joined(room: RoomFacts, inviter: str, invited_direct: bool, now: datetime) -> IncomingMessage:
    """The bot has joined a room it was invited to: time to say hello to whoever invited it."""
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(room.room_id), sender_id=UserId(inviter),
        event_id=EventId(f"joined:{room.room_id}"), text="",
        is_direct=not room.group and (invited_direct or room.is_direct), timestamp=now,
        kind=MessageKind.JOINED)


def strip_reply_fallback(body: str) -> str:
    """A reply's body starts with the quoted message (``> <@someone> ...``): drop it."""
    return _FALLBACK_QUOTE.sub("", body, count=1).strip() if body.startswith(">") else body


def _said(event: Any, room: RoomFacts, me: Me, text: str) -> IncomingMessage:
    prefix = me.command_prefix
    if text.startswith(prefix) and len(text) > len(prefix):
        return _message(event, room, text[len(prefix):], kind=MessageKind.COMMAND)
    addressed = room.is_direct or _mentions(event, text, me)
    return _message(event, room, text, addressed=addressed)


def _message(event: Any, room: RoomFacts, text: str, *, addressed: bool = True,
             kind: MessageKind = MessageKind.MESSAGE,
             target: EventId | None = None) -> IncomingMessage:
    return IncomingMessage(
        platform=PLATFORM, room_id=RoomId(room.room_id), sender_id=UserId(event.sender),
        event_id=EventId(event.event_id), text=text, is_direct=room.is_direct,
        timestamp=_time(event.server_timestamp), addressed=addressed, kind=kind,
        target_event_id=target)


def _mentions(event: Any, text: str, me: Me) -> bool:
    user_ids = _object(_content(event), "m.mentions").get("user_ids")
    mentioned = isinstance(user_ids, list) and me.user_id in user_ids
    return (mentioned or me.user_id in text or me.user_id in (event.formatted_body or "")
            or me.localpart in text.casefold())


def _is_edit(event: Any) -> bool:
    return _relation(event).get("rel_type") == "m.replace"


def _is_reply(event: Any) -> bool:
    return "m.in_reply_to" in _relation(event)


def _relation(event: Any) -> JsonDict:
    return _object(_content(event), "m.relates_to")


def _content(event: Any) -> JsonDict:
    return _object(event.source, "content")


def _object(parent: JsonDict, key: str) -> JsonDict:
    """``parent[key]`` if it is a JSON object; anything else there counts as absent."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _time(server_timestamp: int) -> datetime:
    return datetime.fromtimestamp(server_timestamp / 1000, UTC)
