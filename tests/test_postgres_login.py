"""Logging in to PostgreSQL with a password, as a real deployment does: the password given as
``PGPASSWORD`` (libpq's own variable, as ``deploy/`` gives it), never in the config file. The
throwaway cluster trusts its test user; here one role must give a password (scram-sha-256),
checked by the server. A wrong one is said plainly, without a trace and without the password."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import Cluster

STORYLOOP = Path(sys.executable).with_name("storyloop")
ROLE, PASSWORD = "storyloop_login", "correct horse battery staple"
HBA = f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n"
"""The first matching line of pg_hba.conf wins: this one, before the cluster's trust lines."""


@pytest.fixture
def login_database(postgres: Cluster) -> Iterator[str]:
    """A database owned by a role that must log in with ``PASSWORD``: its URL, no password."""
    hba = postgres.data / "pg_hba.conf"
    if HBA not in hba.read_text():
        hba.write_text(HBA + hba.read_text())
    with postgres.admin() as admin:
        admin.execute("SELECT pg_reload_conf()")
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone() is None:
            admin.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
        admin.execute(f"CREATE DATABASE {ROLE} OWNER {ROLE}")
    try:
        yield f"postgresql://{ROLE}@127.0.0.1:{postgres.port}/{ROLE}"
    finally:
        with postgres.admin() as admin:
            admin.execute(f"DROP DATABASE {ROLE} WITH (FORCE)")


def stories(url: str, tmp_path: Path, password: str | None) -> subprocess.CompletedProcess[str]:
    """``storyloop stories`` on that database, as a worker's environment would run it."""
    config = tmp_path / "storyloop.toml"
    config.write_text(f'[storage]\nurl = "{url}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if password is not None:
        env["PGPASSWORD"] = password
    env["STORYLOOP_SECRET"] = "a pseudonym key for the login tests only"
    return subprocess.run([str(STORYLOOP), "--config", str(config), "stories"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_password_from_pgpassword_logs_in_and_the_tables_are_made(
        login_database: str, tmp_path: Path) -> None:
    done = stories(login_database, tmp_path, PASSWORD)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 stories in ")


@pytest.mark.parametrize("password", ["not the password", None])
def test_a_wrong_or_missing_password_is_said_plainly_and_never_shown(
        login_database: str, tmp_path: Path, password: str | None) -> None:
    done = stories(login_database, tmp_path, password)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"storyloop: PostgreSQL database {ROLE!r} at 127.0.0.1:")
    assert "refused the login" in done.stderr and "PGPASSWORD" in done.stderr
    assert (password or PASSWORD) not in done.stderr + done.stdout
