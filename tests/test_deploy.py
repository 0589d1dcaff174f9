"""The deployment files in deploy/ parse and agree with what exists: the compose file and
the systemd unit start ``storyloop ... run`` with the one config that is in the repository,
on the ports that config names; the unit passes ``systemd-analyze verify``."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

from bot.core.config import parse_config

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
CONFIG_PATH = "/etc/storyloop/storyloop.toml"
RUN = ["--config", CONFIG_PATH, "run"]
STORYLOOP = Path(sys.executable).with_name("storyloop")


def compose() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return found


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string((DEPLOY / "storyloop@.service").read_text())
    return parser


def the_config() -> dict[str, Any]:
    return tomllib.loads((DEPLOY / "storyloop.toml").read_text())


def test_the_deploy_config_is_valid_and_names_the_postgresql_database() -> None:
    data = the_config()
    config = parse_config(data)
    assert config.storage.url == "postgresql://storyloop@db:5432/storyloop"
    assert config.storage.path is None
    assert config.slack is not None and config.slack.mode == "http"
    assert config.metrics is not None and config.metrics.enabled


def test_compose_runs_postgresql_and_two_workers_of_storyloop_run_with_one_config() -> None:
    services = compose()["services"]
    assert services["db"]["image"].startswith("postgres:")
    workers = {name: s for name, s in services.items() if name.startswith("worker-")}
    assert len(workers) == 2
    config = the_config()
    for worker in workers.values():
        assert worker["command"] == ["storyloop", *RUN]
        [mount] = worker["volumes"]
        source, target, _ = mount.split(":")
        assert target == CONFIG_PATH and (DEPLOY / source).resolve() == DEPLOY / "storyloop.toml"
        assert (DEPLOY / worker["build"]["context"] / worker["build"]["dockerfile"]).is_file()
        inside = {int(port.rsplit(":", 1)[1]) for port in worker["ports"]}
        assert inside == {config["slack"]["port"], config["metrics"]["port"]}
        assert all(port.startswith("127.0.0.1:") for port in worker["ports"])
        assert f":{config['metrics']['port']}/healthz" in str(worker["healthcheck"]["test"])
    published = [port.split(":")[1] for w in workers.values() for port in w["ports"]]
    assert len(set(published)) == len(published)  # no two workers on one host port


def test_the_image_holds_every_package_and_runs_the_same_command() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    copied = re.findall(r"^COPY (.+) \S+$", dockerfile, re.MULTILINE)
    sources = {name for line in copied for name in line.split()}
    assert all((ROOT / name).exists() for name in sources)
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]["find"]["include"]
    assert {p.rstrip("*") for p in packages} <= sources
    assert f'CMD ["storyloop", "--config", "{CONFIG_PATH}", "run"]' in dockerfile


def test_the_systemd_unit_runs_instances_of_storyloop_run_with_one_config() -> None:
    service = unit()["Service"]
    command = shlex.split(service["ExecStart"])
    assert Path(command[0]).name == "storyloop"
    # instance N: /metrics on 946N, Slack's requests on 300N
    assert command[1:] == [*RUN, "--metrics-port", "946%i", "--slack-port", "300%i"]
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_storyloop_run_takes_the_units_metrics_port() -> None:
    shown = subprocess.run([str(STORYLOOP), "run", "--help"], capture_output=True, text=True,
                           check=True, timeout=60).stdout
    assert "--metrics-port PORT" in shown and "--slack-port PORT" in shown


def test_systemd_finds_nothing_wrong_with_the_unit(tmp_path: Path) -> None:
    """As installed: the ExecStart binary made this checkout's, which systemd checks exists
    (scripts/test installs systemd-analyze where it is missing)."""
    assert shutil.which("systemd-analyze"), "run scripts/install-systemd-analyze first"
    text = (DEPLOY / "storyloop@.service").read_text()
    [binary] = re.findall(r"^ExecStart=(\S+)", text, re.MULTILINE)
    (tmp_path / "storyloop@.service").write_text(text.replace(binary, str(STORYLOOP)))
    found = subprocess.run(["systemd-analyze", "verify", "storyloop@1.service"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (found.returncode, found.stdout + found.stderr) == (0, "")
