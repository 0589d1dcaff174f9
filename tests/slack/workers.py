"""Several ``storyloop run`` processes ("workers") with one config, Slack in HTTP mode, on one
PostgreSQL database: each listens on a port of its own (``port = 0``: it names the one it got
in its log), as N workers behind a load balancer would.

Each worker's log (stderr) is read as it is written, so that a test waits for what a worker
says it did, never on time. A worker is stopped or SIGKILLed by its own PID.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg

from storage.postgres_locks import HOLDER, LOCKS, WHO
from tests.slack.payloads import SIGNING_SECRET
from tests.slack.standin import APP_TOKEN, BOT_TOKEN, SlackStandIn

STORYLOOP = Path(sys.executable).with_name("storyloop")
LISTENING = re.compile(r"listening for Slack on (http://127\.0\.0\.1:\d+/slack/events)")
MODERATORS = "C0MODS0001"


def write_config(path: Path, database: str, standin: SlackStandIn) -> Path:
    """One config for every worker: the database, Slack over HTTP on a free port each, the
    moderators' channel, and a weekly digest."""
    path.write_text(
        f'[storage]\nurl = "{database}"\n\n'
        f'[slack]\nmode = "http"\nport = 0\napi_url = "{standin.api_url}"\n'
        f'moderator_channels = ["{MODERATORS}"]\n\n'
        '[digest]\nschedule = "MON 09:00"\n')
    return path


class Worker:
    def __init__(self, config: Path, name: str) -> None:
        self.config, self.name = config, name
        self.lines: list[str] = []
        self.url = ""
        """Its Slack endpoint, once it listens."""
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()

    @property
    def pid(self) -> int:
        assert self._proc is not None, f"{self.name} is not running"
        return self._proc.pid

    async def start(self) -> None:
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
               "SLACK_SIGNING_SECRET": SIGNING_SECRET, "STORYLOOP_LOG": "INFO",
               "STORYLOOP_SECRET": "a pseudonym key for the worker tests only"}
        self._proc = await asyncio.create_subprocess_exec(
            str(STORYLOOP), "--config", str(self.config), "run", env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read(self._proc), name=f"{self.name} log")

    async def listening(self) -> None:
        """Wait until it listens for Slack; note where."""
        line = self.lines[await self.wait_for_line(LISTENING.search)]
        found = LISTENING.search(line)
        assert found is not None
        self.url = found.group(1)

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            self.lines.append(line.decode(errors="replace").rstrip())
            self._new_line.set()
            self._new_line = asyncio.Event()

    async def wait_for_line(self, wanted: Callable[[str], object], after: int = 0,
                            timeout: float = 30) -> int:  # noqa: ASYNC109 - a deadline
        """The index of the first log line from ``after`` on that is ``wanted``."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for n in range(after, len(self.lines)):
                        if wanted(self.lines[n]):
                            return n
                    after = len(self.lines)
                    if self._proc is None or self._proc.returncode is not None:
                        raise AssertionError(f"{self.name} ended:\n{self.log()}")
                    await self._new_line.wait()
        except TimeoutError:
            raise AssertionError(f"{self.name} did not log it in time:\n{self.log()}") from None

    def said(self, words: str) -> int:
        """How many of its log lines contain ``words``."""
        return sum(words in line for line in self.lines)

    async def kill(self) -> None:
        """SIGKILL, by its own PID: no goodbye, no clean-up, as a crash or a pulled plug."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGKILL)
            await self._proc.wait()
        if self._reader is not None:
            await self._reader

    async def stop(self) -> int:
        """SIGTERM, and its exit code."""
        if self._proc is None:
            return 0
        if self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)
        code = await self._proc.wait()
        if self._reader is not None:
            await self._reader
        return code

    def log(self) -> str:
        return "\n".join(self.lines[-40:])


async def holder(database: str, name: str, workers: list[Worker]) -> Worker | None:
    """The worker holding the lease or lock ``name`` now, as PostgreSQL sees it."""
    async with await psycopg.AsyncConnection.connect(database) as connection:
        row = await (await connection.execute(HOLDER, (LOCKS, name))).fetchone()
    by_name = {WHO.format(pid=w.pid): w for w in workers if w._proc is not None}
    return None if row is None else by_name.get(str(row[0]))
