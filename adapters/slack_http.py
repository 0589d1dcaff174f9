"""What the HTTP Events API endpoint refuses before bolt sees it: a request Slack could not
have sent. bolt parses the body before it checks the signature, and reads the
``X-Slack-Request-Timestamp`` header with ``int()``, so invalid JSON or a timestamp that is
not a number would end in an HTTP 500; here they get a 400 (Bad Request), and nothing runs.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def refuse_malformed(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "POST" and not (_timestamp_ok(request) and _body_ok(
            await request.text(), request.content_type)):
        raise web.HTTPBadRequest()
    return await handler(request)


def guarded(app: web.Application) -> web.Application:
    """``app`` (bolt's web app), refusing malformed requests with a 400."""
    app.middlewares.append(refuse_malformed)
    return app


def _timestamp_ok(request: web.Request) -> bool:
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    return stamp is None or stamp.strip().isdigit()


def _body_ok(body: str, content_type: str) -> bool:
    """Whether bolt can read the body: JSON must be an object, as must an interactive
    ``payload=``; other forms (slash commands, ssl_check) are plain fields."""
    if not body:
        return True
    if content_type == "application/json" or body.startswith("{"):
        return _json_object(body)
    if "payload" in body:
        payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
        return payload is None or _json_object(payload)
    return True


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
