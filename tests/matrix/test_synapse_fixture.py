"""Smoke tests for the Synapse test infrastructure itself: server, users, people, E2EE."""

from __future__ import annotations

import asyncio

import pytest

from .people import Person, PersonFactory, RequestFailed
from .synapse import Synapse, UserFactory


async def _dm_pair(matrix_person: PersonFactory, encrypted: bool) -> tuple[Person, Person, str]:
    alice = await matrix_person(encrypted=encrypted)
    bob = await matrix_person(encrypted=encrypted)
    room_id = await alice.create_dm(invite=bob.user_id, encrypted=encrypted)
    await bob.join(room_id)
    await alice.wait_for_join(room_id, bob.user_id)
    return alice, bob, room_id


def test_registered_users_are_unique_and_known_to_the_server(
    synapse: Synapse, matrix_user: UserFactory
) -> None:
    first, second = matrix_user(), matrix_user()
    assert first.user_id != second.user_id
    assert first.user_id == f"@{first.localpart}:{synapse.server_name}"
    assert synapse.admin_get(f"/_synapse/admin/v2/users/{first.user_id}")["admin"] is False


async def test_message_arrives_in_unencrypted_dm(matrix_person: PersonFactory) -> None:
    alice, bob, room_id = await _dm_pair(matrix_person, encrypted=False)
    event_id = await alice.send(room_id, "hello bob")
    message = await bob.wait_for_message(room_id, lambda m: m.body == "hello bob")
    assert (message.event_id, message.sender) == (event_id, alice.user_id)
    assert not message.decrypted


async def test_message_is_decrypted_in_encrypted_dm(matrix_person: PersonFactory) -> None:
    alice, bob, room_id = await _dm_pair(matrix_person, encrypted=True)
    assert bob.client.rooms[room_id].encrypted
    await alice.send(room_id, "a secret for bob")
    message = await bob.wait_for_message(room_id)
    assert message.body == "a secret for bob"
    assert message.decrypted  # it travelled as m.room.encrypted and was decrypted by nio
    reply_id = await bob.send(room_id, "a secret for alice")
    assert (await alice.wait_for_message(room_id)).event_id == reply_id


async def test_ratelimit_override_yields_limit_exceeded(
    synapse: Synapse, matrix_person: PersonFactory
) -> None:
    alice = await matrix_person()
    room_id = await alice.create_dm(invite=synapse.register().user_id, encrypted=False)
    synapse.override_ratelimit(alice.user_id, messages_per_second=1, burst_count=1)
    errors: list[RequestFailed] = []
    for number in range(5):
        try:
            await alice.send(room_id, f"quick message {number}")
        except RequestFailed as error:
            errors.append(error)
            break
    assert errors, "five quick sends were all accepted despite the override"
    assert errors[0].response.status_code == "M_LIMIT_EXCEEDED"
    assert errors[0].response.retry_after_ms > 0
    synapse.delete_ratelimit_override(alice.user_id)
    assert await alice.send(room_id, "limits are lifted again")


async def test_clients_carry_on_after_restart(
    synapse: Synapse, matrix_person: PersonFactory
) -> None:
    alice, bob, room_id = await _dm_pair(matrix_person, encrypted=True)
    old_pid = synapse.pid
    await asyncio.to_thread(synapse.restart)
    assert synapse.pid != old_pid
    await alice.send(room_id, "still there?")
    message = await bob.wait_for_message(room_id, timeout=30)
    assert message.body == "still there?"


@pytest.mark.parametrize("encrypted", [False, True])
async def test_wait_for_message_timeout_lists_what_was_seen(
    matrix_person: PersonFactory, encrypted: bool
) -> None:
    alice, bob, room_id = await _dm_pair(matrix_person, encrypted=encrypted)
    await alice.send(room_id, "not what you wait for")
    await bob.wait_for_message(room_id)
    with pytest.raises(TimeoutError, match="not what you wait for"):
        await bob.wait_for_message(room_id, lambda m: m.body == "never sent", timeout=0.5)
