"""``storyloop run`` as a real process whose log (stderr) is read as it is written, so that a
test waits for a line the bot logs (``joined ...``, ``listening for Slack on ...``) and acts
at that moment: waiting on what the bot says it did, never on time. It is stopped (SIGTERM)
or killed (SIGKILL) by its own PID, and may be started again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

STORYLOOP = Path(sys.executable).with_name("storyloop")


class LoggedProcess:
    def __init__(self, config: Path, *run_args: str) -> None:
        self.config, self.run_args = config, run_args
        """``run_args``: after ``run`` (``--slack-port 3001``, say)."""
        self.lines: list[str] = []
        """Every log line of every run, in order."""
        self.starts = 0
        self.started_at = 0
        """The first log line of the latest run."""
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()

    @property
    def pid(self) -> int | None:
        """The process id of the running bot, None when it is not running."""
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        """Whether the latest run has not ended (by itself or by a signal)."""
        return self._proc is not None and self._proc.returncode is None

    async def start(self, **env: str) -> None:
        """``storyloop --config CONFIG run [run_args]``, logging at INFO, with ``env``
        added."""
        self._proc = await asyncio.create_subprocess_exec(
            str(STORYLOOP), "--config", str(self.config), "run", *self.run_args,
            env={**os.environ, "STORYLOOP_LOG": "INFO", **env},
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

    async def wait_for_line(self, wanted: Callable[[str], object], after: int = 0,
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

    def said(self, words: str) -> int:
        """How many of its log lines contain ``words``."""
        return sum(words in line for line in self.lines)

    def log(self) -> str:
        return "\n".join(self.lines[-60:])
