"""What ``bench/matrix_cost.py`` reads about the processes it runs: CPU time and memory from
/proc, and the requests a user made to Synapse from Synapse's own access log.

Synapse logs one line per request it has answered (logger ``synapse.access.http.<port>``),
naming the requester and the CPU time the request took in Synapse's own accounting:

    ... - {@bot:localhost} Processed request: 0.004sec/0.000sec ru=(0.002sec, 0.000sec) ...
        200 "PUT /_matrix/client/v3/rooms/!r:localhost/typing/%40bot%3Alocalhost HTTP/1.1" ...

so the requests of one user between two offsets of the log are counted by endpoint (room,
user, event and transaction ids replaced by ``*``).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
ACCESS = re.compile(r"\{(?P<who>[^}]*)\} Processed request: [\d.]+sec/[\d.]+sec "
                    r"ru=\((?P<user>[\d.]+)sec, (?P<sys>[\d.]+)sec\).*?"
                    r"\"(?P<method>[A-Z]+) (?P<path>\S+) HTTP")
CLIENT_API = re.compile(r"^/_matrix/client/(?:r0|v\d+|unstable)/")


def cpu_ms(pid: int) -> float:
    """User and system CPU time of the process ``pid`` so far (all its threads), in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_MS  # utime, stime: fields 14 and 15


def memory_mib(pid: int) -> tuple[float, float]:
    """The resident set of ``pid`` now, and at its peak, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def endpoint(method: str, path: str) -> str:
    """``PUT rooms/*/send/m.room.message/*`` for a request line's method and path."""
    parts = CLIENT_API.sub("", path.split("?", 1)[0]).strip("/").split("/")
    named: list[str] = []
    for n, part in enumerate(parts):
        before = parts[n - 1] if n else ""
        two_before = parts[n - 2] if n > 1 else ""
        is_id = part[:1] in ("!", "@", "$", "#", "%") or before in ID_BEFORE \
            or two_before in ID_TWO_BEFORE
        named.append("*" if is_id else part)
    return f"{method} {'/'.join(named)}"


ID_BEFORE = ("rooms", "typing", "filter", "join", "user", "profile", "redact")
"""A segment after one of these is an id (of a room, a user, a filter...)."""
ID_TWO_BEFORE = ("send", "sendToDevice", "receipt", "state")
"""A segment two after one of these is an id (a transaction, an event, a state key)."""


@dataclass
class Requests:
    """One user's requests to Synapse: how many per endpoint, and Synapse's CPU ms each
    cost it (its own accounting: the request's work, not the wake-ups it caused)."""

    count: Counter[str] = field(default_factory=Counter)
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.count.values())


class AccessLog:
    """Synapse's log file, read from a remembered offset."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def offset(self) -> int:
        return self.path.stat().st_size

    def requests(self, user_id: str, start: int, end: int) -> Requests:
        """``user_id``'s requests logged between the offsets ``start`` and ``end``."""
        with self.path.open("rb") as log:
            log.seek(start)
            text = log.read(end - start).decode(errors="replace")
        found = Requests()
        for match in ACCESS.finditer(text):
            if match["who"] != user_id:
                continue
            name = endpoint(match["method"], match["path"])
            found.count[name] += 1
            spent = (float(match["user"]) + float(match["sys"])) * 1000
            found.cpu_ms[name] = found.cpu_ms.get(name, 0.0) + spent
        return found


class Profile:
    """py-spy sampling one process (``--profile``): collapsed stacks, one per line with its
    sample count, to be read with ``sort -k2`` or any flame graph tool. py-spy is not a
    dependency: ``.venv/bin/pip install py-spy``."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self, pid: int) -> None:
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
        self._proc = await asyncio.create_subprocess_exec(
            spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "250",
            "--nonblocking", "--output", str(self.output),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGINT)  # the process this bench started: py-spy
            await self._proc.wait()  # writes its file on SIGINT
        self._proc = None
