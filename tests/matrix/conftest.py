"""Fixtures for tests against a real Synapse on 127.0.0.1 (one server per test session)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from .bot import BotFactory, bot_factory
from .people import Person, PersonFactory
from .process import BotProcess
from .synapse import RegisteredUser, Synapse, UserFactory

REPO = Path(__file__).resolve().parents[2]
PYTHON_ENV_VAR = "STORYLOOP_SYNAPSE_PYTHON"


def _can_import_synapse(python: Path) -> bool:
    if not python.exists():
        return False
    check = subprocess.run(
        [str(python), "-c", "import synapse"], capture_output=True, check=False, timeout=60
    )
    return check.returncode == 0


def synapse_python() -> Path:
    """The interpreter of the Synapse venv, or a test failure saying how to install it."""
    candidates = [REPO / ".venv-synapse" / "bin" / "python"]
    if configured := os.environ.get(PYTHON_ENV_VAR):
        candidates.insert(0, Path(configured))
    for python in candidates:
        if _can_import_synapse(python):
            return python
    tried = ", ".join(str(python) for python in candidates)
    pytest.fail(
        f"Synapse is not installed (tried {tried}). Run `scripts/install-synapse` to create "
        f"{REPO / '.venv-synapse'}, or point {PYTHON_ENV_VAR} at a Python that can "
        "`import synapse`.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A running Synapse for the whole session; see ``Synapse`` for its API."""
    server = Synapse(tmp_path_factory.mktemp("synapse"), synapse_python())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def matrix_user(synapse: Synapse) -> UserFactory:
    """``matrix_user()`` registers a fresh user with a unique localpart."""

    def register(localpart: str | None = None, *, admin: bool = False) -> RegisteredUser:
        return synapse.register(localpart, admin=admin)

    return register


@pytest.fixture
async def matrix_person(synapse: Synapse, tmp_path: Path) -> AsyncIterator[PersonFactory]:
    """``await matrix_person(encrypted=...)`` logs a fresh user in as a syncing ``Person``;
    every person is closed after the test."""
    people: list[Person] = []

    async def login(user: RegisteredUser | None = None, *, encrypted: bool = False) -> Person:
        user = user or synapse.register()
        store = tmp_path / "nio-stores" / user.localpart
        person = await Person.login(synapse.url, user, store, encrypted=encrypted)
        people.append(person)
        return person

    yield login
    for person in people:
        await person.close()


@pytest.fixture
async def matrix_bot(synapse: Synapse, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotFactory]:
    """``await matrix_bot.start(**settings)`` runs storyloop's Matrix bot (a fresh bot user;
    the same store and database each time it is started within a test)."""
    async with bot_factory(synapse, tmp_path / "bot", monkeypatch) as factory:
        yield factory


@pytest.fixture
async def bot_process(synapse: Synapse,
                      tmp_path: Path) -> AsyncIterator[Callable[..., BotProcess]]:
    """``bot_process(sections, **matrix_settings)``: ``storyloop run`` for a fresh bot user
    (``sections``: more of its config, in TOML), not yet started; each one is killed after
    the test."""
    made: list[BotProcess] = []

    def make(sections: str = "", **settings: str | float) -> BotProcess:
        base = tmp_path / f"run-{len(made)}"
        base.mkdir()
        made.append(BotProcess(synapse, synapse.register(), base, sections, None, **settings))
        return made[-1]

    yield make
    for bot in made:
        await bot.kill()
