"""Fixtures: a started Slack stand-in, clients and bolt apps pointed at it, loopback only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import SlackAdapter
from bot.compose import compose
from bot.core.clock import Clock
from bot.core.config import Config, DigestConfig, FlowsConfig, SlackConfig, StorageConfig
from bot.features.follow_ups import FollowUpDesk
from bot.features.introductions import IntroductionDesk
from bot.metrics import Metrics
from storage.base import Store
from storage.open import open_store
from tests.slack.payloads import SIGNING_SECRET
from tests.slack.people import Http, Person, Socket
from tests.slack.standin import APP_TOKEN, BOT_TOKEN, SlackStandIn

ServeBolt = Callable[[AsyncApp], Awaitable[str]]


@pytest.fixture
async def slack_standin() -> AsyncIterator[SlackStandIn]:
    """The stand-in, its bot token holding exactly the manifest's scopes. Afterwards, every
    test fails that made a call Slack would refuse (a scope the manifest lacks, invalid
    Block Kit, a text too long), even where the adapter only logged the refusal; a test that
    provokes refusals on purpose sets ``expect_refusals``."""
    standin = SlackStandIn()
    await standin.start()
    try:
        yield standin
    finally:
        await standin.stop()
    if not standin.expect_refusals:
        refused = [(c.method, c.response) for c in standin.refused_calls()]
        assert not refused, f"Slack would have refused these calls: {refused}"


@pytest.fixture
def slack_client(slack_standin: SlackStandIn) -> AsyncWebClient:
    """A plain slack_sdk client (default retry handlers: connection errors only)."""
    return AsyncWebClient(token=slack_standin.bot_token, base_url=slack_standin.api_url)


@pytest.fixture
def bolt_app(slack_client: AsyncWebClient) -> AsyncApp:
    """A bolt app whose Web API calls go to the stand-in; the token comes from the client."""
    return AsyncApp(client=slack_client, signing_secret=SIGNING_SECRET)


@pytest.fixture
async def serve_bolt() -> AsyncIterator[ServeBolt]:
    """Serve a bolt app's HTTP endpoint on 127.0.0.1:<ephemeral>; returns its events URL."""
    runners: list[web.AppRunner] = []

    async def serve(app: AsyncApp) -> str:
        runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"

    yield serve
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def socket_handler(
    bolt_app: AsyncApp, slack_standin: SlackStandIn
) -> AsyncIterator[AsyncSocketModeHandler]:
    """A connected Socket Mode handler. It finds the stand-in through bolt_app's web client:
    apps.connections.open goes to that client's base_url and returns the stand-in's ws URL."""
    handler = AsyncSocketModeHandler(bolt_app, app_token=slack_standin.app_token)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]  # bolt leaves it unannotated
        await slack_standin.wait_for_socket()
        yield handler
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


# -- storyloop's own Slack adapter, run for real against the stand-in ----------------------


@dataclass
class RunningBot:
    """storyloop as `storyloop run` starts it: Config -> open_store -> App -> SlackAdapter."""

    adapter: SlackAdapter
    store: Store
    task: asyncio.Task[None]
    follow_ups: FollowUpDesk | None = None
    introductions: IntroductionDesk | None = None
    metrics: Metrics | None = None
    stopped: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.port}{self.adapter.config.path}"

    async def stop(self) -> None:
        """Cancel the adapter as the runner does; it must end cancelled, not failed."""
        if self.stopped:
            return
        self.stopped = True
        self.task.cancel()
        await asyncio.wait([self.task], timeout=5)
        try:
            assert self.task.cancelled(), f"the adapter ended with {self.task.exception()!r}"
        finally:
            await self.store.close()


class StartBot(Protocol):
    async def __call__(self, mode: str = "http", digest: DigestConfig | None = None,
                       flows: FlowsConfig | None = None, clock: Clock | None = None,
                       **slack: Any) -> RunningBot: ...


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tokens and secrets the adapter reads, as an operator would export them."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("STORYLOOP_SECRET", "a pseudonym key for the slack tests only")


@pytest.fixture
async def start_bot(
    slack_standin: SlackStandIn, slack_env: None, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start storyloop's Slack adapter (HTTP or Socket Mode) on one SQLite file; a second
    start uses the same file, as a restart would."""
    bots: list[RunningBot] = []

    async def start(mode: str = "http", digest: DigestConfig | None = None,
                    flows: FlowsConfig | None = None, clock: Clock | None = None,
                    **slack: Any) -> RunningBot:
        fields = {"mode": mode, "api_url": slack_standin.api_url, "port": 0, **slack}
        config = Config(storage=StorageConfig(path=tmp_path / "s.db"),
                        slack=SlackConfig.model_validate(fields), digest=digest,
                        flows=flows or FlowsConfig())
        assert config.slack is not None
        store = open_store(config.storage.url)
        await store.open()
        composed = compose(config, store, clock=clock)
        adapter = SlackAdapter(config.slack, composed.app, store)
        bot = RunningBot(adapter, store, asyncio.create_task(adapter.run(), name="slack-bot"),
                         composed.follow_ups, composed.introductions, composed.metrics)
        bots.append(bot)
        await _ready(bot)
        return bot

    yield start
    for bot in bots:
        await bot.stop()


async def _ready(bot: RunningBot) -> None:
    ready = asyncio.create_task(bot.adapter.ready.wait())
    await asyncio.wait([ready, bot.task], timeout=5, return_when=asyncio.FIRST_COMPLETED)
    ready.cancel()
    if bot.task.done():
        raise AssertionError(f"the adapter stopped while starting: {bot.task.exception()!r}")
    assert bot.adapter.ready.is_set(), "the adapter did not get ready within 5 s"


@pytest.fixture
def http_person(slack_standin: SlackStandIn) -> Callable[[RunningBot, str], Person]:
    def person(bot: RunningBot, user: str = "U0PERSON01") -> Person:
        return Person(slack_standin, Http(bot.url, SIGNING_SECRET), user)

    return person


@pytest.fixture
def socket_person(slack_standin: SlackStandIn) -> Callable[[str], Person]:
    def person(user: str = "U0PERSON01") -> Person:
        return Person(slack_standin, Socket(slack_standin), user)

    return person
