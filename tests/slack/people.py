"""A person in Slack, talking to the bot through the stand-in the way Slack would carry it.

Over HTTP each delivery is a request signed like Slack's; over Socket Mode it is an envelope
pushed down the bot's websocket, and the helper waits for its ack. A ``Person`` types in their
direct message, presses buttons on the bot's messages and uses slash commands; tests then wait
on the stand-in for the bot's answers, never on time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from adapters.slack_blocks import fallback_text
from bot.compose import compose
from bot.core.config import Config
from bot.core.types import OutgoingMessage
from storage.memory import MemoryStore
from tests.conftest import PSEUDONYMS, Chat
from tests.slack.payloads import (
    JsonDict,
    app_mention_event,
    block_actions_payload,
    event_callback,
    event_ts,
    form_body,
    interactive_body,
    message_event,
    post_signed,
    slash_command_form,
)
from tests.slack.standin import SlackStandIn

FORM = "application/x-www-form-urlencoded"


class Transport(Protocol):
    async def event(self, payload: JsonDict, retry: int = 0) -> None: ...

    async def interactive(self, payload: JsonDict) -> None: ...

    async def command(self, form: Mapping[str, str]) -> str: ...


class Http:
    """The HTTP Events API: signed POSTs to the bot's endpoint; every one must get 200."""

    def __init__(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret

    async def event(self, payload: JsonDict, retry: int = 0) -> None:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        await self._post(json.dumps(payload).encode(), "application/json",
                         headers if retry else {})

    async def interactive(self, payload: JsonDict) -> None:
        await self._post(interactive_body(payload), FORM)

    async def command(self, form: Mapping[str, str]) -> str:
        return await self._post(form_body(form), FORM)

    async def _post(self, body: bytes, content_type: str,
                    headers: Mapping[str, str] | None = None) -> str:
        status, text = await post_signed(self.url, body, self.secret, content_type=content_type,
                                         extra_headers=headers)
        assert status == 200, f"the bot answered {status}: {text}"
        return text


class Socket:
    """Socket Mode: envelopes down the websocket; every one must be acked."""

    def __init__(self, standin: SlackStandIn, connection: int = -1) -> None:
        """``connection``: the bot's Socket Mode connection Slack sends to (the newest, or
        the Nth opened: one per worker)."""
        self.standin, self.connection = standin, connection

    async def event(self, payload: JsonDict, retry: int = 0) -> None:
        reason = "timeout" if retry else ""
        await self._push("events_api", payload, retry, reason)

    async def interactive(self, payload: JsonDict) -> None:
        await self._push("interactive", payload)

    async def command(self, form: Mapping[str, str]) -> str:
        ack = await self._push("slash_commands", dict(form))
        return json.dumps(ack.get("payload", {}))

    async def _push(self, kind: str, payload: JsonDict, retry: int = 0,
                    reason: str = "") -> JsonDict:
        envelope_id = await self.standin.push(kind, payload, retry_attempt=retry,
                                              retry_reason=reason, connection=self.connection)
        return await self.standin.wait_for_ack(envelope_id)


class Person:
    def __init__(self, standin: SlackStandIn, transport: Transport, user: str) -> None:
        self.standin, self.transport, self.user = standin, transport, user
        self.dm = standin.dm_channel(user)
        self._commands = 0

    async def says(self, text: str, *, ts: str | None = None, retry: int = 0) -> JsonDict:
        """Type in the direct message with the bot; returns the event delivered."""
        event = message_event(self.user, self.dm, text, ts=ts or event_ts())
        await self.deliver(event, retry=retry)
        return event

    async def mentions_bot(self, channel: str, text: str, ts: str | None = None) -> JsonDict:
        event = app_mention_event(self.user, channel, text, ts=ts)
        await self.deliver(event)
        return event

    async def deliver(self, event: JsonDict, *, retry: int = 0,
                      event_id: str | None = None) -> None:
        await self.transport.event(event_callback(event, event_id=event_id), retry=retry)

    async def presses(self, label: str, message: JsonDict | None = None) -> JsonDict:
        """Press the button with this label on the bot's newest message (or on ``message``)."""
        message = message or self.standin.messages(self.dm)[-1]
        button = _button(message, label)
        payload = block_actions_payload(self.user, self.dm, message["ts"], button["action_id"],
                                        button["value"], message=message)
        await self.transport.interactive(payload)
        return message

    async def slash(self, command: str, text: str = "", channel: str | None = None,
                    response_key: str = "default") -> str:
        """Use a slash command; returns the immediate (ack) response."""
        form = slash_command_form(command, text, self.user, channel or self.dm,
                                  response_url=self.standin.response_url(response_key))
        return await self.transport.command(form)

    async def command(self, text: str, channel: str) -> str:
        """``/storyloop <text>`` in ``channel``; returns the bot's answer to it."""
        self._commands += 1
        key = f"{self.user}-{self._commands}"
        await self.slash("/storyloop", text, channel=channel, response_key=key)
        [answer] = await self.standin.wait_for_response(key)
        return str(answer.args["text"])

    def bot_texts(self) -> list[str]:
        return [m["text"] for m in self.standin.messages(self.dm)]

    async def wait_for_text(self, words: str, times: int = 1) -> str:
        """Wait until the bot has posted ``times`` messages containing ``words`` in the
        direct message; return the last of them."""
        await self.standin.wait_until(lambda: self.count(words) >= times,
                                      f"{times} x {words!r} in {self.dm}")
        return [t for t in self.bot_texts() if words in t][times - 1]

    def count(self, words: str) -> int:
        """How many of the bot's messages in the direct message contain ``words``."""
        return sum(words in text for text in self.bot_texts())

    async def wait_for_replies(self, count: int) -> list[str]:
        """Wait until the bot has posted ``count`` messages in the direct message."""
        await self.standin.wait_until(lambda: len(self.standin.messages(self.dm)) >= count,
                                      f"{count} messages in {self.dm}")
        return self.bot_texts()


def _button(message: JsonDict, label: str) -> Any:
    buttons = [element for block in message.get("blocks", []) if block["type"] == "actions"
               for element in block["elements"]]
    found = [b for b in buttons if b["value"] == label]
    assert found, f"no button {label!r} in {[b['value'] for b in buttons]}"
    return found[0]


@dataclass(frozen=True)
class Press:
    """A step in a script: press the button with this label (instead of typing)."""

    label: str


Step = str | Press


class Reference:
    """What the bot should say: the same App on a memory store, driven with no transport.

    A button press is the person answering with the button's words, so the reference types
    the label. Each reply is compared as Slack shows it in a notification (``fallback_text``).
    """

    def __init__(self) -> None:
        app = compose(Config(), MemoryStore(), pseudonymise=PSEUDONYMS).app
        self.chat = Chat(app)
        self.texts: list[str] = []

    async def step(self, step: Step) -> list[OutgoingMessage]:
        replies = await self.chat.say(step.label if isinstance(step, Press) else step)
        self.texts += [fallback_text(reply) for reply in replies]
        return replies


async def talk(person: Person, reference: Reference, *steps: Step) -> None:
    """Take each step as the person, and wait for as many replies as the reference gave."""
    for step in steps:
        await reference.step(step)
        if isinstance(step, Press):
            await person.presses(step.label)
        else:
            await person.says(step)
        await person.wait_for_replies(len(reference.texts))
