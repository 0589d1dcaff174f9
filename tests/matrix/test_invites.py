"""Which invites the bot accepts, tested on a real invite's stripped state (``data/``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nio import InviteEvent, InviteInfo

from adapters.matrix.invites import Invitation, invitation, may_invite

ROOM = "!dm:localhost"


def invite_state() -> InviteInfo:
    """``rooms.invite.<room>`` of the bot's sync when alice invited it to a direct chat."""
    data = json.loads((Path(__file__).parent / "data" / "invite_state.json").read_text())
    return InviteInfo([InviteEvent.parse_event(e) for e in data["invite_state"]["events"]])


def test_the_invite_naming_the_bot_is_its_invitation() -> None:
    assert invitation(ROOM, invite_state(), "@storyloop:localhost") == Invitation(
        ROOM, inviter="@alice:localhost", is_direct=True)


@pytest.mark.parametrize("me", ["@alice:localhost", "@someone-else:localhost"])
def test_member_events_not_inviting_us_are_not_an_invitation(me: str) -> None:
    assert invitation(ROOM, invite_state(), me) is None


@pytest.mark.parametrize(("inviter", "allowed", "may"), [
    ("@alice:localhost", (), True),
    ("@alice:localhost", ("@alice:localhost",), True),
    ("@alice:localhost", (":localhost",), True),
    ("@alice:localhost", ("@bob:localhost", ":example.org"), False),
    ("@mallory:localhost.evil", (":localhost",), False),
])
def test_allowed_inviters_are_users_or_whole_servers(inviter: str, allowed: tuple[str, ...],
                                                    may: bool) -> None:
    assert may_invite(inviter, allowed) is may
