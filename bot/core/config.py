"""storyloop's settings, read from a TOML file and checked before anything starts.

Every section forbids unknown keys, so a typo fails at start-up with the key named.
``config.example.toml`` documents each setting.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.core import storage_url
from bot.core.errors import ConfigError
from bot.core.follow_ups import parse_span
from bot.core.words import locales

DEFAULT_THEMES = (
    "access",
    "waiting times",
    "communication",
    "digital",
    "staffing",
    "mental health",
    "carers",
    "kindness",
)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageConfig(Settings):
    url: str = storage_url.DEFAULT
    """Where conversations and stories are kept: ``sqlite:///relative/file.db`` (relative to
    the working directory), ``sqlite:////absolute/file.db`` or ``memory://``."""
    path: Path | None = None
    """The SQLite file, as older config files give it: ``path = "x.db"`` means
    ``url = "sqlite:///x.db"``. Read it back as the file the URL names (None for memory://)."""

    @model_validator(mode="before")
    @classmethod
    def _path_agrees_with_url(cls, data: Any) -> Any:
        """``url`` is made from an older file's ``path``; else ``path`` from ``url``."""
        if not isinstance(data, dict):
            return data
        if data.get("path") is None:
            return {**data, "path": _file_of(data.get("url", storage_url.DEFAULT))}
        if "url" in data:
            raise PydanticCustomError("url_and_path", "give storage.url or storage.path, not "
                                      "both (path = \"x.db\" is url = \"sqlite:///x.db\")")
        return {**data, "url": f"sqlite:///{data['path']}"}

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        try:
            storage_url.parse_storage_url(value)
        except ConfigError as exc:
            raise PydanticCustomError("storage_url", exc.problem) from None
        return value


def _file_of(url: Any) -> Path | None:
    """The file a storage URL names, if it names one (a bad URL is reported for ``url``)."""
    try:
        where = storage_url.parse_storage_url(str(url))
    except ConfigError:
        return None
    return where.path if isinstance(where, storage_url.SQLiteFile) else None


class FlowsConfig(Settings):
    themes: tuple[str, ...] = Field(default=DEFAULT_THEMES, min_length=1)
    idle_timeout_minutes: int = Field(default=60, gt=0)
    reflection: bool = True
    """Offer the optional reflection questions (enhance, restore, replace, become)."""
    safeguarding_model: bool = True
    """Whether the local safeguarding model reads every message beside the rules (a rule hit
    always counts; the model adds recall). Off: the rules alone."""
    safeguarding_rules: Path | None = None
    """A deployment's own safeguarding phrases and signposting (default: the built-in UK
    ones in flows/safeguarding.toml)."""
    locale: str = "en"
    """The language new conversations are held in: a catalogue in bot/core/locales/."""
    complaints: str | None = None
    """How to make a complaint here, told to anyone who asks or wants someone to answer for
    what happened (default: the service's PALS or complaints team)."""
    contact: str | None = None
    """A person to contact, offered to someone the bot has twice not understood."""

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        known = locales()
        if value not in known:
            raise ValueError(f"there is no word catalogue for {value!r}; "
                             f"there are: {', '.join(known)}")
        return value


class PrivacyConfig(Settings):
    secret_env: str = "STORYLOOP_SECRET"
    """The environment variable holding the key for pseudonyms of platform ids."""
    retention_days: int = Field(default=0, ge=0)
    """Stories older than this are anonymised or deleted by a daily job; 0 keeps them."""
    retention: Literal["anonymise", "delete"] = "anonymise"


class MatrixConfig(Settings):
    """The Matrix bot account and where it listens. An empty section means Matrix is off."""

    homeserver: str = Field(pattern=r"^https?://")
    user_id: str = Field(pattern=r"^@[^:]+:.+$")
    password_env: str | None = "STORYLOOP_MATRIX_PASSWORD"
    access_token_env: str | None = None
    device_name: str = "storyloop"
    store_path: Path = Path("matrix-store")
    encryption: bool = True
    moderators: tuple[str, ...] = ()
    moderator_rooms: tuple[str, ...] = ()
    staff_rooms: tuple[str, ...] = ()
    allowed_inviters: tuple[str, ...] = ()
    """Users (``@name:server``) or whole servers (``:server``) whose invites are accepted.
    Empty: anyone's."""
    command_prefix: str = Field(default="!", min_length=1)
    unreadable_after_seconds: float = Field(default=20.0, gt=0, le=3600)
    """How long an encrypted message whose key has not arrived is waited for before the person
    is told it could not be read and asked to send it again."""


class SlackConfig(Settings):
    """The Slack app and how it connects. An empty section means Slack is off."""

    mode: Literal["socket", "http"] = "socket"
    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    """Socket Mode only: the app-level token (xapp-...)."""
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    """HTTP mode only: the signing secret that proves a request came from Slack."""
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    path: str = "/slack/events"
    moderators: tuple[str, ...] = ()
    moderator_groups: tuple[str, ...] = ()
    moderator_channels: tuple[str, ...] = ()
    staff_channels: tuple[str, ...] = ()
    api_url: str | None = None
    """Where the Slack Web API is; only for tests against a stand-in."""


class DigestConfig(Settings):
    """When the weekly digest is drafted for the moderators. An empty section: no digests."""

    schedule: str = Field(default="MON 09:00",
                          pattern=r"^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name like Europe/London") from None
        return value


class FollowUpsConfig(Settings):
    """When a teller who tried something, and agreed to be contacted, is asked how it went."""

    after: str = "4w"
    """How long after the story is saved: weeks, days or hours (\"4w\", \"10d\", \"12h\")."""
    remind_after: str = "1w"
    """How long after asking, unanswered, to remind them (once, never again)."""
    quiet_hours: str = Field(default="21:00-09:00",
                             pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
    """When nobody is asked or reminded, in ``timezone``'s local time (may span midnight)."""
    timezone: str = "Europe/London"

    @field_validator("after", "remind_after")
    @classmethod
    def _a_span(cls, value: str) -> str:
        parse_span(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return DigestConfig._known_zone(value)

    @property
    def delay(self) -> timedelta:
        return parse_span(self.after)

    @property
    def reminder_delay(self) -> timedelta:
        return parse_span(self.remind_after)


class ResponderConfig(Settings):
    """Someone who may answer stories about a service or a theme (``story respond N``), as
    well as the moderators, who may answer any story."""

    name: str = Field(min_length=1)
    """How their responses are signed for the teller and staff (\"Riverside PALS\")."""
    matrix: tuple[str, ...] = ()
    """Their Matrix ids (``@name:server``)."""
    slack: tuple[str, ...] = ()
    """Their Slack member ids (``U0123...``)."""
    services: tuple[str, ...] = ()
    """Services or places they answer for: a story whose place names one is theirs."""
    themes: tuple[str, ...] = ()
    """Themes they answer for: a story with one of them is theirs."""

    @model_validator(mode="after")
    def _answers_for_something(self) -> ResponderConfig:
        if not self.services and not self.themes:
            raise ValueError("names no services and no themes: give at least one, or they "
                             "could answer no story")
        if not self.matrix and not self.slack:
            raise ValueError("names nobody: give their matrix or slack ids")
        return self


class MetricsConfig(Settings):
    """``/healthz`` and Prometheus ``/metrics`` for operators (``storyloop run`` only). No
    section: off."""

    enabled: bool = True
    """``false`` turns it off, keeping the section."""
    host: str = "127.0.0.1"
    """The address to listen on: 127.0.0.1 keeps it to this machine."""
    port: int = Field(default=9464, ge=0, le=65535)
    """The port; 0 picks a free one (tests)."""

    @field_validator("host")
    @classmethod
    def _an_address(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise PydanticCustomError("ip_address", "should be an IP address to listen on, "
                                      "like 127.0.0.1 (this machine only) or 0.0.0.0 (every "
                                      "interface)") from None
        return value


class Config(Settings):
    storage: StorageConfig = StorageConfig()
    flows: FlowsConfig = FlowsConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    matrix: MatrixConfig | None = None
    slack: SlackConfig | None = None
    digest: DigestConfig | None = None
    responders: tuple[ResponderConfig, ...] = ()
    follow_ups: FollowUpsConfig = FollowUpsConfig()
    metrics: MetricsConfig | None = None

    @field_validator("matrix", "slack", "digest", mode="before")
    @classmethod
    def _empty_section_is_off(cls, value: Any) -> Any:
        return None if value == {} else value

    @model_validator(mode="after")
    def _responders_themes_are_offered(self) -> Config:
        offered = {t.casefold() for t in self.flows.themes}
        for n, responder in enumerate(self.responders):
            unknown = [t for t in responder.themes if t.casefold() not in offered]
            if unknown:
                raise PydanticCustomError(
                    "responder_theme", "{unknown} is not one of the themes in flows.themes "
                    "({offered})",
                    {"n": n, "unknown": ", ".join(map(repr, unknown)),
                     "offered": ", ".join(self.flows.themes)})
        return self


def secret(key: str, env_name: str | None) -> str:
    """A secret from the environment variable a setting names; ``key`` is that setting."""
    if not env_name:
        raise ConfigError(key, "is not set; name the environment variable holding the secret")
    value = os.environ.get(env_name, "")
    if not value:
        raise ConfigError(key, f"the environment variable {env_name} is not set or empty")
    return value


def parse_config(data: dict[str, Any]) -> Config:
    """Check a parsed TOML document; raise :class:`ConfigErrors` naming every bad key."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigErrors([_to_config_error(e) for e in exc.errors()]) from None


def load_config(path: Path | None) -> Config:
    """Read the config file at ``path``; ``None`` means the embedded defaults."""
    if path is None:
        return Config()
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigErrors([ConfigError(str(path), "no such file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigErrors([ConfigError(str(path), f"not valid TOML ({exc})")]) from None
    return parse_config(data)


class ConfigErrors(ConfigError):
    """One or more bad settings; ``errors`` lists each with its key."""

    def __init__(self, errors: list[ConfigError]) -> None:
        super().__init__(errors[0].key, errors[0].problem)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(f"{e.key}: {e.problem}" for e in self.errors)


_HINTS = {
    "matrix.homeserver": "should be the homeserver's URL, starting with http:// or https://",
    "matrix.user_id": "should be the bot's full Matrix id, like @storyloop:example.org",
    "digest.schedule": "should be a day and a 24-hour time, like \"MON 09:00\"",
    "follow_ups.quiet_hours": "should be two 24-hour times, like \"21:00-09:00\"",
}


def _to_config_error(error: Any) -> ConfigError:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "responder_theme":  # checked across sections: named here
        return ConfigError(f"responders.{error['ctx']['n']}.themes", error["msg"])
    if error["type"] == "extra_forbidden":
        return ConfigError(key, "is not a known setting (check the spelling)")
    if error["type"] == "storage_url":  # names the URL itself, without its password
        return ConfigError(key, error["msg"])
    if key in _HINTS:
        return ConfigError(key, f"{_HINTS[key]} (got {error.get('input')!r})")
    return ConfigError(key, f"{error['msg']} (got {error.get('input')!r})")
