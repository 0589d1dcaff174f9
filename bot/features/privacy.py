"""Keeping people's data theirs: platform ids are stored only as keyed hashes (pseudonyms).

The key comes from the environment variable named by ``privacy.secret_env``. Without it,
storyloop makes a random key once and keeps it in a file beside the database (readable only by
its owner), so a pseudonym stays the same across restarts; set the variable in production and
keep the key away from the database's backups. A PostgreSQL database has no file beside it,
and every process sharing it must use one key: there, the variable must be set.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from bot.core.config import Config
from bot.core.errors import ConfigError
from bot.core.storage_url import InMemory, parse_storage_url
from bot.core.types import Platform, UserId

log = logging.getLogger(__name__)
MIN_SECRET_BYTES = 16


class Pseudonymiser:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the pseudonym key needs at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret

    def __call__(self, platform: Platform, user_id: UserId) -> UserId:
        """The same person on the same platform always gets the same pseudonym."""
        digest = hmac.new(self._secret, f"{platform}\0{user_id}".encode(), hashlib.sha256)
        return UserId("p-" + digest.hexdigest()[:32])


def load_secret(config: Config) -> bytes:
    """The pseudonym key: from the environment if set, else from (or into) a key file beside
    the database. A store in memory gets a key for this run only; a database on a server
    (PostgreSQL) has no file beside it, so the variable must be set."""
    from_env = os.environ.get(config.privacy.secret_env, "")
    if from_env and len(from_env.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"privacy.secret_env ({config.privacy.secret_env})",
                          f"the pseudonym key must be at least {MIN_SECRET_BYTES} bytes long; "
                          f"it is {len(from_env.encode())}")
    if from_env:
        return from_env.encode()
    if isinstance(parse_storage_url(config.storage.url), InMemory):
        return secrets.token_hex(32).encode()
    if config.storage.path is None:
        raise ConfigError(f"privacy.secret_env ({config.privacy.secret_env})",
                          "must be set when storage.url names a database server: there is no "
                          "file beside it to keep the pseudonym key in, and every storyloop "
                          "process using it needs the same key")
    path = Path(f"{config.storage.path}.key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        log.warning("%s is not set: made a pseudonym key in %s (keep it; losing it means "
                    "people are not recognised)", config.privacy.secret_env, path)
    return path.read_text().strip().encode()
