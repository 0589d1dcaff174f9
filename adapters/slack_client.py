"""The Slack clients: the Web API client with its retry handlers, connecting Socket Mode,
and how a Slack error is named in the log."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.config import SlackConfig, secret
from bot.core.errors import PlatformError

log = logging.getLogger("adapters.slack")


def web_client(config: SlackConfig) -> AsyncWebClient:
    """The Web API client, retrying lost connections and waiting out rate limits."""
    handlers = [AsyncConnectionErrorRetryHandler(max_retry_count=2),
                AsyncRateLimitErrorRetryHandler(max_retry_count=5)]
    base_url = config.api_url or AsyncWebClient.BASE_URL
    return AsyncWebClient(token=secret("slack.bot_token_env", config.bot_token_env),
                          base_url=base_url.rstrip("/") + "/", retry_handlers=handlers)


def api_failure(exc: SlackApiError) -> str:
    method = str(getattr(exc.response, "api_url", "")).rsplit("/", 1)[-1] or "request"
    return f"{method}: {exc.response.get('error')}"


async def connect(handler: AsyncSocketModeHandler) -> None:
    """Connect; a refused app token stops here (slack_sdk itself would retry it forever), while
    an unreachable Slack is retried by slack_sdk until it answers."""
    try:
        handler.client.wss_uri = await handler.client.issue_new_wss_url()
    except SlackApiError as exc:
        raise PlatformError(f"Slack refused {api_failure(exc)}") from exc
    except (OSError, aiohttp.ClientError) as exc:
        log.warning("could not reach Slack (%s); trying again", exc)
    await handler.connect_async()  # type: ignore[no-untyped-call]  # unannotated in bolt


async def until_cancelled() -> None:
    await asyncio.Event().wait()
