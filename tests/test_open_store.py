"""``open_store(url)``: each supported URL opens the store it names; anything else is a
ConfigError for ``storage.url``, at start-up when it is in the config."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.core.config import ConfigErrors, StorageConfig, parse_config
from bot.core.errors import ConfigError, StorageError
from storage.base import Store
from storage.memory import MemoryStore
from storage.open import open_store
from storage.postgres import PostgresStore
from storage.sqlite import SQLiteStore
from tests.postgres import Cluster


def _files(directory: Path) -> list[Path]:
    return list(directory.iterdir())


async def _keeps_a_value(store: Store) -> None:
    await store.open()
    try:
        await store.set_value("k", "v")
        assert await store.get_value("k") == "v"
    finally:
        await store.close()


async def _still_has_the_value(url: str) -> None:
    reopened = open_store(url)
    await reopened.open()
    try:
        assert await reopened.get_value("k") == "v"
    finally:
        await reopened.close()


async def test_a_relative_sqlite_url_is_a_file_under_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///data/stories.db")
    assert isinstance(store, SQLiteStore)
    await _keeps_a_value(store)
    assert (tmp_path / "data" / "stories.db").is_file()


async def test_an_absolute_sqlite_url_has_four_slashes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'abs.db'}"
    assert url.startswith("sqlite:////")
    await _keeps_a_value(open_store(url))
    await _still_has_the_value(url)


async def test_memory_keeps_nothing_on_disk_nor_between_stores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("memory://")
    assert isinstance(store, MemoryStore)
    await _keeps_a_value(store)
    another = open_store("memory://")
    await another.open()
    assert await another.get_value("k") is None
    await another.close()
    assert _files(tmp_path) == []


@pytest.mark.parametrize(("url", "says"), [
    ("postgresql://storyloop@db", "names no database"),
    ("postgres://storyloop@db/", "names no database"),
    ("postgresql://storyloop@db:port/storyloop", "is not a PostgreSQL URL"),
    ("postgresql://storyloop@db/a/b", "names no database"),
    ("postgresql://storyloop@db/storyloop#x", "has no '#' part"),
    ("mysql://db/storyloop", "'mysql' storage is not supported"),
    ("storyloop.db", "is not a storage URL"),
    ("", "is not a storage URL"),
    ("sqlite://storyloop.db", "three slashes before a relative path"),
    ("sqlite://host/storyloop.db", "names a host"),
    ("sqlite:///", "names no database file"),
    ("sqlite:///data/", "names no database file"),
    ("sqlite:///:memory:", "use memory://"),
    ("sqlite:///x.db?mode=ro", "options after the file name"),
    ("memory://somewhere", "memory:// takes nothing after it"),
])
def test_an_unsupported_url_is_named_with_what_is_supported(url: str, says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        open_store(url)
    assert raised.value.key == "storage.url"
    assert says in raised.value.problem and repr(url) in raised.value.problem


def test_an_unknown_scheme_lists_every_supported_one() -> None:
    with pytest.raises(ConfigError) as raised:
        open_store("mysql://db/x")
    for supported in ("sqlite:///relative/file.db", "sqlite:////absolute/file.db",
                      "postgresql://user@host:5432/database", "memory://"):
        assert supported in raised.value.problem


def test_a_password_in_a_bad_url_is_not_repeated() -> None:
    with pytest.raises(ConfigError) as raised:
        open_store("postgresql://storyloop:hunter2@db:5432")
    assert "hunter2" not in raised.value.problem
    assert "'postgresql://storyloop:***@db:5432' names no database" in raised.value.problem


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
async def test_a_postgresql_url_opens_that_database(postgres_url: str, scheme: str) -> None:
    url = postgres_url.replace("postgresql://", f"{scheme}://")
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    await _keeps_a_value(store)
    await _still_has_the_value(url)


async def test_a_postgresql_server_that_cannot_be_reached_is_named(postgres: Cluster) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there
        store = open_store(f"postgresql://storyloop:secret@127.0.0.1:{port}/storyloop")
        with pytest.raises(StorageError) as raised:
            await store.open()
    said = str(raised.value)
    assert said.startswith(f"cannot reach PostgreSQL database 'storyloop' at "
                           f"127.0.0.1:{port}: ")
    assert "secret" not in said


def test_the_default_is_storyloop_db_in_the_working_directory() -> None:
    default = parse_config({}).storage
    assert (default.url, default.path) == ("sqlite:///storyloop.db", Path("storyloop.db"))


@pytest.mark.parametrize(("given", "url", "path"), [
    ({"path": "data/s.db"}, "sqlite:///data/s.db", Path("data/s.db")),
    ({"path": "/srv/s.db"}, "sqlite:////srv/s.db", Path("/srv/s.db")),
    ({"url": "sqlite:////srv/s.db"}, "sqlite:////srv/s.db", Path("/srv/s.db")),
    ({"url": "memory://"}, "memory://", None),
])
def test_an_older_path_setting_means_a_sqlite_url(given: dict[str, str], url: str,
                                                   path: Path | None) -> None:
    storage = parse_config({"storage": given}).storage
    assert (storage.url, storage.path) == (url, path)


def test_a_path_given_in_python_means_a_sqlite_url(tmp_path: Path) -> None:
    assert StorageConfig(path=tmp_path / "s.db").url == f"sqlite:///{tmp_path}/s.db"


def test_url_and_path_together_are_refused_naming_both() -> None:
    with pytest.raises(ConfigErrors) as raised:
        parse_config({"storage": {"url": "sqlite:///a.db", "path": "b.db"}})
    [error] = raised.value.errors
    assert "storage.url" in error.problem and "storage.path" in error.problem


def test_a_bad_url_in_the_config_is_named_when_it_is_read() -> None:
    with pytest.raises(ConfigErrors) as raised:
        parse_config({"storage": {"url": "postgresql://db"}})
    [error] = raised.value.errors
    assert error.key == "storage.url" and "names no database" in error.problem


def test_a_postgresql_url_in_the_config_has_no_file() -> None:
    storage = parse_config({"storage": {"url": "postgresql://storyloop@db/storyloop"}}).storage
    assert (storage.url, storage.path) == ("postgresql://storyloop@db/storyloop", None)


async def test_the_configured_url_opens_that_store(tmp_path: Path) -> None:
    config = parse_config({"storage": {"path": str(tmp_path / "c.db")}})
    store = open_store(config.storage.url)
    await _keeps_a_value(store)
    assert (tmp_path / "c.db").is_file()
