"""Fixtures: a started Slack stand-in, clients and bolt apps pointed at it, loopback only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.standin import SIGNING_SECRET, SlackStandIn

ServeBolt = Callable[[AsyncApp], Awaitable[str]]


@pytest.fixture
async def slack_standin() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    await standin.start()
    try:
        yield standin
    finally:
        await standin.stop()


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
