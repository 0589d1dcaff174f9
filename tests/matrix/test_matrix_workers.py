"""Two ``storyloop run`` workers for one Matrix account on one PostgreSQL database, on the
real Synapse: one syncs, the other waits (its /healthz 503 meanwhile); SIGKILL the one that
syncs and the other takes over within seconds, with the encryption keys (one
``store_path``, shared) and the conversation where it was, and answers each message once."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..scrape import health
from ..test_postgres_leases import cut_off
from .bot import talk
from .people import PersonFactory
from .process import BotProcess
from .synapse import Synapse
from .test_matrix_ops import SERVING

METRICS = '[metrics]\nhost = "127.0.0.1"\nport = 0\n'
TAKES_OVER = "this worker runs matrix as"
WAITS = "another worker runs matrix as"
LOST = "this worker lost the lock of 'matrix:"


def logged_at(line: str) -> str:
    """When a log line was written: ``storyloop run``'s lines start with the local time
    to the millisecond, written so that it sorts as it reads."""
    return line[:23]


async def test_one_worker_syncs_and_another_takes_over_when_it_is_killed(
        synapse: Synapse, matrix_person: PersonFactory, postgres_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLOOP_SECRET", "a pseudonym key for the worker tests only")
    user = synapse.register()
    first = BotProcess(synapse, user, tmp_path, METRICS, storage=postgres_url)
    second = BotProcess(synapse, user, tmp_path, METRICS, storage=postgres_url)  # one config
    try:
        await first.start()
        await first.synced()
        await second.start()
        await second.wait_for_line(lambda line: WAITS in line)
        found = SERVING.search(second.lines[await second.wait_for_line(SERVING.search)])
        assert found is not None
        standby = int(found.group(1))
        assert await health(standby) == (503, {"status": "unwell", "store": "ok",
                                               "platforms": {"matrix": "not connected"}})
        mia = await matrix_person(encrypted=True)
        room = await mia.create_dm(user.user_id, encrypted=True)
        await mia.wait_for_message(room, lambda e: "Shall we start?" in getattr(e, "body", ""),
                                   timeout=30)
        await talk(mia, room, "yes", "Is that OK?")
        assert not any("in sync with the homeserver" in line for line in second.lines)

        await first.kill()
        await second.wait_for_line(lambda line: TAKES_OVER in line, timeout=15)
        await second.synced()
        assert (await health(standby))[0] == 200
        await talk(mia, room, "yes", "What's been happening?", wait=30)
        assert len(mia.bodies(room, "Shall we start?")) == 1
        assert len(mia.bodies(room, "Is that OK?")) == 1
        assert len(mia.bodies(room, "What's been happening?")) == 1
    finally:
        await first.kill()
        await second.kill()


async def test_a_worker_cut_off_from_its_lock_stops_syncing_and_the_other_takes_over(
        synapse: Synapse, matrix_person: PersonFactory, postgres_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The syncing worker lives on, but the database connection holding its lock falls (a
    database restart, an idle connection dropped by a firewall): it stops syncing before the
    other starts, and each message is still answered once."""
    monkeypatch.setenv("STORYLOOP_SECRET", "a pseudonym key for the worker tests only")
    user = synapse.register()
    first = BotProcess(synapse, user, tmp_path, METRICS, storage=postgres_url)
    second = BotProcess(synapse, user, tmp_path, METRICS, storage=postgres_url)
    try:
        await first.start()
        await first.synced()
        await second.start()
        await second.wait_for_line(lambda line: WAITS in line)
        mia = await matrix_person(encrypted=True)
        room = await mia.create_dm(user.user_id, encrypted=True)
        await mia.wait_for_message(room, lambda e: "Shall we start?" in getattr(e, "body", ""),
                                   timeout=30)

        await cut_off(postgres_url, f"matrix:{user.user_id}")
        lost = await first.wait_for_line(lambda line: LOST in line, timeout=15)
        took = await second.wait_for_line(lambda line: TAKES_OVER in line, timeout=15)
        synced = await second.wait_for_line(lambda line: "in sync with the homeserver" in line,
                                            after=took)
        assert logged_at(first.lines[lost]) < logged_at(second.lines[synced])
        await talk(mia, room, "yes", "Is that OK?", wait=30)
        await talk(mia, room, "yes", "What's been happening?", wait=30)
        assert len(mia.bodies(room, "Shall we start?")) == 1
        assert len(mia.bodies(room, "Is that OK?")) == 1
        assert len(mia.bodies(room, "What's been happening?")) == 1
        assert first.running
    finally:
        await first.kill()
        await second.kill()
