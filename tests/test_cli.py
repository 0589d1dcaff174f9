"""The ``storyloop`` command, run as a real process against a real SQLite file (and once
against a PostgreSQL database)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.features.safeguarding_model import THRESHOLD

STORYLOOP = Path(sys.executable).with_name("storyloop")
SCRIPT = [
    "hello",
    "yes",
    "yes",
    "Our ward's handovers kept missing allergies.",
    "We started a two-minute huddle at every shift change.",
    "No missed allergies in three months.",
    "Share the huddle card with other wards.",
    "no",
    "1, safety",
    "Ward 7",
    "staff",
    "none",
    "yes",
]


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "storyloop.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "stories.db"}"\n')
    return path


def storyloop(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(STORYLOOP), *args], input=stdin, capture_output=True,
                          text=True, timeout=60, check=False)


def test_a_scripted_conversation_is_stored_and_listed(config_file: Path) -> None:
    chat = storyloop("--config", str(config_file), "chat", "--as", "sam",
                     stdin="\n".join(SCRIPT) + "\n")
    assert chat.returncode == 0, chat.stderr
    assert "Shall we start?" in chat.stdout and "your story is saved" in chat.stdout
    assert "  1. Yes, let's start" in chat.stdout
    listed = storyloop("--config", str(config_file), "stories")
    assert "Our ward's handovers kept missing allergies." in listed.stdout
    assert "tried (my team): We started a two-minute huddle" in listed.stdout
    assert "1 story in" in listed.stdout
    exported = json.loads(storyloop("--config", str(config_file), "export").stdout)
    assert exported[0]["themes"] == ["access", "safety"] and exported[0]["place"] == "Ward 7"
    assert "sam" not in json.dumps(exported)


def test_a_story_told_over_postgresql_is_listed_by_another_process(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLOOP_SECRET", "a key for this test only, 32 b..")
    config = tmp_path / "storyloop.toml"
    config.write_text(f'[storage]\nurl = "{postgres_url}"\n')
    for lines in (SCRIPT[:5], SCRIPT[5:]):  # stopped between the two: nothing lost
        chat = storyloop("--config", str(config), "chat", "--as", "sam",
                         stdin="\n".join(lines) + "\n")
        assert chat.returncode == 0, chat.stderr
    assert "your story is saved" in chat.stdout
    listed = storyloop("--config", str(config), "stories")
    assert "tried (my team): We started a two-minute huddle" in listed.stdout
    assert f"1 story in {postgres_url}" in listed.stdout
    assert list(tmp_path.iterdir()) == [config], "no file written beside the config"


def test_a_database_server_that_cannot_be_reached_is_said_not_traced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLOOP_SECRET", "a key for this test only, 32 b..")
    config = tmp_path / "storyloop.toml"
    config.write_text('[storage]\nurl = "postgresql://storyloop:hunter2@127.0.0.1:1/x"\n')
    listed = storyloop("--config", str(config), "stories")
    assert listed.returncode == 1
    assert listed.stderr.startswith("storyloop: cannot reach PostgreSQL database 'x' at "
                                    "127.0.0.1:1: ")
    assert "Traceback" not in listed.stderr and "hunter2" not in listed.stderr


def test_without_its_key_a_database_server_is_not_used(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYLOOP_SECRET", raising=False)
    config = tmp_path / "storyloop.toml"
    config.write_text(f'[storage]\nurl = "{postgres_url}"\n')
    chat = storyloop("--config", str(config), "chat", "--as", "sam", stdin="hello\n")
    assert chat.returncode == 2
    assert "privacy.secret_env (STORYLOOP_SECRET): must be set" in chat.stderr


def test_stopping_between_runs_loses_nothing(config_file: Path) -> None:
    storyloop("--config", str(config_file), "chat", "--as", "sam",
              stdin="\n".join(SCRIPT[:5]) + "\n")
    second = storyloop("--config", str(config_file), "chat", "--as", "sam",
                       stdin="\n".join(SCRIPT[5:]) + "\n")
    assert "your story is saved" in second.stdout
    listed = storyloop("--config", str(config_file), "stories")
    assert "two-minute huddle" in listed.stdout and "1 story in" in listed.stdout


async def test_a_killed_chat_continues_where_it_was(config_file: Path) -> None:
    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            str(STORYLOOP), "--config", str(config_file), "chat", "--as", "kim",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})

    async def say(proc: asyncio.subprocess.Process, line: str, expect: str) -> None:
        assert proc.stdin and proc.stdout
        proc.stdin.write(f"{line}\n".encode())
        await proc.stdin.drain()
        seen = ""
        while expect not in seen:  # wait for the bot's answer, line by line
            chunk = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert chunk, f"storyloop exited before saying {expect!r}; it said {seen!r}"
            seen += chunk.decode()

    first = await start()
    for line, expect in zip(SCRIPT[:4], ["Shall we start?", "Is that OK?",
                                         "What's been happening?", "tried something"],
                            strict=True):
        await say(first, line, expect)
    first.kill()  # no goodbye: the process we started dies mid-conversation
    await first.wait()
    second = await start()
    await say(second, SCRIPT[4], "What happened after that?")
    for line in SCRIPT[5:-1]:
        await say(second, line, "\n\n")
    await say(second, "yes", "your story is saved")
    assert second.stdin
    second.stdin.close()
    assert await second.wait() == 0
    listed = storyloop("--config", str(config_file), "stories")
    assert "handovers kept missing allergies" in listed.stdout


def test_check_config_names_the_bad_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[flows]\nidle_timeout_minutes = "soon"\nthemse = ["x"]\n')
    result = storyloop("check-config", str(bad))
    assert result.returncode == 2
    assert "flows.idle_timeout_minutes: Input should be a valid integer" in result.stderr
    assert "flows.themse: is not a known setting" in result.stderr


def test_check_config_names_a_storage_url_it_cannot_open(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[storage]\nurl = "postgresql://storyloop:hunter2@db"\n')
    result = storyloop("check-config", str(bad))
    assert result.returncode == 2
    assert ("storage.url: 'postgresql://storyloop:***@db' names no database"
            in result.stderr)
    assert "hunter2" not in result.stderr
    good = tmp_path / "good.toml"
    good.write_text('[storage]\nurl = "memory://"\n')
    assert "Database: memory://;" in storyloop("check-config", str(good)).stdout
    server = tmp_path / "server.toml"
    server.write_text('[storage]\nurl = "postgresql://storyloop:hunter2@db/storyloop"\n')
    assert ("Database: postgresql://storyloop:***@db/storyloop;"
            in storyloop("check-config", str(server)).stdout)


def test_the_example_config_is_valid() -> None:
    example = Path(__file__).parents[1] / "config.example.toml"
    result = storyloop("check-config", str(example))
    assert result.returncode == 0, result.stderr
    assert "is fine" in result.stdout


def test_csv_export_defuses_formulas(config_file: Path) -> None:
    script = list(SCRIPT)
    script[3] = "=HYPERLINK(\"http://evil\") the phones never work"
    storyloop("--config", str(config_file), "chat", "--as", "sam", stdin="\n".join(script))
    csv_text = storyloop("--config", str(config_file), "export", "--format", "csv").stdout
    assert "'=HYPERLINK" in csv_text


def test_run_with_no_platform_configured_says_what_to_do(config_file: Path) -> None:
    result = storyloop("--config", str(config_file), "run")
    assert result.returncode == 2
    assert "no chat platform is configured" in result.stderr


def test_run_names_a_missing_secret(tmp_path: Path) -> None:
    config = tmp_path / "matrix.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "s.db"}"\n[matrix]\n'
                      'homeserver = "http://127.0.0.1:9"\nuser_id = "@bot:example.org"\n'
                      f'password_env = "STORYLOOP_UNSET_SECRET"\nstore_path = "{tmp_path}"\n')
    result = storyloop("--config", str(config), "run")
    assert result.returncode == 2
    assert ("matrix.password_env: the environment variable STORYLOOP_UNSET_SECRET is not set"
            in result.stderr)


def test_check_config_explains_matrix_ids_and_urls(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[matrix]\nhomeserver = "localhost:8008"\nuser_id = "storyloop"\n')
    result = storyloop("check-config", str(bad))
    assert "matrix.homeserver: should be the homeserver's URL" in result.stderr
    assert "matrix.user_id: should be the bot's full Matrix id" in result.stderr


def test_export_markdown_since_a_date_for_board_papers(config_file: Path) -> None:
    storyloop("--config", str(config_file), "chat", "--as", "sam", stdin="\n".join(SCRIPT))
    md = storyloop("--config", str(config_file), "export", "--format", "md").stdout
    assert md.startswith("# Stories (1)")
    assert "- **What was tried:** We started a two-minute huddle" in md
    later = storyloop("--config", str(config_file), "export", "--format", "md",
                      "--since", "2999-01-01").stdout
    assert later.startswith("# Stories (0)")
    bad = storyloop("--config", str(config_file), "export", "--since", "last week")
    assert bad.returncode == 2 and "is not a date like" in bad.stderr


def test_config_can_follow_the_command(config_file: Path) -> None:
    storyloop("--config", str(config_file), "chat", "--as", "sam", stdin="\n".join(SCRIPT))
    after = storyloop("stories", "--config", str(config_file))
    assert after.returncode == 0 and "1 story in" in after.stdout


def test_export_audit_writes_the_log_of_actions(config_file: Path) -> None:
    storyloop("--config", str(config_file), "chat", "--as", "sam",
              stdin="\n".join([*SCRIPT, "forget me", "yes"]))
    log = json.loads(storyloop("export", "--audit", "--config", str(config_file)).stdout)
    assert [(e["actor"], e["action"]) for e in log] == [("storyteller", "erasure")]
    csv_text = storyloop("export", "--audit", "--format", "csv", "--config",
                         str(config_file)).stdout
    assert csv_text.splitlines()[0] == "id,at,actor,action,target,reason"


def test_a_short_pseudonym_key_is_named_not_a_traceback(config_file: Path) -> None:
    env = {**os.environ, "STORYLOOP_SECRET": "too short"}
    result = subprocess.run([str(STORYLOOP), "--config", str(config_file), "run"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert ("privacy.secret_env (STORYLOOP_SECRET): the pseudonym key must be at least 16 bytes"
            in result.stderr)


def test_a_piped_chat_logs_beside_the_database_not_in_the_chat(config_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STORYLOOP_SECRET"}
    chat = subprocess.run([str(STORYLOOP), "--config", str(config_file), "chat"],
                          input="hello\n", capture_output=True, text=True, timeout=60,
                          check=False, env=env)
    assert "Shall we start?" in chat.stdout
    warning = "STORYLOOP_SECRET is not set: made a pseudonym key"
    assert warning not in chat.stdout + chat.stderr
    assert warning in (config_file.parent / "stories.db.log").read_text()


def test_chat_names_a_short_pseudonym_key_too(config_file: Path) -> None:
    env = {**os.environ, "STORYLOOP_SECRET": "too short"}
    result = subprocess.run([str(STORYLOOP), "--config", str(config_file), "chat"], env=env,
                            input="hi\n", capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "privacy.secret_env (STORYLOOP_SECRET)" in result.stderr


def test_a_safeguarding_lead_can_try_wording(config_file: Path) -> None:
    lines = ["I want to kill myself", "i have the rope in the garage", "I could murder a coffee"]
    done = storyloop("--config", str(config_file), "safeguarding", "check",
                     stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    judged = [json.loads(line) for line in done.stdout.splitlines()]
    assert [j["text"] for j in judged] == lines
    assert [(j["concern"], j["source"]) for j in judged] == [
        ("suicide", "rules"), ("suicide", "model"), (None, "model")]
    assert judged[1]["score"] >= THRESHOLD > judged[2]["score"]


def test_safeguarding_check_reads_a_conversation_with_context(config_file: Path) -> None:
    lines = ["The pharmacy gave me three months of my sleeping tablets at once.",
             "that's enough for what i have planned"]
    alone = storyloop("--config", str(config_file), "safeguarding", "check",
                      stdin="\n".join(lines) + "\n")
    together = storyloop("--config", str(config_file), "safeguarding", "check", "--context",
                         stdin="\n".join(lines) + "\n")
    assert [json.loads(line)["concern"] for line in alone.stdout.splitlines()] == [None, None]
    assert [json.loads(line)["concern"] for line in together.stdout.splitlines()] == [
        None, "suicide"]
