"""Logging in to Matrix, and keeping the device.

Our login and device are kept across restarts (``login.json`` beside the crypto store in
``store_path``), so the encryption keys stay ours; we never log out, which would destroy them.
A first start logs in with an access token or a password and saves the result.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from bot.core.config import MatrixConfig, secret
from bot.core.errors import PlatformError

log = logging.getLogger(__name__)
LOGIN_FILE = "login.json"


async def login(config: MatrixConfig) -> AsyncClient:
    """A logged-in client: the saved device if there is one, else a new login, saved."""
    store_path = config.store_path
    await asyncio.to_thread(store_path.mkdir, parents=True, exist_ok=True)
    saved = read_login(store_path)
    device = saved.get("device_id") if saved else None
    client = AsyncClient(config.homeserver, config.user_id, device or "", str(store_path),
                         client_config(config))
    try:
        if saved:
            client.restore_login(saved["user_id"], saved["device_id"], saved["access_token"])
        else:
            await _first_login(client, config)
    except BaseException:
        await client.close()
        raise
    return client


def client_config(config: MatrixConfig) -> AsyncClientConfig:
    """Rate limits and timeouts come back to us instead of nio retrying them forever."""
    return AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=60,
                             encryption_enabled=config.encryption, store_sync_tokens=False)


async def encryption_chores(client: AsyncClient) -> None:
    """The end-to-end encryption chores that nio's sync_forever would do after each sync."""
    if client.olm is None:
        return
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


async def _first_login(client: AsyncClient, config: MatrixConfig) -> None:
    if config.access_token_env:
        await _login_with_token(client, secret("matrix.access_token_env",
                                                config.access_token_env))
    else:
        password = secret("matrix.password_env", config.password_env)
        response = await client.login(password, device_name=config.device_name)
        if not isinstance(response, LoginResponse):
            raise PlatformError(f"Matrix login failed: {response}")
    write_login(config.store_path, client)
    log.info("logged in to Matrix as %s, device %s", client.user_id, client.device_id)


async def _login_with_token(client: AsyncClient, token: str) -> None:
    client.access_token = token
    whoami = await client.whoami()
    if not isinstance(whoami, WhoamiResponse):
        raise PlatformError(f"the Matrix access token was refused: {whoami}")
    client.restore_login(whoami.user_id, whoami.device_id or "", token)


def read_login(store_path: Path) -> dict[str, str] | None:
    path = store_path / LOGIN_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return {k: str(data[k]) for k in ("user_id", "device_id", "access_token")}


def write_login(store_path: Path, client: AsyncClient) -> None:
    """Keep the login so the same device (and its keys) is used after a restart."""
    path = store_path / LOGIN_FILE
    data = {"user_id": client.user_id, "device_id": client.device_id,
            "access_token": client.access_token}
    path.write_text(json.dumps(data))
    os.chmod(path, 0o600)
