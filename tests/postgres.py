"""A throwaway PostgreSQL cluster for one test run: ``initdb`` into a new directory, the server
on 127.0.0.1 (and a socket in that directory) on a free port, a migrated template database that
each test copies (``CREATE DATABASE ... TEMPLATE``: a few milliseconds), stopped and deleted at
the end. ``scripts/install-postgres`` installs the binaries (Debian's ``postgresql``).

initdb refuses to run as root: as root, the cluster is made and run as the ``postgres`` user
(which Debian's package creates), in a directory given to it.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from storage.migrate import migrate
from storage.migrations import POSTGRESQL
from storage.postgres_migrations import MIGRATIONS

USER = "storyloop"
TEMPLATE = "storyloop_template"
RUN_AS_ROOT = "postgres"
SETTINGS = ("-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off")
"""Nothing here must survive a power cut: no waiting for the disk."""


def binaries() -> Path:
    """Where ``initdb`` and ``pg_ctl`` are: ``STORYLOOP_POSTGRES_BIN``, the PATH, or Debian's
    ``/usr/lib/postgresql/<version>/bin`` (the newest)."""
    if given := os.environ.get("STORYLOOP_POSTGRES_BIN"):
        return Path(given)
    if found := shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                    key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if debian:
        return debian[-1].parent
    raise RuntimeError("PostgreSQL's initdb and pg_ctl were not found (not on PATH, nor in "
                       "/usr/lib/postgresql/*/bin); run scripts/install-postgres, or set "
                       "STORYLOOP_POSTGRES_BIN to the directory that holds them")


class Cluster:
    def __init__(self) -> None:
        self.bin = binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="storyloop-postgres-"))
        self.data = self.dir / "data"
        self.user = RUN_AS_ROOT if os.geteuid() == 0 else None
        self.port = _free_port()
        self.pid: int | None = None
        self._names = itertools.count(1)
        if self.user is not None:
            try:
                owner = pwd.getpwnam(self.user)
            except KeyError:
                raise RuntimeError(f"initdb refuses to run as root, and there is no "
                                   f"{self.user!r} user to run it as (Debian's postgresql "
                                   f"package makes one); add one, or run the tests as "
                                   f"another user") from None
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8",
                  "--no-locale", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w",
                  "-t", "60", "-o", f"{SETTINGS} -p {self.port} -k {self.dir}", "start")
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        with self.admin() as admin:
            admin.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(self.url(TEMPLATE), autocommit=True) as template:
            migrate(template, POSTGRESQL, name="the template", migrations=MIGRATIONS)

    def stop(self) -> None:
        """Stop the server this cluster started (``pg_ctl`` signals its PID) and delete it."""
        try:
            if self.pid is not None:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    @contextmanager
    def admin(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            yield connection

    @contextmanager
    def database(self, migrated: bool = True) -> Iterator[str]:
        """A new database of its own (the migrated template, or empty): its URL; dropped
        afterwards, with any connection left to it."""
        name = f"test_{next(self._names)}"
        template = TEMPLATE if migrated else "template0"
        with self.admin() as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY = FILE_COPY")
        try:
            yield self.url(name)
        finally:
            with self.admin() as admin:
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([str(self.bin / program), *args], user=self.user, cwd=self.dir,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}"
                               f"{self._log()}")

    def _log(self) -> str:
        log = self.dir / "server.log"
        return f"\nserver log:\n{log.read_text()[-2000:]}" if log.exists() else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
