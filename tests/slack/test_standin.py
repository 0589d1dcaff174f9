"""Contract tests of the Slack stand-in, driven by the real slack_sdk and slack_bolt clients.

If these pass, the stand-in answers the way Slack does in every respect the bot relies on.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest, AsyncRespond, AsyncSay
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.payloads import (
    BOT_USER_ID,
    SIGNING_SECRET,
    TEAM_ID,
    block_actions_payload,
    event_callback,
    interactive_body,
    message_event,
    post_raw,
    post_signed,
    sign,
    slash_command_form,
)
from tests.slack.standin import (
    APP_TOKEN,
    BOT_ID,
    RESPONSE_URL_CALL,
    SlackStandIn,
)

ServeBolt = Callable[[AsyncApp], Awaitable[str]]
_T = TypeVar("_T")
HUMAN = "U0HUMAN01"
CHANNEL = "C0STORIES1"
DM = "D0HUMAN001"


def hello_event_body() -> bytes:
    return json.dumps(event_callback(message_event(HUMAN, DM, "hello there"))).encode()


async def next_item(queue: asyncio.Queue[_T]) -> _T:
    async with asyncio.timeout(5):
        return await queue.get()


# -- (a) Web API round trips -------------------------------------------------------------


async def test_auth_test_reports_consistent_bot_identity(slack_client: AsyncWebClient) -> None:
    first = await slack_client.auth_test()
    second = await slack_client.auth_test()
    identity = ("user_id", "bot_id", "team_id")
    assert [first[key] for key in identity] == [BOT_USER_ID, BOT_ID, TEAM_ID]
    assert [second[key] for key in identity] == [first[key] for key in identity]


async def test_post_then_update_is_reflected_in_messages(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    posted = await slack_client.chat_postMessage(channel=CHANNEL, text="draft")
    other = await slack_client.chat_postMessage(channel=CHANNEL, text="second")
    updated = await slack_client.chat_update(channel=CHANNEL, ts=posted["ts"], text="final")

    assert float(other["ts"]) > float(posted["ts"])
    assert (updated["ts"], updated["message"]["text"]) == (posted["ts"], "final")
    stored = slack_standin.messages(CHANNEL)
    assert [(m["ts"], m["text"]) for m in stored] == [
        (posted["ts"], "final"),
        (other["ts"], "second"),
    ]
    assert stored[0]["bot_id"] == BOT_ID


async def test_form_encoded_post_with_json_string_blocks(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    form = {"channel": CHANNEL, "text": "hi", "blocks": json.dumps(blocks)}
    await slack_client.api_call("chat.postMessage", data=form)
    [call] = slack_standin.calls_to("chat.postMessage")
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert slack_standin.messages(CHANNEL)[0]["blocks"] == blocks


async def test_update_of_unknown_message_is_message_not_found(
    slack_client: AsyncWebClient,
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await slack_client.chat_update(channel=CHANNEL, ts="1700000000.999999", text="x")
    assert raised.value.response["error"] == "message_not_found"


async def test_wrong_token_is_invalid_auth_with_http_200(slack_standin: SlackStandIn) -> None:
    client = AsyncWebClient(token="xoxb-wrong", base_url=slack_standin.api_url)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "invalid_auth"
    assert slack_standin.messages(CHANNEL) == []


async def test_missing_text_is_no_text(slack_client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised, pytest.warns(UserWarning, match="`text`"):
        await slack_client.chat_postMessage(channel=CHANNEL)
    assert raised.value.response["error"] == "no_text"


async def test_channel_name_that_is_not_known_is_channel_not_found(
    slack_client: AsyncWebClient,
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await slack_client.chat_postMessage(channel="#nowhere", text="hi")
    assert raised.value.response["error"] == "channel_not_found"


async def test_error_next_fails_once_then_recovers(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.error_next("chat.postMessage", "is_archived")
    with pytest.raises(SlackApiError) as raised:
        await slack_client.chat_postMessage(channel=CHANNEL, text="one")
    await slack_client.chat_postMessage(channel=CHANNEL, text="two")
    assert raised.value.response["error"] == "is_archived"
    assert [m["text"] for m in slack_standin.messages(CHANNEL)] == ["two"]


async def test_conversations_open_gives_a_stable_dm_per_user(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    first = await slack_client.conversations_open(users=HUMAN)
    again = await slack_client.conversations_open(users=[HUMAN])
    other = await slack_client.conversations_open(users="U0OTHER01")
    dm = first["channel"]["id"]
    assert dm.startswith("D") and again["channel"]["id"] == dm == slack_standin.dm_channel(HUMAN)
    assert other["channel"]["id"] != dm and again["already_open"] is True
    await slack_client.chat_postMessage(channel=dm, text="welcome")
    assert [m["text"] for m in slack_standin.messages(dm)] == ["welcome"]


async def test_files_upload_v2_runs_all_three_steps(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    result = await slack_client.files_upload_v2(
        channel=CHANNEL, content="once upon a time", filename="story.txt", title="Story"
    )
    upload = slack_standin.files[result["file"]["id"]]
    assert (upload.data, upload.title, upload.shared_to) == (
        b"once upon a time",
        "Story",
        [CHANNEL],
    )
    [shared] = slack_standin.messages(CHANNEL)
    assert shared["files"][0]["name"] == "story.txt"


async def test_views_ephemeral_and_users_info(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    view = {"type": "home", "blocks": []}
    published = await slack_client.views_publish(user_id=HUMAN, view=view)
    ephemeral = await slack_client.chat_postEphemeral(channel=CHANNEL, user=HUMAN, text="psst")
    slack_standin.users[HUMAN] = {"tz": "Europe/Paris"}
    slack_standin.scopes.add("users:read")  # not in the manifest: storyloop never reads users
    user = await slack_client.users_info(user=HUMAN)
    assert published["view"]["id"] == slack_standin.views[0]["id"]
    assert ephemeral["message_ts"] and slack_standin.messages(CHANNEL) == []
    assert (user["user"]["id"], user["user"]["tz"]) == (HUMAN, "Europe/Paris")


async def test_a_method_the_token_has_no_scope_for_is_refused_like_slack(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.expect_refusals = True
    with pytest.raises(SlackApiError) as raised:
        await slack_client.users_info(user=HUMAN)
    assert raised.value.response.status_code == 200
    assert raised.value.response.data == {
        "ok": False, "error": "missing_scope", "needed": "users:read",
        "provided": ",".join(sorted(slack_standin.scopes))}
    slack_standin.scopes.discard("files:write")
    with pytest.raises(SlackApiError) as upload:
        await slack_client.files_upload_v2(channel=CHANNEL, content="x", filename="x.txt")
    assert upload.value.response["needed"] == "files:write"
    assert slack_standin.messages(CHANNEL) == [] and slack_standin.files == {}


# -- (b) rate limits ----------------------------------------------------------------------


async def test_429_without_retry_handler_raises_with_retry_after(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.fail_next("chat.postMessage", retry_after=1)
    with pytest.raises(SlackApiError) as raised:
        await slack_client.chat_postMessage(channel=CHANNEL, text="hi")
    response = raised.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "1"


async def test_429_with_rate_limit_handler_waits_retry_after_then_succeeds(
    slack_standin: SlackStandIn,
) -> None:
    client = AsyncWebClient(
        token=slack_standin.bot_token,
        base_url=slack_standin.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    slack_standin.fail_next("chat.postMessage", retry_after=1)
    posted = await client.chat_postMessage(channel=CHANNEL, text="patience")
    first, second = slack_standin.calls_to("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time >= 1.0
    assert [m["ts"] for m in slack_standin.messages(CHANNEL)] == [posted["ts"]]


# -- (c) bolt over HTTP: signed requests --------------------------------------------------


def test_sign_matches_slack_sdk() -> None:
    body, ts = hello_event_body(), int(time.time())
    expected = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=str(ts), body=body)
    assert sign(body, ts, SIGNING_SECRET) == expected


async def test_signed_message_event_is_answered_through_the_web_api(
    bolt_app: AsyncApp, serve_bolt: ServeBolt, slack_standin: SlackStandIn
) -> None:
    @bolt_app.message("hello")
    async def greet(message: dict[str, Any], say: AsyncSay) -> None:
        await say(f"hi <@{message['user']}>")

    status, _ = await post_signed(await serve_bolt(bolt_app), hello_event_body(), SIGNING_SECRET)
    [post] = await slack_standin.wait_for_calls("chat.postMessage")
    assert status == 200
    assert slack_standin.calls[0].method == "auth.test"
    assert (post.args["channel"], post.args["text"]) == (DM, f"hi <@{HUMAN}>")
    assert post.token == slack_standin.bot_token


async def test_block_action_is_acked_and_responds_to_response_url(
    bolt_app: AsyncApp, serve_bolt: ServeBolt, slack_standin: SlackStandIn
) -> None:
    @bolt_app.action("approve")
    async def approve(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Approved", replace_original=True)

    payload = block_actions_payload(
        HUMAN,
        CHANNEL,
        "1700000000.000100",
        "approve",
        "story-1",
        response_url=slack_standin.response_url("approve"),
    )
    form = "application/x-www-form-urlencoded"
    url = await serve_bolt(bolt_app)
    status, _ = await post_signed(url, interactive_body(payload), SIGNING_SECRET, content_type=form)
    [response] = await slack_standin.wait_for_calls(RESPONSE_URL_CALL)
    assert status == 200 and response.path == "/response/approve"
    assert response.args["text"] == "Approved" and response.args["replace_original"] is True


async def test_unsigned_request_is_rejected_before_any_api_call(
    bolt_app: AsyncApp, serve_bolt: ServeBolt, slack_standin: SlackStandIn
) -> None:
    url = await serve_bolt(bolt_app)
    status, _ = await post_raw(url, hello_event_body(), {"Content-Type": "application/json"})
    assert status == 401
    assert slack_standin.calls == []


async def test_stale_timestamp_is_rejected(
    bolt_app: AsyncApp, serve_bolt: ServeBolt, slack_standin: SlackStandIn
) -> None:
    url = await serve_bolt(bolt_app)
    stale = int(time.time()) - 301
    status, _ = await post_signed(url, hello_event_body(), SIGNING_SECRET, timestamp=stale)
    assert status == 401
    assert slack_standin.calls == []


# -- (d) bolt over Socket Mode ------------------------------------------------------------


async def test_socket_mode_connects_with_the_app_token(
    socket_handler: AsyncSocketModeHandler, slack_standin: SlackStandIn
) -> None:
    [opened] = slack_standin.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert socket_handler.client.wss_uri is not None
    assert socket_handler.client.wss_uri.startswith(slack_standin.ws_url)


async def test_socket_mode_event_is_acked_handled_and_retry_is_visible(
    bolt_app: AsyncApp, socket_handler: AsyncSocketModeHandler, slack_standin: SlackStandIn
) -> None:
    retry_nums: asyncio.Queue[object] = asyncio.Queue()

    @bolt_app.message("hello")
    async def greet(say: AsyncSay, request: AsyncBoltRequest) -> None:
        await retry_nums.put(request.headers.get("x-slack-retry-num"))
        await say("hi")

    payload = event_callback(message_event(HUMAN, DM, "hello there"))
    first = await slack_standin.push("events_api", payload)
    assert await slack_standin.wait_for_ack(first) == {"envelope_id": first}
    [post] = await slack_standin.wait_for_calls("chat.postMessage")
    assert await next_item(retry_nums) == ["0"]

    again = await slack_standin.push("events_api", payload, retry_attempt=1, retry_reason="timeout")
    await slack_standin.wait_for_ack(again)
    assert await next_item(retry_nums) == ["1"]
    assert post.args["channel"] == DM


async def test_socket_mode_slash_command_ack_carries_the_response_payload(
    bolt_app: AsyncApp, socket_handler: AsyncSocketModeHandler, slack_standin: SlackStandIn
) -> None:
    @bolt_app.command("/story")
    async def story(ack: AsyncAck) -> None:
        await ack("Starting a story")

    form = slash_command_form("/story", "new", HUMAN, DM)
    envelope_id = await slack_standin.push("slash_commands", dict(form))
    ack = await slack_standin.wait_for_ack(envelope_id)
    assert ack == {"envelope_id": envelope_id, "payload": {"text": "Starting a story"}}


async def test_socket_mode_handler_closes_cleanly(
    socket_handler: AsyncSocketModeHandler, slack_standin: SlackStandIn
) -> None:
    await socket_handler.close_async()  # type: ignore[no-untyped-call]
    await slack_standin.wait_for_no_socket()
    assert len(slack_standin.calls_to("apps.connections.open")) == 1


async def test_usergroups_users_list_answers_members_or_no_such_subteam(
    slack_client: AsyncWebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.usergroups["S0MODS"] = [HUMAN]
    listed = await slack_client.usergroups_users_list(usergroup="S0MODS")
    with pytest.raises(SlackApiError) as raised:
        await slack_client.usergroups_users_list(usergroup="S0NOPE")
    assert listed["users"] == [HUMAN]
    assert raised.value.response["error"] == "no_such_subteam"
