"""Fixtures shared by every test: a loopback-only network guard, a fake clock, stores, and a
``Chat`` that plays one person talking to storyloop through ``App.handle``."""

from __future__ import annotations

import ipaddress
import itertools
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config
from bot.core.types import (
    ConversationKey,
    EventId,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
    Platform,
    RoomId,
    UserId,
)
from bot.features.privacy import Pseudonymiser
from storage.base import Store
from storage.open import open_store
from storage.sqlite import SQLiteStore
from tests.postgres import Cluster

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address: Any) -> None:
    if isinstance(address, str | bytes):  # a unix socket path
        return
    host = address[0]
    if host == "localhost" or ipaddress.ip_address(host).is_loopback:
        return
    raise ConnectionRefusedError(f"tests may only connect to loopback, not {host!r}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _loopback_only(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _loopback_only(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    """Fail any connection that would leave this machine."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


STORES = tuple(os.environ.get("STORYLOOP_TEST_STORES", "memory,sqlite").split(","))
"""The stores the app's tests run on; ``STORYLOOP_TEST_STORES=memory,sqlite,postgresql`` runs
them all on PostgreSQL too (slower: a database per test)."""
CONTRACT_STORES = ("memory", "sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``store`` is each store; in the store contract suites (marked ``store_contract``)
    PostgreSQL too. The many tests of the app over a store run on memory and SQLite."""
    if "store" in metafunc.fixturenames:
        contract = metafunc.definition.get_closest_marker("store_contract") is not None
        metafunc.parametrize("store", CONTRACT_STORES if contract else STORES, indirect=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster, started the first time a test needs it."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres: Cluster) -> Iterator[str]:
    """A new migrated database of its own on the cluster, dropped afterwards."""
    with postgres.database() as url:
        yield url


@pytest.fixture
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """Each store implementation, for contract tests."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = ("memory://" if request.param == "memory"
               else f"sqlite:///{tmp_path / 'stories.db'}")
    chosen = open_store(url)
    await chosen.open()
    yield chosen
    await chosen.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    chosen = open_store(f"sqlite:///{tmp_path / 'stories.db'}")
    assert isinstance(chosen, SQLiteStore)
    await chosen.open()
    yield chosen
    await chosen.close()


_event_ids = itertools.count(1)
PSEUDONYMS = Pseudonymiser(b"a key for tests only, 32 bytes..")


class Chat:
    """One person in a direct chat with storyloop, no platform in between."""

    def __init__(self, app: App, person: str = "@alice:example.org",
                 room: str = "!dm:example.org") -> None:
        self.app, self.person, self.room = app, UserId(person), RoomId(room)
        self.replies: list[OutgoingMessage] = []

    @property
    def pseudonym(self) -> UserId:
        return PSEUDONYMS(Platform("test"), self.person)

    @property
    def key(self) -> ConversationKey:
        """Where the conversation is stored: under the pseudonym, never the platform id."""
        return ConversationKey(platform=Platform("test"), room_id=self.room,
                               user_id=self.pseudonym)

    def message(self, text: str, event_id: str | None = None) -> IncomingMessage:
        return IncomingMessage(
            platform=Platform("test"), room_id=self.room, sender_id=self.person,
            event_id=EventId(event_id or f"$e{next(_event_ids)}"), text=text, is_direct=True,
            timestamp=self.app.clock.now())

    async def say(self, text: str, event_id: str | None = None) -> list[OutgoingMessage]:
        replies = await self.app.handle(self.message(text, event_id))
        self.replies += replies
        return replies

    async def command(self, text: str) -> list[OutgoingMessage]:
        """A command such as ``story approve 1`` (``!story approve 1`` on Matrix)."""
        msg = self.message(text).model_copy(update={"kind": MessageKind.COMMAND})
        replies = await self.app.handle(msg)
        self.replies += replies
        return replies

    async def script(self, *lines: str) -> None:
        for line in lines:
            await self.say(line)

    @property
    def last(self) -> OutgoingMessage:
        return self.replies[-1]

    @property
    def last_text(self) -> str:
        return self.replies[-1].text

    async def agree(self, permissions: str, introduce: str = "no") -> None:
        """Answer "what else is OK with you?" and, if that asks next whether they would be
        happy to be introduced (it does when they agreed to be contacted), answer that."""
        await self.say(permissions)
        if INTRODUCE_ASKED in self.last_text:
            await self.say(introduce)


INTRODUCE_ASKED = "would you be happy to be introduced?"
"""In the question after "what else is OK with you?", for someone who may be contacted."""


@pytest.fixture
def config() -> Config:
    return Config()


MODERATOR = UserId("@mod:example.org")


@pytest.fixture
def app(store: Store, clock: FakeClock, config: Config) -> App:
    """The App as ``storyloop run`` builds it, with one moderator, on a fake clock."""
    return compose(config, store, clock=clock, pseudonymise=PSEUDONYMS,
                   moderators=[(Platform("test"), MODERATOR)]).app


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app)
