"""The bots ``bench/matrix_cost.py`` compares, each a real process on the bench's Synapse:
``storyloop run`` (through the Matrix tests' ``BotProcess``) and the echo floor
(``bench/matrix_echo.py``). Each knows what its people say, what they should see back, and
how many of the replies they saw were wrong."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Protocol

from adapters.matrix.render import plain
from bench.matrix_echo import GREETING, TOKEN_ENV
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config
from bot.core.types import MessageKind
from bot.features.privacy import Pseudonymiser
from storage.open import open_store
from tests.matrix.people import Person
from tests.matrix.process import BotProcess
from tests.matrix.synapse import Synapse
from tests.matrix.test_chaos import message, script

Script = list[tuple[str, str]]


class BotRun(Protocol):
    name: str
    base: Path
    greeting: str
    """Words of the first thing the bot says in a new chat."""

    @property
    def user_id(self) -> str: ...

    @property
    def pid(self) -> int: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def script(self, n: int) -> Script:
        """Person ``n``'s lines, each with words of the reply that answers it."""

    async def wrong_replies(self, people: list[Person], lines: int) -> int:
        """Replies the people saw that they should not have (or missed), counted."""


def _wrong(seen: list[str], expected: list[str]) -> int:
    """How far what a person saw is from what they should have: extra or missing replies,
    or, if none, 1 when the order differs."""
    extra, missing = Counter(seen) - Counter(expected), Counter(expected) - Counter(seen)
    off = sum(extra.values()) + sum(missing.values())
    return off or int(seen != expected)


def _from(person: Person, sender: str) -> list[str]:
    return [s.body for s in person.seen if s.sender == sender]


class Storyloop:
    """``storyloop run`` as deployed; ``model=False`` turns its safeguarding model off."""

    greeting = "Shall we start?"

    def __init__(self, synapse: Synapse, base: Path, encrypted: bool, model: bool) -> None:
        base.mkdir(parents=True)
        self.name = "storyloop" if model else "storyloop, model off"
        self.base = base
        self.process = BotProcess(synapse, synapse.register(), base)
        self.process.config.write_text(
            self.process.config.read_text() + f"encryption = {str(encrypted).lower()}\n"
            f"\n[flows]\nsafeguarding_model = {str(model).lower()}\n")

    @property
    def user_id(self) -> str:
        return self.process.user_id

    @property
    def pid(self) -> int:
        assert self.process.pid is not None, "storyloop is not running"
        return self.process.pid

    async def start(self) -> None:
        await self.process.start()
        await self.process.synced()

    async def stop(self) -> None:
        await self.process.stop()
        (self.base / "storyloop.log").write_text("\n".join(self.process.lines) + "\n")

    def script(self, n: int) -> Script:
        return script(n)

    async def wrong_replies(self, people: list[Person], lines: int) -> int:
        return sum([_wrong(_from(person, self.user_id), await expected(n, lines))
                    for n, person in enumerate(people)])


async def expected(n: int, lines: int) -> list[str]:
    """What person ``n`` should see for the first ``lines`` lines of their script: the same
    messages through the App, as Matrix renders its replies (as the chaos test reckons)."""
    store = open_store("memory://")
    await store.open()
    app = compose(Config(), store, clock=FakeClock(),
                  pseudonymise=Pseudonymiser(b"bench, a key for the bench only..")).app
    said = [await app.handle(message(0, "", MessageKind.JOINED))]
    said += [await app.handle(message(k, line))
             for k, (line, _) in enumerate(script(n)[:lines], 1)]
    await store.close()
    return [plain(reply) for replies in said for reply in replies]


class EchoBot:
    """The floor: ``bench/matrix_echo.py`` in its own process."""

    name = "echo floor"
    greeting = GREETING

    def __init__(self, synapse: Synapse, base: Path, encrypted: bool) -> None:
        base.mkdir(parents=True)
        self.synapse, self.base, self.encrypted = synapse, base, encrypted
        self.user = synapse.register()
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def pid(self) -> int:
        assert self._proc is not None, "the echo bot is not running"
        return self._proc.pid

    async def start(self) -> None:
        flags = ["--encrypted"] if self.encrypted else []
        with (self.base / "echo.log").open("wb") as log:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.matrix_echo", self.synapse.url, self.user_id,
                self.user.device_id, str(self.base / "store"), *flags,
                env={**os.environ, TOKEN_ENV: self.user.access_token},
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=log)
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), 30)
        if line.strip() != b"ready":
            raise RuntimeError(f"the echo bot did not start: {(self.base / 'echo.log')}")

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)  # the process this bench started
            await self._proc.wait()
        self._proc = None

    def script(self, n: int) -> Script:
        return [(line, line) for line, _ in script(n)]

    async def wrong_replies(self, people: list[Person], lines: int) -> int:
        return sum(_wrong(_from(person, self.user_id),
                          [GREETING, *(line for line, _ in script(n)[:lines])])
                   for n, person in enumerate(people))
