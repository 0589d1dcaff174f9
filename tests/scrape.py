"""Real HTTP to storyloop's ``/healthz`` and ``/metrics``, and reading what Prometheus would.

Requests go from a worker thread: the server answers from the event loop, which the test's
own coroutine must leave free."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Answer = tuple[int, str, bytes]


def blocking_get(port: int, path: str) -> Answer:
    """GET ``path`` on 127.0.0.1:``port``, from the thread that calls it."""
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()


async def get(port: int, path: str) -> Answer:
    """GET ``path`` on 127.0.0.1:``port``: the status, content type and body."""
    return await asyncio.to_thread(blocking_get, port, path)


async def health(port: int) -> tuple[int, dict[str, Any]]:
    """``/healthz``'s status and its JSON body."""
    status, kind, body = await get(port, "/healthz")
    assert kind == "application/json"
    found: dict[str, Any] = json.loads(body)
    return status, found


async def samples(port: int) -> dict[str, float]:
    """Every sample ``/metrics`` shows, as ``name{label="value",...}`` -> value (the
    ``_created`` timestamps left out)."""
    status, kind, body = await get(port, "/metrics")
    assert status == 200 and kind.startswith("text/plain; version=0.0.4")
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if not sample.name.endswith("_created"):
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                found[f"{sample.name}{{{labels}}}"] = sample.value
    return found


def moved(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The samples that changed, by how much (a new one from 0)."""
    return {name: value - before.get(name, 0.0) for name, value in after.items()
            if value != before.get(name, 0.0)}
