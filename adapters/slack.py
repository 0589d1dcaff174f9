"""The Slack adapter: slack-bolt's async app, over Socket Mode or the HTTP Events API.

Payloads become IncomingMessages (``slack_events``), ``App.handle`` answers, and the replies
are posted as blocks (``slack_blocks``). What Slack demands, and where it is handled:

* Acknowledge within 3 s: bolt acks events before our listener runs; commands and button
  presses call ``ack()`` first and work afterwards.
* Retried deliveries carry the same event id, so the store applies them once; a slash
  command or command button delivered again (same trigger_id or action_ts) is recorded with
  the events seen and run once.
* Rate limits: the Web API client waits out 429s (``Retry-After``) itself; replies to one
  channel are posted in order under a per-channel lock.
* A reply longer than one message may be goes in several, its buttons on the last.
* A used question's buttons are replaced by the answer; a press on a question that has moved
  on (the newest question's ts is kept in the store) is not taken as an answer, and leaves
  the answer already shown as it is.
* A message in a thread of the DM is answered in that thread.
* Slack errors (``{"ok": false}``) are logged with the method and error; a reply refused for
  its blocks is posted again as plain text. Stopping lets answers in progress finish.
* Over HTTP, a request Slack could not have sent (invalid JSON, a timestamp that is not a
  number) gets a 400 before bolt sees it (``slack_http``).

Replies to ``/storyloop`` are ephemeral (only the person who typed it sees them) and go
through the command's ``response_url``, so they work in any channel, even where the bot is
not a member. ``/story`` opens the person's direct message with the bot and starts there,
as does ``/storyloop`` with anything but a command when typed in a DM. Digests are posted by
``slack_digest``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError

from adapters.slack_blocks import (
    CHOICE_ACTION,
    COMMAND_ACTION,
    answered,
    render,
)
from adapters.slack_client import api_failure, connect, until_cancelled, web_client
from adapters.slack_digest import DigestPoster
from adapters.slack_events import (
    PLATFORM,
    choice_from_payload,
    command_from_payload,
    command_message,
    joined,
    mention_from_event,
    message_from_event,
    thread_of,
)
from adapters.slack_http import guarded
from bot.app import App
from bot.commands import Commands
from bot.core.config import SlackConfig, secret
from bot.core.errors import PlatformError, Unreachable
from bot.core.locks import KeyedLocks
from bot.core.types import EventId, IncomingMessage, OutgoingMessage, RoomId, UserId
from bot.core.words import say
from storage.ports import KeyValue

log = logging.getLogger(__name__)
JsonDict = dict[str, Any]
DRAIN_SECONDS = 10.0
"""How long stopping waits for listeners still answering."""
STORY_ACK = say("slack.story_ack")
_WORTH_A_PLAIN_RETRY = {"invalid_blocks", "invalid_blocks_format", "msg_too_long",
                        "msg_blocks_too_long", "internal_error", "fatal_error",
                        "service_unavailable", "request_timeout"}


class SlackAdapter:
    name = "slack"

    def __init__(self, config: SlackConfig, app: App, store: KeyValue) -> None:
        self.config, self.app, self.store = config, app, store
        self.client = web_client(config)
        self.bolt = self._bolt_app()
        self.ready = asyncio.Event()
        """Set once listening (HTTP) or connected (Socket Mode)."""
        self.port: int | None = None
        """The HTTP port actually bound (``port = 0`` picks a free one)."""
        self._locks = KeyedLocks()
        self._working: set[asyncio.Task[Any]] = set()

    # Running
    async def run(self) -> None:
        """Connect (or listen) and serve until cancelled; then close cleanly."""
        await self._add_moderator_groups()
        self.app.senders[PLATFORM] = self.post
        self.app.publishers[PLATFORM] = DigestPoster(self.client, self.store).publish
        self.app.delivery.attach(PLATFORM, self.send)
        try:
            if self.config.mode == "socket":
                await self._run_socket()
            else:
                await self._run_http()
        finally:
            self.ready.clear()
            await self.app.delivery.detach(PLATFORM)
            self.app.senders.pop(PLATFORM, None)
            self.app.publishers.pop(PLATFORM, None)

    async def _run_socket(self) -> None:
        token = secret("slack.app_token_env", self.config.app_token_env)
        handler = AsyncSocketModeHandler(self.bolt, app_token=token)
        try:
            await connect(handler)
            log.info("connected to Slack over Socket Mode")
            await self.app.delivery.resume(PLATFORM)  # what a crash left unsent
            self.ready.set()
            await until_cancelled()
        finally:
            await self._drain()
            await handler.close_async()  # type: ignore[no-untyped-call]

    async def _run_http(self) -> None:
        runner = web.AppRunner(guarded(self.bolt.web_app(path=self.config.path)),
                               shutdown_timeout=2.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.config.host, self.config.port).start()
            self.port = int(runner.addresses[0][1])
            log.info("listening for Slack on http://%s:%d%s", self.config.host, self.port,
                     self.config.path)
            await self.app.delivery.resume(PLATFORM)  # what a crash left unsent
            self.ready.set()
            await until_cancelled()
        finally:
            await self._drain()
            await runner.cleanup()

    async def _add_moderator_groups(self) -> None:
        """Members of the configured user groups moderate, as found at start-up."""
        for group in self.config.moderator_groups:
            try:
                found = await self.client.usergroups_users_list(usergroup=group)
            except SlackApiError as exc:
                log.warning("could not list moderator group %s: %s", group, api_failure(exc))
                continue
            for user in found.get("users") or []:
                self._commands.moderators.add(PLATFORM, UserId(user))

    @asynccontextmanager
    async def _work(self) -> AsyncIterator[None]:
        """Mark the current listener as busy, so stopping lets it finish first."""
        task = asyncio.current_task()
        if task is not None:
            self._working.add(task)
        try:
            yield
        finally:
            self._working.discard(task)

    async def _drain(self) -> None:
        """On the way out: let replies to turns already saved reach the person."""
        if self._working:
            log.info("letting %d Slack listener(s) finish", len(self._working))
            await asyncio.wait(set(self._working), timeout=DRAIN_SECONDS)
        with contextlib.suppress(TimeoutError):  # and the replies they owe be sent
            async with asyncio.timeout(DRAIN_SECONDS):
                await self.app.delivery.idle()

    @property
    def _commands(self) -> Commands:
        if self.app.commands is None:
            raise PlatformError("the App has no command registry")
        return self.app.commands

    # Wiring bolt
    def _bolt_app(self) -> AsyncApp:
        http = self.config.mode == "http"
        signing = secret("slack.signing_secret_env", self.config.signing_secret_env) if http \
            else ""
        bolt = AsyncApp(client=self.client, signing_secret=signing,
                        request_verification_enabled=http)
        bolt.event("message")(self._on_message)
        bolt.event("app_mention")(self._on_mention)
        bolt.command("/story")(self._on_story)
        bolt.command("/storyloop")(self._on_command)
        bolt.action(CHOICE_ACTION)(self._on_choice)
        bolt.action(COMMAND_ACTION)(self._on_command_button)
        bolt.error(self._on_error)
        return bolt

    async def _on_message(self, event: JsonDict, context: AsyncBoltContext) -> None:
        msg = message_from_event(event, context.bot_user_id)
        if msg is not None:
            await self._deliver(msg, thread_of(event))  # a reply in a thread stays there

    async def _on_mention(self, event: JsonDict, context: AsyncBoltContext) -> None:
        msg = mention_from_event(event, context.bot_user_id)
        if msg is None:
            return
        thread = thread_of(event) if msg.is_direct else event.get("thread_ts") or event["ts"]
        await self._deliver(msg, thread)

    async def _on_story(self, ack: AsyncAck, command: JsonDict, respond: AsyncRespond) -> None:
        await ack(text=STORY_ACK)
        if not (command.get("user_id") and command.get("trigger_id")):
            return
        try:
            opened = await self.client.conversations_open(users=command["user_id"])
        except SlackApiError as exc:
            log.warning("could not open a DM for /story: %s", api_failure(exc))
            await respond(text=say("sorry"))
            return
        dm = RoomId(opened["channel"]["id"])
        await self._deliver(joined(dm, command, self.app.clock.now()))

    async def _on_command(self, ack: AsyncAck, command: JsonDict,
                          respond: AsyncRespond) -> None:
        """``/storyloop <command>``, answered only to the person who typed it. In a direct
        message anything else ("hello", "story") is a wish to talk: as ``/story``, in the DM
        with the bot, where buttons work (an ephemeral reply's buttons could not). In a
        channel the App answers it (an unknown command, or the offer of a DM)."""
        msg = command_message(command, self.app.clock.now())
        msg = msg and msg.model_copy(update={"answered_privately": True})
        if msg is not None and msg.is_direct and not self._commands.knows(msg.text):
            await self._on_story(ack, command, respond)
            return
        await ack()
        if msg is None or not await self._first_delivery(msg):
            return
        async with self._work():
            for reply in await self.app.handle(msg):
                for page in render(reply):
                    await respond(text=page.text, blocks=page.blocks)

    async def _on_choice(self, ack: AsyncAck, body: JsonDict, action: JsonDict) -> None:
        """A choice pressed. Only a press on the newest question is an answer; a second press
        (or the same press delivered again) leaves the answer shown as it is."""
        await ack()
        msg = choice_from_payload(body, action)
        if msg is None:
            return
        container = body["container"]
        message_ts = str(container["message_ts"])
        async with self._work(), self._locks.hold(msg.room_id):
            live = await self.store.get_value(_asking_key(msg.room_id)) == message_ts
            chosen = _chosen_key(msg.room_id, message_ts)
            pressed = str(action.get("value") or msg.text)
            label = pressed if live else await self.store.get_value(chosen)
            await self._show_answer(body, label or None)
            if live:  # answered: no longer the newest question, however soon pressed again
                await self.store.set_value(_asking_key(msg.room_id), "")
                await self.store.set_value(chosen, pressed)
                await self._answer(_in_thread(msg, container.get("thread_ts")))

    async def _on_command_button(self, ack: AsyncAck, body: JsonDict, action: JsonDict) -> None:
        """A button on a moderators' notice: run its command as the person who pressed it
        (the App's command registry decides whether they may), once per press."""
        await ack()
        msg = command_from_payload(body, action)
        if msg is not None and await self._first_delivery(msg):
            await self._deliver(msg)

    async def _first_delivery(self, msg: IncomingMessage) -> bool:
        """False for a command Slack delivered before (a replayed request, a Socket Mode
        redelivery): its trigger_id or action_ts is recorded with the events the store has
        seen. Messages need no such step: the App records their ids with their turn."""
        delivery = EventId(f"{msg.event_id}:delivered")
        if await self.app.store.record_event(PLATFORM, delivery, self.app.clock.now()):
            return True
        log.info("skipping Slack %s %s: delivered before", msg.kind, msg.event_id)
        return False

    async def _on_error(self, error: Exception, body: JsonDict) -> None:
        what = body.get("event", {}).get("type") or body.get("type") or body.get("command")
        if isinstance(error, SlackApiError):
            log.error("Slack %s while handling %s", api_failure(error), what)
        else:
            log.error("could not handle a Slack %s", what, exc_info=error)

    # Answering
    async def _deliver(self, msg: IncomingMessage, thread_ts: str | None = None) -> None:
        async with self._work(), self._locks.hold(msg.room_id):
            await self._answer(_in_thread(msg, thread_ts))

    async def _answer(self, msg: IncomingMessage) -> None:
        """Hand a message to the App. Its replies are written to the reply outbox with the
        turn, and delivery sends them (``send``); only while not attached are they posted
        here."""
        replies = await self.app.handle(msg)
        log.debug("%s event %s: %d replies", msg.kind, msg.event_id, len(replies))
        if not self.app.delivery.handles(PLATFORM):
            for reply in replies:
                await self.post(reply)

    async def send(self, reply: OutgoingMessage) -> str:
        """Deliver one reply from the outbox: its ts, or ``PlatformError`` if Slack refused
        it (``Unreachable`` if Slack could not be reached: delivery tries again). Slack has
        no idempotency key, so a crash between posting and confirming can repeat it."""
        try:
            async with self._locks.hold(reply.room_id):  # a press waits until it is the newest
                ts = await self.post(reply)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unreachable(f"could not reach Slack to post to {reply.room_id}: {exc}") from exc
        if ts is None:
            raise PlatformError(f"Slack would not take a reply to {reply.room_id}")
        return ts

    async def post(self, reply: OutgoingMessage) -> str | None:
        """Post one reply (in several messages if it is long, the buttons on the last), in
        its thread if it has one; return the first message's ts (None if Slack would not
        take it)."""
        posted: list[str] = []
        for page in render(reply):
            ts, error = await self._send(reply.room_id, page.text, page.blocks, reply.thread_id)
            if error in _WORTH_A_PLAIN_RETRY:  # the person still gets their question, as text
                ts, error = await self._send(reply.room_id, page.text, None, reply.thread_id)
            if ts is None:
                return None
            posted.append(ts)
        await self.store.set_value(_asking_key(reply.room_id), posted[-1] if reply.choices else "")
        return posted[0]

    async def _send(self, channel: str, text: str, blocks: list[JsonDict] | None,
                    thread_ts: str | None) -> tuple[str | None, str | None]:
        """(ts, None) once posted; (None, Slack's error) if not."""
        try:
            posted = await self.client.chat_postMessage(channel=channel, text=text,
                                                        blocks=blocks, thread_ts=thread_ts)
        except SlackApiError as exc:
            log.error("Slack %s posting to %s", api_failure(exc), channel)
            return None, str(exc.response.get("error"))
        return str(posted["ts"]), None

    async def _show_answer(self, body: JsonDict, label: str | None) -> None:
        """Replace a question's buttons by the answer given, so the chat reads cleanly."""
        message = body.get("message") or {}
        container = body["container"]
        try:
            await self.client.chat_update(
                channel=container["channel_id"], ts=container["message_ts"],
                text=message.get("text") or " ", blocks=answered(message.get("blocks", []), label))
        except SlackApiError as exc:
            log.warning("Slack %s replacing buttons", api_failure(exc))


def _in_thread(msg: IncomingMessage, thread_ts: str | None) -> IncomingMessage:
    return msg.model_copy(update={"thread_id": thread_ts}) if thread_ts else msg


def _asking_key(channel: str) -> str:
    """Where the ts of the channel's newest question with buttons is kept."""
    return f"slack:{channel}:asking"


def _chosen_key(channel: str, message_ts: str) -> str:
    """Where the answer chosen on a question (by its ts) is kept, to show it again."""
    return f"slack:{channel}:{message_ts}:chosen"


class _SkipClientTokenNotice(logging.Filter):
    """bolt warns that the token is unused when SLACK_BOT_TOKEN is set and a client is given;
    giving it the client (with our retry handlers) is deliberate."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_SkipClientTokenNotice())
