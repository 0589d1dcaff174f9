"""``storyloop run``: start every configured adapter around one App and one store, with the
background jobs on one scheduler (and ``/healthz`` and ``/metrics`` if ``[metrics]`` is set),
and stop them all cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import signal
from typing import Protocol

from bot.app import App
from bot.compose import compose
from bot.core.config import Config, parse_config
from bot.core.errors import ConfigError
from bot.leading import HANDOVER, LostHold, while_held
from bot.metrics import Metrics
from bot.ops import Health, OpsServer, serve_ops
from bot.scheduler import Scheduler
from storage.base import Store
from storage.open import open_store
from storage.ports import Leases

log = logging.getLogger(__name__)


class Adapter(Protocol):
    """A chat platform: runs until cancelled, handing each message to ``App.handle``."""

    name: str
    ready: asyncio.Event
    """Set while connected (``/healthz`` reads it)."""

    async def run(self) -> None: ...


LEADS: dict[str, str] = {"matrix": "user_id"}
"""Adapters only one worker may run at a time per account (Matrix: one sync stream, and the
encryption keys in ``store_path``), by the config setting that names the account."""


PLATFORMS: dict[str, str] = {
    "matrix": "adapters.matrix:MatrixAdapter",
    "slack": "adapters.slack:SlackAdapter",
}
"""Each chat platform: its config section, and its adapter (imported only when configured)."""


def build_adapters(config: Config, app: App, store: Store) -> list[Adapter]:
    adapters: list[Adapter] = []
    for section, where in PLATFORMS.items():
        settings = getattr(config, section)
        if settings is not None:
            module, name = where.split(":")
            adapter = getattr(importlib.import_module(module), name)
            adapters.append(adapter(settings, app, store))
    if not adapters:
        raise ConfigError("matrix / slack", "no chat platform is configured; fill in the "
                          "[matrix] or [slack] section (see config.example.toml), or use "
                          "`storyloop chat` to talk in the terminal")
    return adapters


async def run(config: Config) -> None:
    store = open_store(config.storage.url)
    await store.open()
    try:
        bot = compose(config, store)
        adapters = build_adapters(config, bot.app, store)
        settle_heap()
        ops = start_ops(config, bot.metrics, bot.app, store, adapters)
        bot.scheduler.start()
        try:
            await _run_until_stopped(config, store, adapters, bot.scheduler)
        finally:
            await bot.scheduler.stop()
            if ops is not None:
                await ops.stop()
    finally:
        await store.close()


def with_metrics_port(config: Config, port: int | None) -> Config:
    """``config`` with /healthz and /metrics on ``port`` (``storyloop run --metrics-port``),
    turned on if ``[metrics]`` is not; checked as the config file's setting is."""
    if port is None:
        return config
    settings = config.metrics.model_dump() if config.metrics is not None else {}
    metrics = parse_config({"metrics": {**settings, "enabled": True, "port": port}}).metrics
    return config.model_copy(update={"metrics": metrics})


def with_slack_port(config: Config, port: int | None) -> Config:
    """``config`` with Slack's requests taken on ``port`` (``storyloop run --slack-port``);
    a config error naming ``slack.port`` without a ``[slack]`` section in HTTP mode, or for a
    port that is not one."""
    if port is None:
        return config
    if config.slack is None or config.slack.mode != "http":
        raise ConfigError("slack.port", "--slack-port needs a [slack] section with "
                          "mode = \"http\"")
    slack = parse_config({"slack": {**config.slack.model_dump(), "port": port}}).slack
    return config.model_copy(update={"slack": slack})


def start_ops(config: Config, metrics: Metrics, app: App, store: Store,
              adapters: list[Adapter]) -> OpsServer | None:
    """``/healthz`` and ``/metrics``, if the config asks for them: healthy while the store
    answers and every adapter is connected; the outbox counted on every configured platform
    and any other attached to delivery."""
    health = Health(store, {a.name: a.ready.is_set for a in adapters})
    names = [a.name for a in adapters]
    return serve_ops(config.metrics, metrics, health, store,
                     lambda: {*names, *app.delivery.senders})


def settle_heap() -> None:
    """Take what start-up made (modules, compiled flows, pydantic schemas, safeguarding rules)
    out of the garbage collector's sight: it lives as long as the process does. Scanning it
    made every full collection a pause of about 12 ms for each reply then waiting; frozen, the
    pause is about 2.5 ms (``bench/pipeline.py``)."""
    gc.collect()
    gc.freeze()


async def lead(config: Config, store: Leases, adapter: Adapter) -> None:
    """Run ``adapter``; one that only one worker may run (``LEADS``) only while this worker
    holds its account's lock. A worker that finds it held waits, and takes over as soon as the
    holder dies (PostgreSQL lets its lock go with its connection); one that loses the lock
    while it lives stops the adapter and waits in turn (``bot/leading.py``)."""
    setting = LEADS.get(adapter.name)
    if setting is None:
        await adapter.run()
        return
    account = getattr(getattr(config, adapter.name), setting)
    name = f"{adapter.name}:{account}"
    taking_over = False
    while True:
        lost = False
        async with store.exclusive(name, wait=taking_over) as mine:
            if mine:
                if taking_over:
                    log.info("this worker runs %s as %s now", adapter.name, account)
                if store.shared:  # the last holder may not know yet that it lost the lock
                    await asyncio.sleep(HANDOVER)  # the time it has to notice and stop
                try:
                    await while_held(store.holds, name, adapter.run)
                    return
                except LostHold:  # logged
                    lost = True
        if lost:  # step back: a worker standing by takes the lock over meanwhile
            await asyncio.sleep(HANDOVER)  # a timer, not a wait for an event: the handover
        if not taking_over:
            log.info("another worker runs %s as %s; this one takes over if it stops",
                     adapter.name, account)
        taking_over = True


async def _run_until_stopped(config: Config, store: Store, adapters: list[Adapter],
                             scheduler: Scheduler) -> None:
    loop = asyncio.get_running_loop()
    tasks = [scheduler.spawn(f"storyloop-{a.name}", lead(config, store, a)) for a in adapters]
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    stopper = scheduler.spawn("storyloop-stop", stop.wait())
    done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
    for task in [*tasks, stopper]:
        task.cancel()
    await asyncio.gather(*tasks, stopper, return_exceptions=True)
    for task in done:
        error = None if task is stopper or task.cancelled() else task.exception()
        if error is not None:
            raise error
    log.info("storyloop stopped")
