"""What is on disk: after "forget me" no erased word is left in the SQLite file or its WAL
while the bot is still running, and the database, its side files and the key file are the
owner's alone (0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config, StorageConfig
from bot.core.errors import ConfigError
from bot.core.types import AuditEntry
from bot.features.privacy import load_secret
from storage.open import open_store
from storage.sqlite import SQLiteStore
from tests.conftest import PSEUDONYMS, Chat

SECRET = "Zanzibar-Quokka-8841 rang the ward at midnight"
TRIED = "We started a rota that Periwinkle-Marmoset-3307 drew up."


@pytest.fixture
async def on_disk(tmp_path: Path) -> AsyncIterator[tuple[App, SQLiteStore, Path]]:
    path = tmp_path / "data" / "storyloop.db"
    store = open_store(f"sqlite:///{path}")
    assert isinstance(store, SQLiteStore)
    await store.open()
    app = compose(Config(), store, clock=FakeClock(), pseudonymise=PSEUDONYMS).app
    yield app, store, path
    await store.close()


def _raw(path: Path) -> bytes:
    files = [path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))]
    return b"".join(f.read_bytes() for f in files if f.exists())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_forget_me_leaves_no_erased_words_in_the_database_or_its_wal(
        on_disk: tuple[App, SQLiteStore, Path]) -> None:
    app, store, path = on_disk
    chat = Chat(app)
    await chat.script("hi", "yes", "yes", SECRET, TRIED, "skip", "skip", "no", "2", "skip",
                      "staff", "none", "yes")
    other = Chat(app, person="@bob:example.org", room="!bob:example.org")
    await other.script("hi", "yes", "yes", "The car park is full by nine every morning.",
                       "We asked for a drop-off bay.", "skip", "skip", "no", "2", "skip",
                       "staff", "none", "yes")
    assert [s.situation for s in await store.list_stories()] == [
        SECRET, "The car park is full by nine every morning."]
    await store._writes.scrub()  # as the periodic checkpoint would: into the database file
    before = path.read_bytes()
    assert SECRET.encode() in before and TRIED.encode() in before  # the test can fail
    await chat.say("forget me")
    replies = await chat.say("yes")
    assert "erased 1 story" in replies[-1].text
    after = _raw(path)
    for words in (SECRET, TRIED, "Zanzibar-Quokka", "Periwinkle-Marmoset"):
        assert words.encode() not in after
    assert b"The car park is full by nine every morning." in after  # someone else's words are kept


async def test_retention_deletion_leaves_nothing_behind_either(
        on_disk: tuple[App, SQLiteStore, Path]) -> None:
    app, store, path = on_disk
    chat = Chat(app)
    await chat.script("hi", "yes", "yes", SECRET, TRIED, "skip", "skip", "no", "2", "skip",
                      "staff", "none", "yes")
    assert SECRET.encode() in _raw(path)
    clock = app.clock
    assert isinstance(clock, FakeClock)
    clock.advance(days=400)
    await store.retire_stories(clock.now(), delete=True, entry=AuditEntry(
        at=clock.now(), actor="retention", action="retention delete"))
    assert SECRET.encode() not in _raw(path)


async def test_the_database_and_its_side_files_are_the_owners_alone(
        on_disk: tuple[App, SQLiteStore, Path]) -> None:
    app, _, path = on_disk
    await Chat(app).script("hi", "yes", "yes", SECRET)
    assert _mode(path) == 0o600
    for end in ("-wal", "-shm"):
        side = path.with_name(path.name + end)
        assert side.exists() and _mode(side) == 0o600


async def test_an_existing_world_readable_database_is_made_the_owners_alone(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    first = open_store(f"sqlite:///{path}")
    await first.open()
    await first.close()
    os.chmod(path, 0o644)
    again = open_store(f"sqlite:///{path}")
    await again.open()
    try:
        assert _mode(path) == 0o600
    finally:
        await again.close()


def test_the_key_file_is_the_owners_alone(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'storyloop.db'}"))
    monkeypatch.delenv(config.privacy.secret_env, raising=False)
    key = load_secret(config)
    path = tmp_path / "storyloop.db.key"
    assert path.read_text().strip().encode() == key
    assert _mode(path) == 0o600


def test_a_database_server_needs_the_key_in_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No file beside it to keep a key in, and every process must share one: a key made up
    for one run would leave people unrecognised after a restart."""
    config = Config(storage=StorageConfig(url="postgresql://storyloop@db/storyloop"))
    monkeypatch.delenv(config.privacy.secret_env, raising=False)
    with pytest.raises(ConfigError) as raised:
        load_secret(config)
    assert raised.value.key == "privacy.secret_env (STORYLOOP_SECRET)"
    assert "must be set when storage.url names a database server" in raised.value.problem
    monkeypatch.setenv(config.privacy.secret_env, "k" * 32)
    assert load_secret(config) == b"k" * 32


async def test_deleted_rows_are_overwritten_whatever_sqlite_was_built_with(
        on_disk: tuple[App, SQLiteStore, Path]) -> None:
    """Debian's SQLite overwrites deleted rows by default; others do not, so the store asks."""
    _, store, _ = on_disk
    assert await store._writes.run(
        lambda db: db.execute("PRAGMA secure_delete").fetchone()[0]) == 1
