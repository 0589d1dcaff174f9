"""A local stand-in for Slack's Web API and Socket Mode, for offline tests.

`SlackStandIn` is a real aiohttp server on 127.0.0.1 (ephemeral port). It behaves like Slack
where a client can tell the difference: errors are HTTP 200 `{"ok": false, "error": ...}`,
rate limits are HTTP 429 with an integer `Retry-After`, `auth.test` answers consistent ids,
and Socket Mode says `hello`, sends envelopes and collects `{"envelope_id": ...}` acks.
Every Web API call is recorded; tests wait on an `asyncio.Condition`, never on time.

Payload builders and request signing live in `tests.slack.payloads`.

The waiters take a `timeout` (ruff ASYNC109): a test helper that can hang forever is worse
than a composable one, so each waiter bounds itself and says what it was waiting for.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web

from tests.slack.blockkit import MAX_TEXT, block_problems
from tests.slack.payloads import APP_ID, BOT_USER_ID, TEAM_ID, JsonDict
from tests.slack.scopes import manifest_bot_scopes, refusal

Handler = Callable[[JsonDict], JsonDict]
_T = TypeVar("_T")

BOT_ID: Final = "B0STANDIN"
BOT_TOKEN: Final = "xoxb-0000-standin-bot-token"
APP_TOKEN: Final = "xapp-1-A0STANDIN-0000-standin-app-token"
UPLOAD_CALL: Final = "<upload>"
RESPONSE_URL_CALL: Final = "<response_url>"

_CHANNEL_ID = re.compile(r"^[CDG][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_TS_BASE_MICROS: Final = 1_700_000_000_000_000


@dataclass(frozen=True)
class Call:
    """One request the stand-in received (Web API, upload URL or response_url)."""

    method: str
    args: JsonDict
    headers: dict[str, str]  # lower-case names
    time: float  # time.monotonic() on arrival
    status: int
    response: JsonDict
    path: str

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None


@dataclass
class UploadedFile:
    """A file announced by files.getUploadURLExternal; `data` is set once its bytes arrive."""

    file_id: str
    filename: str
    length: int
    title: str = ""
    data: bytes | None = None
    shared_to: list[str] = field(default_factory=list)

    def as_json(self) -> JsonDict:
        size = len(self.data or b"")
        return {"id": self.file_id, "name": self.filename, "title": self.title, "size": size}


class ApiError(Exception):
    """Raised inside a method handler; becomes HTTP 200 `{"ok": false, "error": ...}`."""

    def __init__(self, error: str, **details: Any) -> None:
        super().__init__(error)
        self.error = error
        self.details = details


class SlackStandIn:
    """Slack's Web API at `api_url` and a Socket Mode websocket at `ws_url`, on loopback."""

    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        channels: Iterable[str] = (),
        any_channel_id: bool = True,
        scopes: Iterable[str] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.scopes = set(manifest_bot_scopes() if scopes is None else scopes)
        """The bot token's scopes: by default exactly what slack-app-manifest.yml asks for."""
        self.expect_refusals = False
        """Set by a test that provokes refusals on purpose (see the slack_standin fixture)."""
        self.app_token = app_token
        self.team_id, self.app_id = TEAM_ID, APP_ID
        self.bot_user_id, self.bot_id = BOT_USER_ID, BOT_ID
        self.calls: list[Call] = []
        self.envelopes: list[JsonDict] = []
        self.acks: dict[str, JsonDict] = {}
        self.views: list[JsonDict] = []
        self.files: dict[str, UploadedFile] = {}
        self.users: dict[str, JsonDict] = {}  # users.info overrides, merged over defaults
        self.usergroups: dict[str, list[str]] = {}  # usergroups.users.list: group id -> users
        self._channels = set(channels)
        self._any_channel_id = any_channel_id
        self._messages: dict[str, dict[str, JsonDict]] = {}
        self._conversations: dict[str, str] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._rate_limits: dict[str, list[int]] = {}
        self._errors: dict[str, list[str | None]] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._handlers = self._method_handlers()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = web.AppRunner(self._web_app(), access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"stand-in stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError("SlackStandIn.start() has not run")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/link/"

    def response_url(self, key: str = "default") -> str:
        return f"{self.base_url}/response/{key}"

    def _web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/link/", self._socket)
        return app

    # -- inspection and waiting ------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def messages(self, channel: str) -> list[JsonDict]:
        """Messages posted to `channel`, oldest first, as they are now (after updates)."""
        return [dict(message) for message in self._messages.get(channel, {}).values()]

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (see top)
    ) -> list[Call]:
        await self._wait(lambda: len(self.calls_to(method)) >= count, timeout, f"{count}x {method}")
        return self.calls_to(method)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        what: str,
        timeout: float = 5.0,  # noqa: ASYNC109 (see top)
    ) -> None:
        """Wait until `predicate()` holds; it is checked after every call the stand-in gets."""
        await self._wait(predicate, timeout, what)

    async def wait_for_response(
        self,
        key: str = "default",
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (see top)
    ) -> list[Call]:
        """Wait for `count` posts to `response_url(key)`; returns all of them."""
        path = f"/response/{key}"

        def posted() -> list[Call]:
            return [c for c in self.calls_to(RESPONSE_URL_CALL) if c.path == path]

        await self._wait(lambda: len(posted()) >= count, timeout, f"{count}x {path}")
        return posted()

    async def wait_for_socket(self, timeout: float = 5.0,  # noqa: ASYNC109
                              count: int | None = None) -> None:
        """Wait until a Socket Mode connection is open (exactly ``count``: one per worker)."""
        await self._wait(lambda: len(self._sockets) == count if count else bool(self._sockets),
                         timeout, f"{count or 'a'} Socket Mode connection(s)")

    async def wait_for_no_socket(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await self._wait(lambda: not self._sockets, timeout, "all Socket Mode clients to leave")

    async def wait_for_ack(
        self,
        envelope_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 (see top)
    ) -> JsonDict:
        await self._wait(lambda: envelope_id in self.acks, timeout, f"ack of {envelope_id}")
        return self.acks[envelope_id]

    async def _wait(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
        what: str,
    ) -> None:
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            seen = [call.method for call in self.calls]
            message = f"stand-in waited {timeout}s for {what}; calls so far: {seen}"
            raise TimeoutError(message) from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- injection -------------------------------------------------------------------------

    def fail_next(self, method: str, count: int = 1, retry_after: int = 1) -> None:
        """The next `count` calls to `method` get HTTP 429 with `Retry-After: retry_after`."""
        self._rate_limits.setdefault(method, []).extend([retry_after] * count)

    def error_next(self, method: str, error: str = "channel_not_found", count: int = 1,
                   after: int = 0) -> None:
        """The next `count` calls to `method` (after `after` more that succeed) get HTTP 200
        `{"ok": false, "error": error}`."""
        self._errors.setdefault(method, []).extend([None] * after + [error] * count)

    def add_channel(self, channel_id: str) -> None:
        self._channels.add(channel_id)

    def dm_channel(self, user: str) -> str:
        """The DM channel id for `user` (what conversations.open returns), stable per user."""
        return self._conversation(user, "D")

    # -- Web API ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = request.match_info["method"]
        args = await _read_args(request)
        status, body, headers = self._answer(method, args, _token(request, args))
        call = Call(method, args, _headers(request), arrived, status, body, request.path)
        await self._record(call)
        return web.json_response(body, status=status, headers=headers)

    def _answer(
        self, method: str, args: JsonDict, token: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        try:
            self._check_token(method, token)
            refused = refusal(method, frozenset(self.scopes))
            if refused is not None:
                return 200, refused, {}
            retry_after = _pop_first(self._rate_limits, method)
            if retry_after is not None:
                limited = {"ok": False, "error": "ratelimited"}
                return 429, limited, {"Retry-After": str(retry_after)}
            error = _pop_first(self._errors, method)
            if error is not None:
                raise ApiError(error)
            return 200, self._handlers.get(method, _ok)(args), {}
        except ApiError as exc:
            return 200, {"ok": False, "error": exc.error, **exc.details}, {}

    def _check_token(self, method: str, token: str | None) -> None:
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token == expected:
            return
        known = token in (self.app_token, self.bot_token)
        raise ApiError("not_allowed_token_type" if known else "invalid_auth")

    def refused_calls(self) -> list[Call]:
        """Calls Slack would have refused for the app's scopes or the blocks sent."""
        return [call for call in self.calls if call.response.get("error") in
                ("missing_scope", "unknown_method", "invalid_blocks", "msg_too_long")]

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        await self._notify()

    def _method_handlers(self) -> dict[str, Handler]:
        return {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.open": self._open_conversation,
            "views.open": lambda args: self._store_view(args, "trigger_id"),
            "views.publish": lambda args: self._store_view(args, "user_id"),
            "users.info": self._user_info,
            "usergroups.users.list": self._usergroup_users,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    def _auth_test(self, args: JsonDict) -> JsonDict:
        return {
            "ok": True,
            "url": "https://standin.slack.com/",
            "team": "Stand-in",
            "user": "storyloop",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _connections_open(self, args: JsonDict) -> JsonDict:
        return {"ok": True, "url": f"{self.ws_url}?ticket={uuid.uuid4()}&app_id={self.app_id}"}

    def _post_message(self, args: JsonDict) -> JsonDict:
        channel = self._resolve_channel(args.get("channel"))
        _require_content(args)
        message = self._store_message(channel, _content(args))
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": dict(message)}

    def _store_message(self, channel: str, content: JsonDict) -> JsonDict:
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": "",
            **content,
            "ts": self._next_ts(),
        }
        self._messages.setdefault(channel, {})[message["ts"]] = message
        return message

    def _update_message(self, args: JsonDict) -> JsonDict:
        channel = self._resolve_channel(args.get("channel"))
        message = self._messages.get(channel, {}).get(str(args.get("ts", "")))
        if message is None:
            raise ApiError("message_not_found")
        _require_content(args)
        message.update(_content(args), edited={"user": self.bot_user_id, "ts": self._next_ts()})
        reply = {"channel": channel, "ts": message["ts"], "text": message["text"]}
        return {"ok": True, **reply, "message": dict(message)}

    def _post_ephemeral(self, args: JsonDict) -> JsonDict:
        self._resolve_channel(args.get("channel"))
        _require(args, "user")
        _require_content(args)
        return {"ok": True, "message_ts": self._next_ts()}

    def _open_conversation(self, args: JsonDict) -> JsonDict:
        users = sorted(user for user in str(args.get("users", "")).split(",") if user)
        if not users:
            raise ApiError("users_list_not_supplied")
        key = ",".join(users)
        already_open = key in self._conversations
        channel = self._conversation(key, "D" if len(users) == 1 else "G")
        return {
            "ok": True,
            "no_op": already_open,
            "already_open": already_open,
            "channel": {"id": channel},
        }

    def _store_view(self, args: JsonDict, target: str) -> JsonDict:
        _require(args, target, "view")
        ids = {"id": self._new_id("V"), "team_id": self.team_id, "app_id": self.app_id}
        view = {**_json_value(args["view"]), **ids, "bot_id": self.bot_id}
        self.views.append(view)
        return {"ok": True, "view": view}

    def _user_info(self, args: JsonDict) -> JsonDict:
        user = str(args.get("user", ""))
        if not _USER_ID.match(user):
            raise ApiError("user_not_found")
        return {"ok": True, "user": self._user(user)}

    def _usergroup_users(self, args: JsonDict) -> JsonDict:
        group = str(args.get("usergroup", ""))
        if group not in self.usergroups:
            raise ApiError("no_such_subteam")
        return {"ok": True, "users": list(self.usergroups[group])}

    def _user(self, user: str) -> JsonDict:
        real_name = f"User {user}"
        profile = {"real_name": real_name, "display_name": user.lower()}
        default = {
            "id": user,
            "team_id": self.team_id,
            "name": user.lower(),
            "real_name": real_name,
            "tz": "UTC",
            "tz_offset": 0,
            "deleted": False,
            "is_admin": False,
            "is_bot": user == self.bot_user_id,
            "profile": profile,
        }
        return default | self.users.get(user, {})

    # -- files.uploadV2: getUploadURLExternal, POST bytes, completeUploadExternal -----------

    def _upload_url(self, args: JsonDict) -> JsonDict:
        _require(args, "filename", "length")
        file_id = self._new_id("F")
        self.files[file_id] = UploadedFile(file_id, str(args["filename"]), int(args["length"]))
        upload_url = f"{self.base_url}/upload/{file_id}"
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        upload = self.files.get(request.match_info["file_id"])
        data = await request.read()
        if upload is not None:
            upload.data = data
        status = 200 if upload is not None else 404
        args = {"file_id": request.match_info["file_id"], "size": len(data)}
        call = Call(UPLOAD_CALL, args, _headers(request), arrived, status, {}, request.path)
        await self._record(call)
        return web.Response(status=status, text=f"OK - {len(data)}" if upload else "not found")

    def _complete_upload(self, args: JsonDict) -> JsonDict:
        targets = [str(args["channel_id"])] if args.get("channel_id") else []
        targets += [name for name in str(args.get("channels", "")).split(",") if name]
        channels = [self._resolve_channel(target) for target in targets]
        files = [self._finish_upload(entry) for entry in _json_value(args.get("files", "[]"))]
        for channel in channels:
            self._share_files(channel, files, args)
        return {"ok": True, "files": [upload.as_json() for upload in files]}

    def _finish_upload(self, entry: JsonDict) -> UploadedFile:
        upload = self.files.get(str(entry.get("id")))
        if upload is None or upload.data is None:
            raise ApiError("file_not_found")
        upload.title = str(entry.get("title") or upload.filename)
        return upload

    def _share_files(self, channel: str, files: list[UploadedFile], args: JsonDict) -> None:
        content: JsonDict = {"text": str(args.get("initial_comment") or ""), "upload": True}
        content["files"] = [upload.as_json() for upload in files]
        if args.get("thread_ts"):
            content["thread_ts"] = str(args["thread_ts"])
        self._store_message(channel, content)
        for upload in files:
            upload.shared_to.append(channel)

    # -- response_url ----------------------------------------------------------------------

    async def _response_url(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        args = await _read_args(request)
        try:
            _check_blocks(args)
            status, answer = 200, {}
        except ApiError as exc:
            status, answer = 400, {"ok": False, "error": exc.error, **exc.details}
        call = Call(RESPONSE_URL_CALL, args, _headers(request), arrived, status, answer,
                    request.path)
        await self._record(call)
        return web.Response(status=status, text="ok" if status == 200 else answer["error"])

    # -- ids and channels ------------------------------------------------------------------

    def _resolve_channel(self, value: object) -> str:
        channel = str(value or "")
        if _USER_ID.match(channel):
            return self.dm_channel(channel)
        if channel in self._channels or (self._any_channel_id and _CHANNEL_ID.match(channel)):
            return channel
        raise ApiError("channel_not_found")

    def _conversation(self, key: str, prefix: str) -> str:
        if key not in self._conversations:
            self._conversations[key] = self._new_id(prefix)
            self._channels.add(self._conversations[key])
        return self._conversations[key]

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08d}"

    def _next_ts(self) -> str:
        micros = _TS_BASE_MICROS + 100 * next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # -- Socket Mode -----------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)  # autoping answers the SDK's pings
        await socket.prepare(request)
        await socket.send_json(self._hello())
        self._sockets.append(socket)
        await self._notify()
        try:
            async for frame in socket:
                if frame.type is WSMsgType.TEXT:
                    await self._on_client_text(frame.data)
        finally:
            self._sockets.remove(socket)
            await self._notify()
        return socket

    def _hello(self) -> JsonDict:
        debug_info = {"host": "standin-127.0.0.1", "build_number": 1}
        return {
            "type": "hello",
            "num_connections": len(self._sockets) + 1,
            "debug_info": {**debug_info, "approximate_connection_time": 3600},
            "connection_info": {"app_id": self.app_id},
        }

    async def _on_client_text(self, data: str) -> None:
        message = json.loads(data)
        if isinstance(message, dict) and "envelope_id" in message:
            self.acks[str(message["envelope_id"])] = message
            await self._notify()

    async def push(
        self,
        envelope_type: str,
        payload: JsonDict,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
        connection: int = -1,
    ) -> str:
        """Send an envelope to one Socket Mode connection (the newest unless ``connection``
        names another, in the order they opened); returns its envelope_id. Slack sends each
        envelope to one of an app's connections, whichever it picks."""
        if not self._sockets:
            raise RuntimeError("no Socket Mode client is connected to the stand-in")
        envelope_id = str(uuid.uuid4())
        envelope = socket_envelope(
            envelope_id,
            envelope_type,
            payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
            accepts_response_payload=accepts_response_payload,
        )
        await self._sockets[connection].send_json(envelope)
        self.envelopes.append(envelope)
        return envelope_id


# -- request parsing -----------------------------------------------------------------------


async def _read_args(request: web.Request) -> JsonDict:
    """Query, JSON and form arguments merged, as Slack accepts all three."""
    args: JsonDict = dict(request.query)
    if request.content_type == "application/json":
        text = await request.text()
        body = json.loads(text) if text.strip() else {}
        args.update(body if isinstance(body, dict) else {})
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        args.update({key: value for key, value in form.items() if isinstance(value, str)})
    return args


def _token(request: web.Request, args: JsonDict) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ").strip()
    token = args.get("token")
    return token if isinstance(token, str) else None


def _headers(request: web.Request) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _pop_first(queues: dict[str, list[_T]], method: str) -> _T | None:
    queue = queues.get(method)
    return queue.pop(0) if queue else None


def _ok(args: JsonDict) -> JsonDict:
    return {"ok": True}


def _require(args: JsonDict, *names: str) -> None:
    if any(args.get(name) in (None, "") for name in names):
        raise ApiError("invalid_arguments")


def _require_content(args: JsonDict) -> None:
    if not any(args.get(key) for key in ("text", "blocks", "attachments")):
        raise ApiError("no_text")
    _check_blocks(args)


def _check_blocks(args: JsonDict) -> None:
    """Refuse what Slack refuses: invalid Block Kit (checked with slack_sdk's models and
    Slack's limits, see tests.slack.blockkit), or a text over 40,000 characters."""
    if len(str(args.get("text") or "")) > MAX_TEXT:
        raise ApiError("msg_too_long")
    if args.get("blocks") in (None, ""):
        return
    problems = block_problems(_json_value(args["blocks"]))
    if problems:
        raise ApiError("invalid_blocks", errors=problems,
                       response_metadata={"messages": [f"[ERROR] {p}" for p in problems]})


def _content(args: JsonDict) -> JsonDict:
    """The message fields a post or update sets; form bodies carry blocks as JSON strings."""
    content: JsonDict = {}
    for key in ("text", "thread_ts"):
        if key in args:
            content[key] = str(args[key])
    for key in ("blocks", "attachments", "metadata"):
        if key in args:
            content[key] = _json_value(args[key])
    return content


def _json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# -- Socket Mode envelopes -----------------------------------------------------------------


def socket_envelope(
    envelope_id: str,
    envelope_type: str,
    payload: JsonDict,
    *,
    retry_attempt: int = 0,
    retry_reason: str = "",
    accepts_response_payload: bool | None = None,
) -> JsonDict:
    """An envelope as Slack sends it; only events_api envelopes carry retry fields."""
    accepts = (
        envelope_type != "events_api"
        if accepts_response_payload is None
        else (accepts_response_payload)
    )
    envelope: JsonDict = {
        "envelope_id": envelope_id,
        "type": envelope_type,
        "payload": payload,
        "accepts_response_payload": accepts,
    }
    if envelope_type == "events_api":
        envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
    return envelope
