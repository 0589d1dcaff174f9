"""``storyloop run``: start every configured adapter around one App and one store, and stop
them all cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.app import App, build_engine
from bot.commands import Commands, Moderators, builtin_commands
from bot.core.config import Config
from bot.core.errors import ConfigError
from bot.core.types import Platform, RoomId, UserId
from bot.features.digest.desk import DigestDesk
from bot.features.moderation import Moderation
from bot.features.privacy import Pseudonymiser, load_secret
from bot.features.retention import run_daily
from storage.base import Store
from storage.open import open_store

log = logging.getLogger(__name__)


class Adapter(Protocol):
    """A chat platform: runs until cancelled, handing each message to ``App.handle``."""

    name: str

    async def run(self) -> None: ...


Job = Callable[[], Awaitable[None]]
"""Work that ``storyloop run`` repeats every minute (the digest schedule)."""


def build_app(config: Config, store: Store) -> App:
    """The App with its commands, as ``storyloop run`` wires it."""
    return build(config, store)[0]


def build(config: Config, store: Store) -> tuple[App, list[Job]]:
    """The App, and the jobs to repeat: the digest desk is made once for both."""
    moderators = Moderators()
    if config.matrix:
        for user in config.matrix.moderators:
            moderators.add(Platform("matrix"), UserId(user))
    if config.slack:
        for user in config.slack.moderators:
            moderators.add(Platform("slack"), UserId(user))
    app = App(store=store, engine=build_engine(config),
              pseudonymise=Pseudonymiser(load_secret(config)), alert_rooms=_alert_rooms(config))
    app.commands = builtin_commands(Commands(moderators), store, app.clock)
    Moderation(store, app.clock, app.senders).register(app.commands)
    jobs: list[Job] = []
    if config.digest:
        desk = digest_desk(config, app)
        desk.register(app.commands)
        jobs.append(desk.tick)
    return app, jobs


def digest_desk(config: Config, app: App) -> DigestDesk:
    assert config.digest is not None
    staff: dict[Platform, tuple[RoomId, ...]] = {}
    if config.matrix:
        staff[Platform("matrix")] = tuple(RoomId(r) for r in config.matrix.staff_rooms)
    if config.slack:
        staff[Platform("slack")] = tuple(RoomId(c) for c in config.slack.staff_channels)
    return DigestDesk(app.store, app.clock, config.digest, staff, app.alert_rooms,
                      app.senders, app.publishers)


def _alert_rooms(config: Config) -> dict[Platform, tuple[RoomId, ...]]:
    rooms: dict[Platform, tuple[RoomId, ...]] = {}
    if config.matrix:
        rooms[Platform("matrix")] = tuple(RoomId(r) for r in config.matrix.moderator_rooms)
    if config.slack:
        rooms[Platform("slack")] = tuple(RoomId(c) for c in config.slack.moderator_channels)
    return rooms


def build_adapters(config: Config, app: App, store: Store) -> list[Adapter]:
    adapters: list[Adapter] = []
    if config.matrix:
        from adapters.matrix import MatrixAdapter

        adapters.append(MatrixAdapter(config.matrix, app, store))
    if config.slack:
        from adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(config.slack, app, store))
    if not adapters:
        raise ConfigError("matrix / slack", "no chat platform is configured; fill in the "
                          "[matrix] or [slack] section (see config.example.toml), or use "
                          "`storyloop chat` to talk in the terminal")
    return adapters


async def run(config: Config) -> None:
    store = open_store(config.storage.url)
    await store.open()
    try:
        app, repeated = build(config, store)
        adapters = build_adapters(config, app, store)
        settle_heap()
        jobs = [asyncio.create_task(run_daily(store, config.privacy, app.clock),
                                    name="storyloop-retention")]
        jobs += [asyncio.create_task(_every_minute(job), name="storyloop-schedule")
                 for job in repeated]
        try:
            await _run_until_stopped(adapters)
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
    finally:
        await store.close()


def settle_heap() -> None:
    """Take what start-up made (modules, compiled flows, pydantic schemas, safeguarding rules)
    out of the garbage collector's sight: it lives as long as the process does. Scanning it
    made every full collection a pause of about 12 ms for each reply then waiting; frozen, the
    pause is about 2.5 ms (``bench/pipeline.py``)."""
    gc.collect()
    gc.freeze()


async def _every_minute(job: Job) -> None:
    """Run a job now and every minute until cancelled; a failure is logged, not fatal."""
    while True:
        try:
            await job()
        except Exception:
            log.exception("a scheduled job failed; it runs again in a minute")
        await asyncio.sleep(60)  # the schedule's granularity, not a wait for an event


async def _run_until_stopped(adapters: list[Adapter]) -> None:
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(a.run(), name=f"storyloop-{a.name}") for a in adapters]
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    stopper = asyncio.create_task(stop.wait(), name="storyloop-stop")
    done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
    for task in [*tasks, stopper]:
        task.cancel()
    await asyncio.gather(*tasks, stopper, return_exceptions=True)
    for task in done:
        if task is not stopper and not task.cancelled() and task.exception():
            raise task.exception()  # type: ignore[misc]
    log.info("storyloop stopped")
