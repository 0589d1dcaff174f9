"""``/healthz`` and ``/metrics`` wired as ``storyloop run`` wires them (``runner.start_ops``),
around the real Slack adapter on the stand-in: a story told and a digest posted move the
counters by exactly that, and health turns 503 naming Slack once it disconnects."""

from __future__ import annotations

import asyncio

from bot.core.config import Config, DigestConfig, MetricsConfig
from bot.runner import start_ops

from ..scrape import health, moved, samples
from .conftest import StartBot
from .payloads import SIGNING_SECRET
from .people import Http, Person
from .standin import SlackStandIn
from .test_slack_adapter import TYPED

MODS, WARD = "C0MODS0001", "C0WARD7STAFF"
HANDLED = 'storyloop_messages_handled_total{platform="slack"}'
DIGESTS = 'storyloop_digest_posts_total{platform="slack"}'


async def test_slack_messages_and_a_digest_move_the_counters_and_health_follows_slack(
        start_bot: StartBot, slack_standin: SlackStandIn) -> None:
    bot = await start_bot("http", digest=DigestConfig(), moderators=("U0MOD00001",),
                          staff_channels=(WARD,), moderator_channels=(MODS,))
    assert bot.metrics is not None
    ops = start_ops(Config(metrics=MetricsConfig(port=0)), bot.metrics, bot.adapter.app,
                    bot.store, [bot.adapter])
    assert ops is not None
    try:
        assert await health(ops.port) == (200, {"status": "ok", "store": "ok",
                                                 "platforms": {"slack": "connected"}})
        before = await samples(ops.port)
        assert before[HANDLED] == 0 and before[DIGESTS] == 0
        teller = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0PERSON01")
        for line in TYPED:
            await teller.says(line)
        await slack_standin.wait_until(
            lambda: any("your story is saved" in t for t in teller.bot_texts()), "saved")
        moderator = Person(slack_standin, Http(bot.url, SIGNING_SECRET), "U0MOD00001")
        for command in ("story approve 1", "digest draft", "digest approve"):
            await moderator.slash("/storyloop", command, channel=MODS, response_key=command)
            await slack_standin.wait_for_response(command)
        assert len([c for c in slack_standin.calls_to("chat.postMessage")
                    if c.args["channel"] == WARD]) == 1  # one digest, in one staff room
        after = await samples(ops.port)
        assert moved(before, after) == {HANDLED: len(TYPED) + 3, DIGESTS: 1}
        assert after['storyloop_replies_pending{platform="slack"}'] == 0
        bot.task.cancel()  # Slack disconnects; the store is still there
        await asyncio.wait([bot.task])
        assert await health(ops.port) == (503, {"status": "unwell", "store": "ok",
                                                 "platforms": {"slack": "not connected"}})
    finally:
        await ops.stop()
