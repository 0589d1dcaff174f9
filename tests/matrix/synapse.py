"""A throwaway Synapse homeserver on 127.0.0.1 for integration tests.

Synapse lives in its own venv (``scripts/install-synapse``); this module only needs that
interpreter's path. The config listens on loopback only, serves the client API only, uses
SQLite and lifts every rate limit. Users are created through the shared-secret admin API,
so no registration flow and no password login is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn, Protocol

SERVER_NAME = "localhost"
DEFAULT_PASSWORD = "storyloop-test-password"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
HEALTH_POLL_INTERVAL = 0.05
_SHARED_SECRET = "storyloop-test-shared-secret"
_NO_LIMIT = {"per_second": 9999, "burst_count": 9999}


@dataclass(frozen=True)
class RegisteredUser:
    """A user created on the test server, with a ready-to-use access token and device."""

    user_id: str
    password: str
    access_token: str
    device_id: str
    localpart: str


class UserFactory(Protocol):
    """The ``matrix_user`` fixture: registers a fresh user per call."""

    def __call__(self, localpart: str | None = None, *, admin: bool = False) -> RegisteredUser: ...


class SynapseError(RuntimeError):
    """Synapse failed to start, or answered an HTTP request with an error."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def unique_localpart(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _rate_limits() -> dict[str, object]:
    two_level = {
        "rc_login": ("address", "account", "failed_attempts"),
        "rc_joins": ("local", "remote"),
        "rc_invites": ("per_room", "per_user", "per_issuer"),
        "rc_presence": ("per_user",),
    }
    flat = [
        "rc_message",
        "rc_registration",
        "rc_admin_redaction",
        "rc_joins_per_room",
        "rc_3pid_validation",
        "rc_room_creation",
        "rc_delayed_event_mgmt",
        "rc_reports",
        "rc_user_directory",
        "rc_profile",
        "rc_media_create",
    ]
    limits: dict[str, object] = {key: _NO_LIMIT for key in flat}
    limits.update({key: {sub: _NO_LIMIT for sub in subs} for key, subs in two_level.items()})
    return limits


def homeserver_config(base_dir: Path, port: int) -> dict[str, object]:
    """The homeserver.yaml content (written as JSON, which is valid YAML)."""
    return {
        "server_name": SERVER_NAME,
        "pid_file": str(base_dir / "homeserver.pid"),
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "report_stats": False,
        "signing_key_path": str(base_dir / "localhost.signing.key"),  # created on first start
        "log_config": str(base_dir / "log.config"),
        "media_store_path": str(base_dir / "media_store"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],  # no federation
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(base_dir / "homeserver.db")}},
        "registration_shared_secret": _SHARED_SECRET,
        "macaroon_secret_key": "storyloop-test-macaroon-secret",
        "form_secret": "storyloop-test-form-secret",
        "enable_registration": False,
        "bcrypt_rounds": 4,
        "federation_domain_whitelist": [],
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "url_preview_enabled": False,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "caches": {"sync_response_cache_duration": 0},
        **_rate_limits(),
    }


def log_config(base_dir: Path) -> dict[str, object]:
    """Python logging config: everything to homeserver.log, nothing on the console."""
    return {
        "version": 1,
        "formatters": {
            "precise": {
                "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - "
                "%(request)s - %(message)s"
            }
        },
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "precise",
                "filename": str(base_dir / "homeserver.log"),
                "encoding": "utf8",
            }
        },
        "loggers": {"synapse.storage.SQL": {"level": "WARNING"}},
        "root": {"level": "INFO", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class Synapse:
    """One Synapse process with its config and data in ``base_dir``."""

    def __init__(self, base_dir: Path, python: Path) -> None:
        self.base_dir = base_dir
        self.python = python
        self.port = free_port()
        self.config_path = base_dir / "homeserver.yaml"
        self.log_path = base_dir / "homeserver.log"
        self.output_path = base_dir / "synapse.out"
        self._process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._admin: RegisteredUser | None = None
        self._write_config()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_name(self) -> str:
        return SERVER_NAME

    @property
    def pid(self) -> int | None:
        """The process id of the running server, None when stopped."""
        return None if self._process is None else self._process.pid

    def _write_config(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        config = homeserver_config(self.base_dir, self.port)
        self.config_path.write_text(json.dumps(config, indent=2) + "\n")
        (self.base_dir / "log.config").write_text(json.dumps(log_config(self.base_dir)) + "\n")

    # -- process ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server and return once ``/health`` answers ``OK``."""
        if self._process is not None:
            raise SynapseError("Synapse is already running")
        command = [str(self.python), "-m", "synapse.app.homeserver", "-c", str(self.config_path)]
        self._output = self.output_path.open("ab")
        self._process = subprocess.Popen(
            command,
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the terminal reaches pytest, not Synapse
        )
        try:
            self._wait_until_healthy(self._process)
        except BaseException:
            self.stop()
            raise

    def _wait_until_healthy(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self._healthy():
            if process.poll() is not None:
                self._fail(f"Synapse exited with code {process.returncode} during start-up")
            if time.monotonic() > deadline:
                self._fail(f"Synapse did not answer /health within {START_TIMEOUT:.0f} s")
            # Synapse gives no signal when it is ready (no sd_notify, no readiness pipe):
            # asking /health again is the event, so the pause is between polls.
            time.sleep(HEALTH_POLL_INTERVAL)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                body: bytes = response.read()
                return body == b"OK"
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def _fail(self, reason: str) -> NoReturn:
        raise SynapseError(
            f"{reason}.\n--- {self.log_path} (tail) ---\n{_tail(self.log_path)}"
            f"\n--- {self.output_path} (tail) ---\n{_tail(self.output_path)}"
        )

    def stop(self) -> None:
        """SIGTERM our own process (SIGKILL after 20 s) and wait for it to exit."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._output is not None:
            self._output.close()
            self._output = None

    def restart(self) -> None:
        """Stop and start again on the same port with the same data; tokens stay valid."""
        self.stop()
        self.start()

    # -- HTTP ------------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, body: object = None, token: str | None = None
    ) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                result: dict[str, Any] = json.loads(response.read() or b"{}")
                return result
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise SynapseError(f"{method} {path} -> HTTP {error.code}: {detail}") from None

    def register(
        self, localpart: str | None = None, password: str = DEFAULT_PASSWORD, admin: bool = False
    ) -> RegisteredUser:
        """Create a user through the shared-secret admin API (HMAC-SHA1 over a fresh nonce)."""
        localpart = localpart or unique_localpart()
        path = "/_synapse/admin/v1/register"
        nonce = str(self._request("GET", path)["nonce"])
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": registration_mac(nonce, localpart, password, admin),
        }
        reply = self._request("POST", path, body)
        return RegisteredUser(
            user_id=reply["user_id"],
            password=password,
            access_token=reply["access_token"],
            device_id=reply["device_id"],
            localpart=localpart,
        )

    def _admin_token(self) -> str:
        if self._admin is None:
            self._admin = self.register(unique_localpart("admin"), admin=True)
        return self._admin.access_token

    def admin_get(self, path: str) -> dict[str, Any]:
        """GET an admin API path such as ``/_synapse/admin/v2/users/@a:localhost``."""
        return self._request("GET", path, token=self._admin_token())

    def _ratelimit_path(self, user_id: str) -> str:
        return f"/_synapse/admin/v1/users/{urllib.parse.quote(user_id)}/override_ratelimit"

    def override_ratelimit(self, user_id: str, messages_per_second: int, burst_count: int) -> None:
        """Give one user a message rate limit (only ``rc_message`` is affected)."""
        body = {"messages_per_second": messages_per_second, "burst_count": burst_count}
        self._request("POST", self._ratelimit_path(user_id), body, self._admin_token())

    def delete_ratelimit_override(self, user_id: str) -> None:
        self._request("DELETE", self._ratelimit_path(user_id), token=self._admin_token())


def registration_mac(nonce: str, localpart: str, password: str, admin: bool) -> str:
    """The HMAC that ``/_synapse/admin/v1/register`` expects (no user_type)."""
    mac = hmac.new(_SHARED_SECRET.encode(), digestmod=hashlib.sha1)
    role = b"admin" if admin else b"notadmin"
    mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(), role]))
    return mac.hexdigest()
