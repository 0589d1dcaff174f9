"""storyloop's settings, read from a TOML file and checked before anything starts.

Every section forbids unknown keys, so a typo fails at start-up with the key named.
``config.example.toml`` documents each setting.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ConfigError

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


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageConfig(Section):
    path: Path = Path("storyloop.db")
    """The SQLite file. Relative paths are relative to the working directory."""


class FlowsConfig(Section):
    themes: tuple[str, ...] = Field(default=DEFAULT_THEMES, min_length=1)
    idle_timeout_minutes: int = Field(default=60, gt=0)
    reflection: bool = True
    """Offer the optional reflection questions (enhance, restore, replace, become)."""


class MatrixConfig(Section):
    """Filled in by the Matrix adapter; an empty section means Matrix is off."""


class SlackConfig(Section):
    """Filled in by the Slack adapter; an empty section means Slack is off."""


class DigestConfig(Section):
    """Filled in by the digest; an empty section means no digests."""


class Config(Section):
    storage: StorageConfig = StorageConfig()
    flows: FlowsConfig = FlowsConfig()
    matrix: MatrixConfig | None = None
    slack: SlackConfig | None = None
    digest: DigestConfig | None = None


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


def _to_config_error(error: Any) -> ConfigError:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return ConfigError(key, "is not a known setting (check the spelling)")
    return ConfigError(key, f"{error['msg']} (got {error.get('input')!r})")
