"""``/healthz`` and ``/metrics`` on a port of their own, for operators and Prometheus
(``[metrics]`` in the config; ``storyloop run`` starts it).

* ``GET /healthz``: 200 and ``{"status": "ok", ...}`` when the store answers and every
  configured platform is connected; 503 and ``{"status": "unwell", ...}`` naming the part that
  is not, otherwise (or when the bot does not answer within ``ANSWER_WITHIN`` seconds).
* ``GET /metrics``: Prometheus's text format (``bot/metrics.py``).

The standard library's WSGI server answers in threads of its own, so a request never blocks
the event loop; each asks the event loop for its answer (the store is read there, as
everywhere else) and waits for it at most ``ANSWER_WITHIN`` seconds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import socket
import threading
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from bot.core.config import MetricsConfig
from bot.core.errors import ConfigError
from bot.metrics import CONTENT_TYPE, Metrics
from storage.ports import KeyValue, Outbox

log = logging.getLogger(__name__)
ANSWER_WITHIN = 5.0
"""Seconds a request waits for the event loop before it is answered 503."""
STORE_WITHIN = 2.0
"""Seconds the store has to answer the health check."""
PROBE_KEY = "healthz:probe"
"""The key the health check reads (it is never written): any answer will do."""
JSON = "application/json"

Answer = tuple[int, str, bytes]
"""An HTTP status, a content type and a body."""
Route = Callable[[], Coroutine[Any, Any, Answer]]


@dataclass
class Health:
    """Whether the bot can do its work: its store answers, and each platform is connected
    (``platforms``: a platform's name, and a function saying whether it is, now)."""

    store: KeyValue
    platforms: dict[str, Callable[[], bool]] = field(default_factory=dict)

    async def check(self) -> tuple[bool, dict[str, Any]]:
        """Whether all is well, and what to say about each part."""
        store = await self._store()
        platforms = {name: "connected" if up() else "not connected"
                     for name, up in sorted(self.platforms.items())}
        well = store == "ok" and all(state == "connected" for state in platforms.values())
        return well, {"status": "ok" if well else "unwell", "store": store,
                      "platforms": platforms}

    async def answer(self) -> Answer:
        well, body = await self.check()
        status = HTTPStatus.OK if well else HTTPStatus.SERVICE_UNAVAILABLE
        return status, JSON, json.dumps(body).encode()

    async def _store(self) -> str:
        try:
            await asyncio.wait_for(self.store.get_value(PROBE_KEY), STORE_WITHIN)
        except Exception as exc:  # whatever the store raises, the answer is that it failed
            log.warning("health check: the store did not answer: %r", exc)
            return f"not answering ({type(exc).__name__})"
        return "ok"


def metrics_route(metrics: Metrics, store: Outbox, platforms: Callable[[], Iterable[str]],
                  ) -> Route:
    """``/metrics``: the counters, and the outbox read now. A store that does not answer
    leaves the outbox gauge out; the counters are still shown (``/healthz`` says why)."""

    async def scrape() -> Answer:
        try:
            body = await asyncio.wait_for(metrics.scrape(store, platforms()), STORE_WITHIN)
        except Exception as exc:  # whatever the store raises, the counters are still shown
            log.warning("metrics: could not read the outbox: %r", exc)
            body = metrics.text()
        return HTTPStatus.OK, CONTENT_TYPE, body

    return scrape


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[WSGIRequestHandler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)


class _Quiet(WSGIRequestHandler):
    """Requests go to the log at debug level, not to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class OpsServer:
    """``routes`` served on ``host:port``, each answered on the event loop running now."""

    def __init__(self, host: str, port: int, routes: dict[str, Route]) -> None:
        self.routes = routes
        self._loop = asyncio.get_running_loop()
        self._server = _Server((host, port), _Quiet)
        self._server.set_app(self._wsgi)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="storyloop-ops", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The port bound (``port = 0`` picks a free one)."""
        return int(self._server.server_address[1])

    async def stop(self) -> None:
        """Stop answering and close the port (waits for the serving thread, off the loop)."""
        await asyncio.to_thread(self._server.shutdown)
        self._server.server_close()

    def _wsgi(self, environ: dict[str, Any],
              start_response: Callable[[str, list[tuple[str, str]]], Any]) -> list[bytes]:
        status, kind, body = self._answer(environ.get("PATH_INFO", ""),
                                          environ.get("REQUEST_METHOD", "GET"))
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]

    def _answer(self, path: str, method: str) -> Answer:
        route = self.routes.get(path)
        if route is None:
            known = " or ".join(sorted(self.routes))
            return HTTPStatus.NOT_FOUND, "text/plain", f"not here: try {known}\n".encode()
        if method != "GET":
            return HTTPStatus.METHOD_NOT_ALLOWED, "text/plain", b"GET only\n"
        try:
            future = asyncio.run_coroutine_threadsafe(route(), self._loop)
        except RuntimeError:  # the event loop has closed: the bot is stopping
            return _late()
        try:
            return future.result(ANSWER_WITHIN)
        except concurrent.futures.TimeoutError:
            future.cancel()
            return _late()


def _late() -> Answer:
    body = {"status": "unwell", "bot": f"did not answer within {ANSWER_WITHIN:g} s"}
    return HTTPStatus.SERVICE_UNAVAILABLE, JSON, json.dumps(body).encode()


def serve_ops(settings: MetricsConfig | None, metrics: Metrics, health: Health,
              store: Outbox, outbox_platforms: Callable[[], Iterable[str]]) -> OpsServer | None:
    """Start ``/healthz`` and ``/metrics`` as ``settings`` say; None when they are off."""
    if settings is None or not settings.enabled:
        return None
    try:
        server = OpsServer(settings.host, settings.port, {
            "/healthz": health.answer,
            "/metrics": metrics_route(metrics, store, outbox_platforms)})
    except OSError as exc:
        raise ConfigError("metrics.port", f"cannot listen on {settings.host}:{settings.port} "
                          f"({exc.strerror or exc}); choose another port") from None
    log.info("serving /healthz and /metrics on http://%s:%d", settings.host, server.port)
    return server
