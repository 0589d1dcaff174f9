"""``/healthz`` and ``/metrics`` over real HTTP on 127.0.0.1, around the App as ``storyloop
run`` composes it: the counters move by exactly what happened in a conversation, the outbox
is read at each scrape, and health turns 503 naming the store once it stops answering."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

import pytest

from bot import ops
from bot.app import App
from bot.compose import compose
from bot.core.config import Config, ConfigErrors, MetricsConfig, parse_config
from bot.core.errors import ConfigError
from bot.core.types import OutgoingMessage, Platform
from bot.metrics import Metrics
from bot.ops import Health, OpsServer, serve_ops
from bot.runner import with_metrics_port, with_slack_port
from storage.open import open_store
from storage.sqlite import SQLiteStore

from .conftest import PSEUDONYMS, Chat
from .scrape import blocking_get, get, health, moved, samples
from .test_cli import SCRIPT
from .test_safeguarding_flow import AT_RISK

TEST = Platform("test")
HANDLED = 'storyloop_messages_handled_total{platform="test"}'
ERRORS = 'storyloop_handler_errors_total{platform="test"}'
PENDING = 'storyloop_replies_pending{platform="test"}'
SUICIDE = 'storyloop_safeguarding_alerts_total{concern="suicide"}'
Serve = Callable[[App], OpsServer]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Serve an App's /healthz and /metrics on a free port, as ``storyloop run`` does."""
    servers: list[OpsServer] = []

    def start(app: App, platforms: Iterable[str] = ("test",)) -> OpsServer:
        assert isinstance(app.tally, Metrics)
        server = serve_ops(MetricsConfig(port=0), app.tally, Health(app.store), app.store,
                           lambda: platforms)
        assert server is not None
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


async def test_a_conversation_moves_the_counters_by_what_happened(
        app: App, chat: Chat, serve: Serve) -> None:
    port = serve(app).port
    before = await samples(port)
    assert before[SUICIDE] == 0 and HANDLED not in before  # "test" is no configured platform
    await chat.script(*SCRIPT)
    assert "saved" in chat.last_text
    after_story = await samples(port)
    assert moved(before, after_story) == {HANDLED: len(SCRIPT)}
    await Chat(app, person="@bob:example.org", room="!bob").script("hi", "yes", "yes", AT_RISK)
    assert moved(after_story, await samples(port)) == {HANDLED: 4, SUICIDE: 1}


async def test_replies_waiting_in_the_outbox_are_read_at_each_scrape(
        app: App, chat: Chat, serve: Serve) -> None:
    port = serve(app).port
    sent, held = asyncio.Event(), asyncio.Event()

    async def platform(reply: OutgoingMessage) -> None:
        sent.set()
        await held.wait()  # the platform has not confirmed yet

    app.delivery.attach(TEST, platform)
    replies = [reply for line in ("hi", "yes", "yes") for reply in await chat.say(line)]
    await sent.wait()
    pending = len(await app.store.pending_replies(TEST))
    assert pending == len(replies) == 3
    assert (await samples(port))[PENDING] == 3
    held.set()
    await app.delivery.idle()
    assert (await samples(port))[PENDING] == 0


async def test_health_is_503_naming_the_store_once_it_stops_answering(
        tmp_path: Path, serve: Serve) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'stories.db'}")
    assert isinstance(store, SQLiteStore)
    await store.open()
    app = compose(Config(), store, pseudonymise=PSEUDONYMS).app
    port = serve(app).port
    assert await health(port) == (200, {"status": "ok", "store": "ok", "platforms": {}})
    chat = Chat(app)
    await chat.script("hi", "yes")
    before = await samples(port)
    await store.close()
    [apology] = await chat.say("yes")
    assert apology.text.startswith("Sorry, something went wrong on my side.")
    assert await health(port) == (503, {"status": "unwell",
                                         "store": "not answering (StorageError)",
                                         "platforms": {}})
    after = await samples(port)  # the counters are still shown; the outbox cannot be read
    assert moved(before, after) == {HANDLED: 1, ERRORS: 1}
    assert PENDING in before and PENDING not in after


async def test_a_bot_whose_event_loop_is_stuck_is_unwell(
        app: App, serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops, "ANSWER_WITHIN", 0.2)
    port = serve(app).port
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        asking = pool.submit(blocking_get, port, "/healthz")
        status, _, body = asking.result(timeout=30)  # holds the event loop: the bot is stuck
    assert status == 503
    assert json.loads(body) == {"status": "unwell", "bot": "did not answer within 0.2 s"}


async def test_each_app_counts_on_its_own_registry(app: App, chat: Chat, serve: Serve) -> None:
    other = compose(Config(), app.store, pseudonymise=PSEUDONYMS).app
    ours, theirs = serve(app).port, serve(other).port
    await chat.script("hi", "yes")
    await Chat(other, person="@bob:example.org", room="!bob").say("hi")
    assert (await samples(ours))[HANDLED] == 2
    assert (await samples(theirs))[HANDLED] == 1


async def test_only_healthz_and_metrics_are_served(app: App, serve: Serve) -> None:
    status, _, body = await get(serve(app).port, "/")
    assert status == 404 and body == b"not here: try /healthz or /metrics\n"


def test_off_unless_configured(app: App) -> None:
    assert isinstance(app.tally, Metrics)
    for settings in (None, MetricsConfig(enabled=False)):
        assert serve_ops(settings, app.tally, Health(app.store), app.store, list) is None
    assert Config().metrics is None
    assert parse_config({"metrics": {}}).metrics == MetricsConfig(host="127.0.0.1", port=9464)


@pytest.mark.parametrize(("section", "key", "problem"), [
    ({"port": 70000}, "metrics.port", "less than or equal to 65535 (got 70000)"),
    ({"port": "ninety"}, "metrics.port", "valid integer"),
    ({"host": "localhost"}, "metrics.host", "should be an IP address to listen on, like "
     "127.0.0.1 (this machine only) or 0.0.0.0 (every interface) (got 'localhost')"),
    ({"enabled": "maybe"}, "metrics.enabled", "valid boolean"),
    ({"prot": 9464}, "metrics.prot", "is not a known setting (check the spelling)"),
])
def test_a_bad_metrics_setting_is_named(section: dict[str, object], key: str,
                                        problem: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse_config({"metrics": section})
    [error] = caught.value.errors
    assert error.key == key and problem in error.problem


async def test_a_port_in_use_is_named(app: App) -> None:
    assert isinstance(app.tally, Metrics)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as caught:
            serve_ops(MetricsConfig(port=port), app.tally, Health(app.store), app.store, list)
    assert caught.value.key == "metrics.port"
    assert caught.value.problem.startswith(f"cannot listen on 127.0.0.1:{port} (")


def test_storyloop_run_metrics_port_overrides_the_config() -> None:
    config = parse_config({"storage": {"url": "sqlite:///x.db"},
                           "metrics": {"host": "0.0.0.0", "enabled": False}})
    given = with_metrics_port(config, 9461)
    assert given.metrics == MetricsConfig(enabled=True, host="0.0.0.0", port=9461)
    assert given.storage == config.storage and with_metrics_port(config, None) is config
    assert with_metrics_port(Config(), 9462).metrics == MetricsConfig(port=9462)
    with pytest.raises(ConfigErrors) as caught:
        with_metrics_port(Config(), 99999)
    assert [error.key for error in caught.value.errors] == ["metrics.port"]


def test_storyloop_run_slack_port_overrides_the_config_for_http_mode_only() -> None:
    slack = {"mode": "http", "port": 3000, "bot_token_env": "T", "signing_secret_env": "S"}
    config = parse_config({"slack": slack})
    given = with_slack_port(config, 3002)
    assert given.slack is not None and config.slack is not None
    assert given.slack.port == 3002
    assert given.slack.model_copy(update={"port": 3000}) == config.slack
    assert with_slack_port(config, None) is config
    with pytest.raises(ConfigErrors) as caught:
        with_slack_port(config, 99999)
    assert [error.key for error in caught.value.errors] == ["slack.port"]
    for without in (Config(), parse_config({"slack": {**slack, "mode": "socket"}})):
        with pytest.raises(ConfigError) as refused:
            with_slack_port(without, 3002)
        assert refused.value.key == "slack.port" and "mode = \"http\"" in str(refused.value)


def test_storyloop_run_names_a_metrics_port_in_use(tmp_path: Path) -> None:
    config = tmp_path / "storyloop.toml"
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret",
           "STORYLOOP_SECRET": "a pseudonym key for this test only"}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "run.db"}"\n'
                          '[slack]\nmode = "http"\nport = 0\napi_url = "http://127.0.0.1:9/"\n'
                          f"[metrics]\nport = {port}\n")
        ran = subprocess.run([str(Path(sys.executable).with_name("storyloop")), "--config",
                              str(config), "run"], capture_output=True, text=True, env=env,
                             timeout=120, stdin=subprocess.DEVNULL)
    assert ran.returncode == 2
    assert ran.stderr.endswith(f"storyloop: the config has a problem:\nmetrics.port: cannot "
                               f"listen on 127.0.0.1:{port} (Address already in use); choose "
                               "another port\n")
