"""The stand-in refuses the Block Kit Slack refuses (checked with slack_sdk's own models,
plus the limits they leave out), and the text Slack refuses, as Slack answers:
HTTP 200 ``{"ok": false, "error": "invalid_blocks", "errors": [...]}``."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.standin import SlackStandIn

CHANNEL = "C0STORIES1"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Yes", value: str = "yes", action_id: str = "a") -> dict[str, Any]:
    return {"type": "actions", "elements": [{
        "type": "button", "action_id": action_id, "value": value,
        "text": {"type": "plain_text", "text": text}}]}


@pytest.mark.parametrize(("blocks", "why"), [
    ([section("x")] * 51, "must be less than 51 items"),
    ([section("x" * 3001)], "cannot exceed 3000 characters"),
    ([button(text="x" * 76)], "cannot exceed 75 characters"),
    ([button(value="x" * 2001)], "cannot exceed 2000 characters"),
    ([button(action_id="x" * 256)], "cannot exceed 255 characters"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
     "cannot exceed 150 characters"),
    ([button(text="")], "must be more than 0 characters"),
    ([{"type": "actions", "elements": []}], "at least one element"),
    ([{"type": "sparkle"}], "unknown block type"),
    ([button(action_id="same"), button(action_id="same")], "used twice"),
])
async def test_blocks_slack_would_refuse_are_refused(
        slack_client: AsyncWebClient, slack_standin: SlackStandIn,
        blocks: list[dict[str, Any]], why: str) -> None:
    slack_standin.expect_refusals = True
    with pytest.raises(SlackApiError) as raised:
        await slack_client.chat_postMessage(channel=CHANNEL, text="t", blocks=blocks)
    response = raised.value.response
    assert (response.status_code, response["error"]) == (200, "invalid_blocks")
    assert any(why in problem for problem in response["errors"]), response["errors"]
    assert slack_standin.messages(CHANNEL) == []


async def test_50_valid_blocks_are_taken_and_a_text_over_40000_is_not(
        slack_client: AsyncWebClient, slack_standin: SlackStandIn) -> None:
    blocks = [section("x" * 3000)] * 48 + [button(), button(action_id="b")]
    await slack_client.chat_postMessage(channel=CHANNEL, text="t", blocks=blocks)
    slack_standin.expect_refusals = True
    with pytest.raises(SlackApiError) as raised:
        await slack_client.chat_postMessage(channel=CHANNEL, text="x" * 40_001)
    assert raised.value.response["error"] == "msg_too_long"
    assert len(slack_standin.messages(CHANNEL)) == 1
