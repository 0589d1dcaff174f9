"""Two and three ``storyloop run`` workers, Slack over HTTP, one config, one PostgreSQL
database (the throwaway cluster): Slack's signed requests spread over them, every message
answered exactly once (the stand-in records every post), one digest per week however many
workers run the job, and a worker SIGKILLed mid-run: its job and its unsent replies taken
over by the others within seconds."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.core.types import Platform
from bot.features.digest.desk import NEXT_DUE
from storage.open import open_store
from tests.slack.payloads import SIGNING_SECRET
from tests.slack.people import Http, Person, Reference, Socket
from tests.slack.standin import SlackStandIn
from tests.slack.test_slack_adapter import TYPED
from tests.slack.workers import MODERATORS, Worker, holder, write_config

StartWorkers = Callable[[int], Awaitable[list[Worker]]]
READY = "This week's digest is ready"
LONG = 30.0
"""Seconds a test may wait for several processes (slower on a busy 2-core machine)."""


@pytest.fixture
async def start_workers(postgres_url: str, slack_standin: SlackStandIn,
                        tmp_path: Path) -> AsyncIterator[StartWorkers]:
    config = write_config(tmp_path / "storyloop.toml", postgres_url, slack_standin)
    started: list[Worker] = []

    async def start(count: int) -> list[Worker]:
        workers = [Worker(config, f"worker {n + 1}") for n in range(count)]
        started.extend(workers)
        await asyncio.gather(*(worker.start() for worker in workers))
        await asyncio.gather(*(worker.listening() for worker in workers))
        return workers

    yield start
    codes = await asyncio.gather(*(worker.stop() for worker in started))
    assert all(code in (0, -9) for code in codes), codes


async def digest_due(database: str) -> None:
    """The digest is due (last Monday's, the workers down then): drafted at the next tick."""
    store = open_store(database)
    await store.open()
    try:
        await store.set_value(NEXT_DUE, "2026-01-05T09:00:00+00:00")
    finally:
        await store.close()


async def all_sent_and_stored(database: str, stories: int) -> None:
    """Nothing left in the outbox, and that many stories stored."""
    store = open_store(database)
    await store.open()
    try:
        assert await store.pending_replies(Platform("slack")) == []
        assert len(await store.list_stories()) == stories
    finally:
        await store.close()


def ready_posts(standin: SlackStandIn) -> int:
    return sum(READY in m["text"] for m in standin.messages(MODERATORS))


@pytest.mark.parametrize("count", [2, 3])
async def test_messages_spread_over_workers_are_each_answered_once(
        count: int, start_workers: StartWorkers, slack_standin: SlackStandIn,
        postgres_url: str) -> None:
    workers = await start_workers(count)
    people = [f"U0PERSON0{n}" for n in range(1, 4)]

    async def tell(n: int, user: str) -> None:
        """A whole story, each message to the next worker in turn; one is also delivered
        again by Slack (a retry) to another worker."""
        reference = Reference()
        at = [Person(slack_standin, Http(w.url, SIGNING_SECRET), user) for w in workers]
        for step, text in enumerate(TYPED):
            await reference.step(text)
            event = await at[(n + step) % count].says(text)
            if step == 3:
                await at[(n + step + 1) % count].deliver(event, retry=1)
            await at[0].wait_for_replies(len(reference.texts))
        assert at[0].bot_texts() == reference.texts

    await asyncio.gather(*(tell(n, user) for n, user in enumerate(people)))
    await all_sent_and_stored(postgres_url, stories=len(people))
    handled = [w.said("skipping Slack message") + w.said("already handled") for w in workers]
    assert sum(handled) >= len(people)  # each retry was seen, and skipped


async def test_workers_with_one_config_take_slack_on_the_ports_they_are_given(
        postgres_url: str, slack_standin: SlackStandIn, tmp_path: Path) -> None:
    """As the systemd unit runs them on one host: ``--slack-port 300N`` each."""
    config = write_config(tmp_path / "storyloop.toml", postgres_url, slack_standin)
    ports = [free_port(), free_port()]
    workers = [Worker(config, f"worker {n}", "--slack-port", str(port))
               for n, port in enumerate(ports, 1)]
    try:
        await asyncio.gather(*(worker.start() for worker in workers))
        await asyncio.gather(*(worker.listening() for worker in workers))
        assert [w.url for w in workers] == [
            f"http://127.0.0.1:{port}/slack/events" for port in ports]
        for n, worker in enumerate(workers, 1):
            person = Person(slack_standin, Http(worker.url, SIGNING_SECRET), f"U0PORT000{n}")
            await person.says("hi")
            await person.wait_for_replies(1)
    finally:
        codes = await asyncio.gather(*(worker.stop() for worker in workers))
    assert codes == [0, 0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_one_digest_a_week_and_a_killed_worker_s_job_and_replies_taken_over(
        start_workers: StartWorkers, slack_standin: SlackStandIn, postgres_url: str) -> None:
    await digest_due(postgres_url)
    workers = await start_workers(3)
    await slack_standin.wait_until(lambda: ready_posts(slack_standin) >= 1, "a draft", LONG)
    drafter = await holder(postgres_url, "job:digest", workers)
    assert drafter is not None
    # its log line comes just after the post: wait for it rather than race it
    await drafter.wait_for_line(lambda line: "drafted digest 1 on schedule" in line)
    assert drafter.said("drafted digest 1 on schedule") == 1
    assert sum(w.said("on schedule") for w in workers) == 1

    # the drafter takes a message, and Slack makes it wait 30 s to post the answer
    await digest_due(postgres_url)  # and next week's digest falls due meanwhile
    slack_standin.fail_next("chat.postMessage", retry_after=30)
    person = Person(slack_standin, Http(drafter.url, SIGNING_SECRET), "U0PERSON01")
    reference = Reference()
    await reference.step("hi")
    await person.says("hi")
    await slack_standin.wait_until(
        lambda: any(c.status == 429 for c in slack_standin.calls_to("chat.postMessage")),
        "the answer held back", LONG)
    sending = await holder(postgres_url, f"outbox:slack:{person.dm}", workers)
    assert sending is drafter
    await drafter.kill()

    others = [w for w in workers if w is not drafter]
    await person.wait_for_replies(len(reference.texts))
    assert person.bot_texts() == reference.texts  # sent by another worker, once
    await slack_standin.wait_until(lambda: ready_posts(slack_standin) >= 2, "a draft", LONG)
    taker = await holder(postgres_url, "job:digest", others)
    assert taker is not None
    await taker.wait_for_line(lambda line: "drafted digest" in line)
    assert taker.said("drafted digest") == 1
    assert ready_posts(slack_standin) == 2
    assert sum(w.said("on schedule") for w in others) == 1


async def test_workers_over_socket_mode_answer_each_message_once_and_outlive_one_stopped(
        postgres_url: str, slack_standin: SlackStandIn, tmp_path: Path) -> None:
    """Socket Mode: each worker opens a connection of its own, and Slack sends each envelope
    to one of them, whichever it picks (a retry perhaps to another). Every message is answered
    once; a worker stopped (scaled down, redeployed), the other's connection carries the rest.
    (A worker killed while it sends is the HTTP test's above: Slack has no idempotency key, so
    a reply posted at the moment of the kill is posted once more.)"""
    config = write_config(tmp_path / "storyloop.toml", postgres_url, slack_standin, "socket")
    workers = [Worker(config, f"worker {n}") for n in (1, 2)]
    try:
        for worker in workers:  # one at a time: connections numbered in the order they open
            await worker.start()
            await worker.wait_for_line(lambda line: "connected to Slack over Socket Mode" in line)
        await slack_standin.wait_for_socket(count=2)
        people = [f"U0SOCKET0{n}" for n in (1, 2)]
        references = [Reference() for _ in people]

        async def tell(n: int, steps: tuple[str, ...], connections: int, first: int) -> None:
            user, reference = people[n], references[n]
            at = [Person(slack_standin, Socket(slack_standin, c), user) for c in range(connections)]
            for step, text in enumerate(steps, first):
                await reference.step(text)
                event = await at[(n + step) % connections].says(text)
                if step == 3:
                    await at[(n + step + 1) % connections].deliver(event, retry=1)
                await at[0].wait_for_replies(len(reference.texts))
            assert at[0].bot_texts() == reference.texts

        half = len(TYPED) // 2
        await asyncio.gather(*(tell(n, TYPED[:half], 2, 0) for n in range(len(people))))
        assert await workers[0].stop() == 0
        await slack_standin.wait_for_socket(count=1, timeout=LONG)
        await asyncio.gather(*(tell(n, TYPED[half:], 1, half) for n in range(len(people))))
    finally:
        codes = await asyncio.gather(*(worker.stop() for worker in workers))
    assert codes == [0, 0]
    await all_sent_and_stored(postgres_url, stories=len(people))
