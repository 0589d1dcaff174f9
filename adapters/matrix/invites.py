"""Invites: which ones to accept, and whom to greet once joined.

An invite is ours only when its ``m.room.member`` event names us (nio reports every member
event of the invite state, the inviter's own included). It is accepted only from the
allowed inviters (``matrix.allowed_inviters``: users, or whole servers as ``:server``; none
listed means anyone).

A room the config names as the moderators' or a staff room (by id or alias) is a group room
however few are in it: ``room_facts`` says so, so a moderators' room of two is never greeted
or answered as a direct chat.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Container, Sequence
from dataclasses import dataclass

from nio import AsyncClient, InviteInfo, InviteMemberEvent, JoinError, MatrixRoom

from adapters.matrix.events import RoomFacts
from bot.core.config import MatrixConfig
from storage.ports import KeyValue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invitation:
    room_id: str
    inviter: str
    is_direct: bool
    """The inviter marked the room as a direct chat."""


def invitation(room_id: str, invite: InviteInfo, me: str) -> Invitation | None:
    """The invitation addressed to ``me`` in a room's invite state, if there is one."""
    mine = [e for e in invite.invite_state if isinstance(e, InviteMemberEvent)
            and e.state_key == me and e.membership == "invite"]
    if not mine:
        return None
    return Invitation(room_id, mine[-1].sender, bool(mine[-1].content.get("is_direct")))


def may_invite(user_id: str, allowed: Sequence[str]) -> bool:
    server = ":" + user_id.split(":", 1)[-1]
    return not allowed or user_id in allowed or server in allowed


class Invites:
    """Joins the rooms we are invited to by allowed inviters, and remembers whom to greet.

    Whom to greet is kept in the store *before* joining, so that a bot stopped between the
    join and the greeting still greets after a restart: the join arrives again in the sync
    that resumes from the saved token, and the greeting's turn is recorded once."""

    def __init__(self, client: AsyncClient, allowed: Sequence[str], store: KeyValue) -> None:
        self.client, self.allowed, self.store = client, allowed, store
        self._key = f"matrix:{client.user_id}:to_greet"
        self._to_greet: dict[str, Invitation] = {}

    async def load(self) -> None:
        """Whom we joined and have not greeted yet, as kept before a restart."""
        saved = json.loads(await self.store.get_value(self._key) or "[]")
        self._to_greet = {room: Invitation(room, inviter, bool(direct))
                          for room, inviter, direct in saved}

    async def consider(self, room_id: str, invite: InviteInfo) -> None:
        found = invitation(room_id, invite, self.client.user_id)
        if found is None:
            return
        if not may_invite(found.inviter, self.allowed):
            log.info("not joining %s: %s is not an allowed inviter", room_id, found.inviter)
            return
        self._to_greet[room_id] = found
        await self._save()
        response = await self.client.join(room_id)
        if isinstance(response, JoinError):
            log.warning("could not join %s: %s", room_id, response.message)
            await self.greeted(room_id)
            return
        log.info("joined %s; its greeting is due", room_id)

    def to_greet(self, joined_rooms: Container[str]) -> list[Invitation]:
        """The invitations whose rooms we are now in; each stays until ``greeted``."""
        return [found for room_id, found in self._to_greet.items() if room_id in joined_rooms]

    async def greeted(self, room_id: str) -> None:
        if self._to_greet.pop(room_id, None) is not None:
            await self._save()

    async def _save(self) -> None:
        rows = [[i.room_id, i.inviter, i.is_direct] for i in self._to_greet.values()]
        await self.store.set_value(self._key, json.dumps(rows))


def group_rooms(config: MatrixConfig) -> frozenset[str]:
    """The rooms the config names for moderators and staff (ids or aliases)."""
    return frozenset((*config.moderator_rooms, *config.staff_rooms))


def room_facts(room: MatrixRoom, groups: Container[str]) -> RoomFacts:
    """What translation needs to know about ``room``: a configured group room, found by its
    id or its canonical alias, is never a direct chat."""
    named = room.room_id in groups or (room.canonical_alias or "") in groups
    return RoomFacts(room.room_id, int(room.member_count), group=named)
