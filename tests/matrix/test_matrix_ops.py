"""``storyloop run`` with ``[metrics]`` on a real Synapse: ``/healthz`` says Matrix is
connected, turns 503 naming Matrix while the homeserver is down and 200 once it is back, and
``/metrics`` counts what the person did."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from ..scrape import health, samples
from .bot import says, talk
from .people import PersonFactory
from .process import BotProcess
from .synapse import Synapse

SERVING = re.compile(r"serving /healthz and /metrics on http://127\.0\.0\.1:(\d+)")
HANDLED = 'storyloop_messages_handled_total{platform="matrix"}'
WELL = {"status": "ok", "store": "ok", "platforms": {"matrix": "connected"}}


async def test_health_follows_the_homeserver_and_metrics_count_the_conversation(
        synapse: Synapse, bot_process: Callable[..., BotProcess],
        matrix_person: PersonFactory) -> None:
    bot = bot_process('[metrics]\nhost = "127.0.0.1"\nport = 0\n')
    await bot.start()
    line = await bot.wait_for_line(lambda line: SERVING.search(line) is not None)
    port = int(SERVING.search(bot.lines[line]).group(1))  # type: ignore[union-attr]
    await bot.synced()
    assert await health(port) == (200, WELL)
    assert (await samples(port))[HANDLED] == 0
    ann = await matrix_person()
    room = await ann.create_dm(bot.user_id, encrypted=False)
    await ann.wait_for_message(room, says("Shall we start?"), timeout=30)
    await talk(ann, room, "yes", "Is that OK?", wait=30)
    assert (await samples(port))[HANDLED] == 2  # the invitation accepted, and "yes"
    mark = len(bot.lines)
    await asyncio.to_thread(synapse.stop)
    try:
        await bot.wait_for_line(lambda line: "matrix sync failed" in line, after=mark)
        assert await health(port) == (503, {"status": "unwell", "store": "ok",
                                            "platforms": {"matrix": "not connected"}})
    finally:
        mark = len(bot.lines)
        await asyncio.to_thread(synapse.start)
    await bot.wait_for_line(lambda line: "the homeserver answers again" in line, after=mark)
    assert await health(port) == (200, WELL)
    await talk(ann, room, "yes", "What's been happening?", wait=30)
    assert (await samples(port))[HANDLED] == 3
    assert await bot.stop() == 0
