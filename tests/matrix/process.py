"""``storyloop run`` as a real process against the test Synapse, to be killed and started
again: one config, one database and one Matrix store for the life of a test.

Its log (stderr) is read as it is written, so a test can wait for a line (``joined ...``,
``rate limited in ...``) and act at that moment: waiting on what the bot says it did, never
on time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from .bot import PASSWORD_ENV
from .synapse import RegisteredUser, Synapse

STORYLOOP = Path(sys.executable).with_name("storyloop")


class BotProcess:
    def __init__(self, synapse: Synapse, user: RegisteredUser, base: Path, sections: str = "",
                 storage: str | None = None, **matrix: str | float) -> None:
        """``storage``: the database's URL (default: ``run.db`` in ``base``)."""
        self.user, self.base = user, base
        self.config = base / "storyloop.toml"
        self.database = base / "run.db"
        extra = "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in matrix.items())
        self.config.write_text(
            f'[storage]\nurl = "{storage or f"sqlite:///{self.database}"}"\n\n'
            f'[matrix]\nhomeserver = "{synapse.url}"\n'
            f'user_id = "{user.user_id}"\npassword_env = "{PASSWORD_ENV}"\n'
            f'store_path = "{base / "store"}"\n{extra}\n{sections}')
        self.lines: list[str] = []
        """Every log line of every run, in order."""
        self.starts = 0
        self.started_at = 0
        """The first log line of the latest run."""
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def pid(self) -> int | None:
        """The process id of the running bot, None when it is not running."""
        return None if self._proc is None else self._proc.pid

    async def start(self) -> None:
        env = {**os.environ, PASSWORD_ENV: self.user.password, "STORYLOOP_LOG": "INFO"}
        self._proc = await asyncio.create_subprocess_exec(
            str(STORYLOOP), "--config", str(self.config), "run", env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        self.starts += 1
        self.started_at = len(self.lines)
        self._reader = asyncio.create_task(self._read(self._proc), name="storyloop run log")

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            self.lines.append(line.decode(errors="replace").rstrip())
            self._new_line.set()
            self._new_line = asyncio.Event()

    async def wait_for_line(self, wanted: Callable[[str], bool], after: int = 0,
                            timeout: float = 30) -> int:  # noqa: ASYNC109 - a deadline
        """The index of the first log line from ``after`` on that is ``wanted``."""
        async with asyncio.timeout(timeout):
            while True:
                for n in range(after, len(self.lines)):
                    if wanted(self.lines[n]):
                        return n
                after = len(self.lines)
                await self._new_line.wait()

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no clean-up, as a crash or a pulled plug."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGKILL)  # the process this helper started
            await self._proc.wait()
        if self._reader is not None:
            await self._reader
        self._proc = self._reader = None

    async def synced(self) -> None:
        """Wait until the latest run is in sync with the homeserver."""
        await self.wait_for_line(lambda line: "in sync with the homeserver" in line,
                                 after=self.started_at)

    async def stop(self) -> int:
        """SIGTERM, and its exit code."""
        proc = self._proc
        if proc is None:
            return 0
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)  # the process this helper started
        code = await proc.wait()
        if self._reader is not None:
            await self._reader
        self._proc = self._reader = None
        return code

    def log(self) -> str:
        return "\n".join(self.lines[-60:])
