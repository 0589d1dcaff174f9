"""Several ``storyloop run`` processes ("workers") with one config, Slack in HTTP mode, on one
PostgreSQL database: each listens on a port of its own (``port = 0``: it names the one it got
in its log), as N workers behind a load balancer would.

Each worker's log (stderr) is read as it is written (``tests/logged_process.py``), so that a
test waits for what a worker says it did, never on time. A worker is stopped or SIGKILLed by
its own PID.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from storage.postgres_locks import HOLDER, LOCKS, WHO
from tests.logged_process import LoggedProcess
from tests.slack.payloads import SIGNING_SECRET
from tests.slack.standin import APP_TOKEN, BOT_TOKEN, SlackStandIn

LISTENING = re.compile(r"listening for Slack on (http://127\.0\.0\.1:\d+/slack/events)")
MODERATORS = "C0MODS0001"


def write_config(path: Path, database: str, standin: SlackStandIn, mode: str = "http") -> Path:
    """One config for every worker: the database, Slack over HTTP on a free port each (or
    each over a Socket Mode connection of its own), the moderators' channel, and a weekly
    digest."""
    port = "port = 0\n" if mode == "http" else ""
    path.write_text(
        f'[storage]\nurl = "{database}"\n\n'
        f'[slack]\nmode = "{mode}"\n{port}api_url = "{standin.api_url}"\n'
        f'moderator_channels = ["{MODERATORS}"]\n\n'
        '[digest]\nschedule = "MON 09:00"\n')
    return path


class Worker(LoggedProcess):
    def __init__(self, config: Path, name: str, *run_args: str) -> None:
        super().__init__(config, *run_args)
        self.name = name
        self.url = ""
        """Its Slack endpoint, once it listens."""

    async def start(self, **env: str) -> None:
        await super().start(**{
            "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "STORYLOOP_SECRET": "a pseudonym key for the worker tests only", **env})

    async def listening(self) -> None:
        """Wait until it listens for Slack; note where."""
        line = self.lines[await self.wait_for_line(LISTENING.search)]
        found = LISTENING.search(line)
        assert found is not None, self.log()
        self.url = found.group(1)


async def holder(database: str, name: str, workers: list[Worker]) -> Worker | None:
    """The worker holding the lease or lock ``name`` now, as PostgreSQL sees it."""
    async with await psycopg.AsyncConnection.connect(database) as connection:
        row = await (await connection.execute(HOLDER, (LOCKS, name))).fetchone()
    by_name = {WHO.format(pid=w.pid): w for w in workers if w.pid is not None}
    return None if row is None else by_name.get(str(row[0]))
