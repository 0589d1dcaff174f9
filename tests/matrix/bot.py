"""storyloop's Matrix bot, running in the test process against the test Synapse."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.matrix import Backoff, MatrixAdapter
from bot.app import App
from bot.compose import compose
from bot.core.clock import Clock
from bot.core.config import Config, DigestConfig, MatrixConfig, StorageConfig
from bot.features.follow_ups import FollowUpDesk
from bot.features.introductions import IntroductionDesk
from storage.base import Store
from storage.open import open_store

from .people import Person, PersonFactory
from .synapse import RegisteredUser, Synapse

PASSWORD_ENV = "STORYLOOP_TEST_MATRIX_PASSWORD"
QUICK = Backoff(first=0.2, most=1.0)


@dataclass
class RunningBot:
    adapter: MatrixAdapter
    app: App
    store: Store
    task: asyncio.Task[None]
    path: Path
    """The bot's SQLite file."""
    follow_ups: FollowUpDesk | None = None
    """Its follow-ups, for a test to run the scheduler's job on its own clock."""
    introductions: IntroductionDesk | None = None
    """Its introductions, likewise."""
    stopped: bool = False

    @property
    def user_id(self) -> str:
        return self.adapter.config.user_id

    async def stop(self) -> None:
        """Stop as a crash or a deploy would: no goodbye, no logout."""
        self.stopped = True
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.store.close()


class BotFactory:
    def __init__(self, synapse: Synapse, user: RegisteredUser, base: Path,
                 monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(PASSWORD_ENV, user.password)
        self.synapse, self.user, self.base = synapse, user, base
        self.running: list[RunningBot] = []
        self.backoff = QUICK
        """How the bot backs off from a homeserver that is down: quicker than deployed."""
        self.clock: Clock | None = None
        """The bots' clock, if a test drives time (None: the system's)."""

    def config(self, **settings: object) -> MatrixConfig:
        return MatrixConfig(homeserver=self.synapse.url, user_id=self.user.user_id,
                            password_env=PASSWORD_ENV, store_path=self.base / "matrix-store",
                            **settings)

    async def start(self, digest: DigestConfig | None = None, **settings: object) -> RunningBot:
        matrix = self.config(**settings)
        path = self.base / "storyloop.db"
        config = Config(storage=StorageConfig(url=f"sqlite:///{path}"), matrix=matrix,
                        digest=digest)
        store = open_store(config.storage.url)
        await store.open()
        composed = compose(config, store, clock=self.clock)
        app = composed.app
        adapter = MatrixAdapter(matrix, app, store, self.backoff)
        task = asyncio.create_task(adapter.run(), name="test matrix bot")
        bot = RunningBot(adapter, app, store, task, path, composed.follow_ups,
                         composed.introductions)
        self.running.append(bot)
        ready = asyncio.create_task(adapter.ready.wait())
        await asyncio.wait([task, ready], timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # the bot failed to start: show why
        assert ready.done(), "the bot did not finish its first sync in 30 s"
        return bot


@asynccontextmanager
async def bot_factory(synapse: Synapse, base: Path,
                      monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotFactory]:
    factory = BotFactory(synapse, synapse.register(), base, monkeypatch)
    try:
        yield factory
    finally:
        for bot in factory.running:
            if not bot.stopped:  # a bot that crashed still has its store open
                await bot.stop()


def says(text: str) -> Callable[[object], bool]:
    return lambda event: text in getattr(event, "body", "")


async def talk(person: Person, room: str, line: str, expect: str, wait: float = 15) -> str:
    """Send ``line`` and wait for the bot's reply containing ``expect``; return its body."""
    await person.send(room, line)
    event = await person.wait_for_message(room, says(expect), timeout=wait)
    return str(event.body)


@dataclass
class StaffRooms:
    """A moderator in the moderators' room and a nurse in an encrypted staff room."""

    moderator: Person
    mods: str
    nurse: Person
    ward: str


async def staff_rooms(matrix_person: PersonFactory) -> StaffRooms:
    """Both rooms made (a colleague in each, so neither is a direct chat), the bot not yet
    in them: ``digest_bot`` starts it and brings it in."""
    moderator, colleague = await matrix_person(), await matrix_person()
    nurse = await matrix_person(encrypted=True)
    mods = await moderator.create_dm(colleague.user_id, encrypted=False)
    await colleague.join(mods)
    ward = await nurse.create_dm(colleague.user_id, encrypted=True)
    await colleague.join(ward)
    return StaffRooms(moderator, mods, nurse, ward)


async def digest_bot(matrix_bot: BotFactory, rooms: StaffRooms) -> RunningBot:
    """The bot with weekly digests, the moderator and both rooms in its config, invited to
    both, and in the staff room."""
    bot = await matrix_bot.start(digest=DigestConfig(), moderators=(rooms.moderator.user_id,),
                                 moderator_rooms=(rooms.mods,), staff_rooms=(rooms.ward,))
    await rooms.moderator.client.room_invite(rooms.mods, bot.user_id)
    await rooms.nurse.client.room_invite(rooms.ward, bot.user_id)
    await rooms.nurse.wait_for_join(rooms.ward, bot.user_id, timeout=20)
    return bot
