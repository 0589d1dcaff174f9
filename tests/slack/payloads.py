"""Slack payloads as Slack sends them, and requests signed the way Slack signs them.

Builders for events, block actions and slash commands; `sign` is `v0=` HMAC-SHA256 over
`v0:{timestamp}:{raw body}`; `post_signed` and `post_raw` send to a loopback URL only.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import aiohttp

JsonDict = dict[str, Any]

TEAM_ID: Final = "T0STANDIN"
APP_ID: Final = "A0STANDIN"
BOT_USER_ID: Final = "U0STANDBOT"
SIGNING_SECRET: Final = "standin-signing-secret"
VERIFICATION_TOKEN: Final = "standin-verification-token"
# Loopback port 9 (discard) refuses connections: a payload built without a real response_url
# can never send traffic off this machine.
DEAD_RESPONSE_URL: Final = "http://127.0.0.1:9/response/unset"
_event_ts_counter = itertools.count(1)

# -- payload builders ----------------------------------------------------------------------


def event_ts() -> str:
    """A unique, current Slack-style timestamp ("1700000000.000001")."""
    return f"{int(time.time())}.{next(_event_ts_counter) % 1_000_000:06d}"


def event_callback(
    event: JsonDict,
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
) -> JsonDict:
    """The Events API envelope (`type: event_callback`) around `event`."""
    authorization = {
        "enterprise_id": None,
        "team_id": team_id,
        "user_id": bot_user_id,
        "is_bot": True,
        "is_enterprise_install": False,
    }
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:12].upper()}",
        "event_time": int(time.time()),
        "authorizations": [authorization],
        "is_ext_shared_channel": False,
    }


def message_event(
    user: str,
    channel: str,
    text: str,
    *,
    channel_type: str = "im",
    ts: str | None = None,
    subtype: str | None = None,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
    **fields: Any,
) -> JsonDict:
    """A `message` event; extra keyword `fields` (e.g. bot_id, files) are merged in."""
    ts = ts or event_ts()
    event: JsonDict = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "channel_type": channel_type,
        "team": team,
        "client_msg_id": str(uuid.uuid4()),
    }
    optional = {"subtype": subtype, "thread_ts": thread_ts}
    return event | {key: value for key, value in optional.items() if value} | fields


def app_mention_event(
    user: str,
    channel: str,
    text: str,
    *,
    ts: str | None = None,
    thread_ts: str | None = None,
    bot_user_id: str = BOT_USER_ID,
    team: str = TEAM_ID,
) -> JsonDict:
    """An `app_mention` event; `text` gets the leading `<@bot>` unless it already mentions it."""
    mention = f"<@{bot_user_id}>"
    ts = ts or event_ts()
    event: JsonDict = {
        "type": "app_mention",
        "user": user,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "text": text if mention in text else f"{mention} {text}",
        "team": team,
    }
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


def block_actions_payload(
    user: str,
    channel: str,
    message_ts: str,
    action_id: str,
    value: str,
    *,
    block_id: str = "actions",
    response_url: str = DEAD_RESPONSE_URL,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    message: JsonDict | None = None,
    thread_ts: str | None = None,
) -> JsonDict:
    """An interactive `block_actions` payload for a button click on a message (in the
    thread `thread_ts`, if given)."""
    action = {
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "type": "button",
        "text": {"type": "plain_text", "text": value},
        "action_ts": event_ts(),
    }
    container = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": False,
    } | ({"thread_ts": thread_ts} if thread_ts else {})
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": f"{int(time.time())}.{uuid.uuid4().hex[:12]}",
        "team": {"id": team_id, "domain": "standin"},
        "channel": {"id": channel, "name": channel},
        "message": message or {"type": "message", "ts": message_ts, "text": ""},
        "response_url": response_url,
        "actions": [action],
    }


def slash_command_form(
    command: str,
    text: str,
    user_id: str,
    channel_id: str,
    *,
    response_url: str = DEAD_RESPONSE_URL,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    user_name: str = "someone",
    channel_name: str = "directmessage",
) -> dict[str, str]:
    """The fields of a slash command (form-encoded over HTTP, a JSON object in Socket Mode)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": "standin",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{int(time.time())}.{uuid.uuid4().hex[:12]}",
    }


def form_body(fields: Mapping[str, str]) -> bytes:
    return urlencode(fields).encode()


def interactive_body(payload: JsonDict) -> bytes:
    """How Slack posts interactivity over HTTP: `payload=<url-encoded JSON>`."""
    return form_body({"payload": json.dumps(payload)})


# -- request signing (HTTP Events API) -----------------------------------------------------


def sign(body: bytes, timestamp: int, secret: str) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes,
    secret: str,
    timestamp: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, ts, secret),
    }


async def post_signed(
    url: str,
    body: bytes,
    secret: str,
    *,
    content_type: str = "application/json",
    extra_headers: Mapping[str, str] | None = None,
    timestamp: int | None = None,
) -> tuple[int, str]:
    """POST `body` to a loopback `url` signed like Slack; returns (status, response text)."""
    headers = signed_headers(body, secret, timestamp, content_type) | dict(extra_headers or {})
    return await post_raw(url, body, headers)


async def post_raw(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
    """POST exactly these bytes and headers to a loopback `url` (e.g. unsigned requests)."""
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"refusing to post outside loopback: {url}")
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=dict(headers)) as response,
    ):
        return response.status, await response.text()
