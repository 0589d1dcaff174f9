"""The ``storyloop`` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.core import storage_url
from bot.core.config import Config, ConfigErrors, load_config
from bot.core.errors import ConfigError, StorageError
from bot.core.types import StoryStatus
from bot.features.export import FORMATS, Answered, export_audit, export_stories, public_view
from storage.open import open_store

DEFAULT_CONFIG = Path("storyloop.toml")
AUDIT_LIMIT = 1_000_000


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check-config":
        _start_logging(args, None)
        return _check_config(args.path)
    try:
        config = load_config(_config_path(getattr(args, "config", None)))
    except ConfigErrors as exc:
        print(f"storyloop: the config has a problem:\n{exc}", file=sys.stderr)
        return 2
    _start_logging(args, config)
    try:
        return int(asyncio.run(_COMMANDS[args.command](config, args)))
    except ConfigError as exc:
        print(f"storyloop: the config has a problem:\n{exc}", file=sys.stderr)
        return 2
    except StorageError as exc:  # a server not reached, a schema too new: said, not a trace
        print(f"storyloop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if args.command != "chat":
            raise
        print("\n" + _chat_words(config, "terminal.goodbye"))  # Ctrl-C while the bot was busy
        return 0


CHATTY_LIBRARIES = ("nio", "transitions")
"""Libraries that log at INFO for every event and every step of a flow ("handling event of
type RoomMessageText", "Finished processing state ... callbacks"): three lines a message
that no one reads. Their warnings are kept; ``STORYLOOP_LOG=DEBUG`` shows everything."""


def _start_logging(args: argparse.Namespace, config: Config | None) -> None:
    default_level = "INFO" if args.command == "run" else "WARNING"
    level = os.environ.get("STORYLOOP_LOG", default_level)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        handlers=[_log_handler(args, config)])
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for library in CHATTY_LIBRARIES:
            logging.getLogger(library).setLevel(logging.WARNING)


def _log_handler(args: argparse.Namespace, config: Config | None) -> logging.Handler:
    """Where log records go: never into a person's chat. ``chat`` writes them beside the
    database (nowhere for a store in memory), or to stderr with ``--verbose``; every other
    command writes them to stderr."""
    if config is None or args.command != "chat" or args.verbose:
        return logging.StreamHandler()
    if config.storage.path is None:
        return logging.NullHandler()
    config.storage.path.parent.mkdir(parents=True, exist_ok=True)
    return logging.FileHandler(f"{config.storage.path}.log", encoding="utf-8", delay=True)


def _parser() -> argparse.ArgumentParser:
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                        help="config file (default: storyloop.toml if it exists, else the "
                        "embedded defaults)")
    parser = argparse.ArgumentParser(prog="storyloop", description=__doc__, parents=[config])
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, parents=[config])

    chat = command("chat", "tell a story in the terminal")
    chat.add_argument("--as", dest="person", default=getpass.getuser(),
                      help="who is typing (default: your login name)")
    chat.add_argument("--verbose", action="store_true",
                      help="show log messages on stderr (by default they go to the database "
                      "file's name plus .log, out of the conversation)")
    stories = command("stories", "list the stored stories")
    stories.add_argument("--status", choices=[s.value for s in StoryStatus])
    export = command("export", "write the stored stories as JSON, CSV or markdown")
    export.add_argument("--format", choices=FORMATS, default="json")
    export.add_argument("--status", choices=[s.value for s in StoryStatus])
    export.add_argument("--audit", action="store_true",
                        help="write the moderation audit log instead of stories")
    export.add_argument("--since", type=_date, help="only stories told on or after DATE "
                        "(YYYY-MM-DD)")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    safeguarding = command("safeguarding", "safeguarding: try wording, and moderators' "
                           "feedback for training")
    what = safeguarding.add_subparsers(dest="action", required=True)
    trial = what.add_parser("check", help="read messages, one per line, on standard input and "
                            "print for each a JSON line: its concern (or null), whether the "
                            "rules or the model found it, and the model's score")
    trial.add_argument("--context", action="store_true", help="read the lines as one person's "
                       "messages in turn: each with the line before as context, as the bot "
                       "reads a conversation")
    feedback = what.add_parser("export-feedback", help="write alerts marked false alarm or "
                               "confirmed, and stories marked missed, redacted, as JSON lines "
                               "for the next training round")
    feedback.add_argument("--output", type=Path, help="file to write (default: standard "
                          "output)")
    run = command("run", "run the bot on the configured chat platforms")
    run.add_argument("--metrics-port", type=int, metavar="PORT",
                     help="serve /healthz and /metrics on this port, whatever [metrics] says "
                     "(its host, or 127.0.0.1): one config for several workers on one host")
    run.add_argument("--slack-port", type=int, metavar="PORT",
                     help="listen for Slack's requests (HTTP mode) on this port, whatever "
                     "[slack] port says: one config for several workers on one host")
    command("retention", "apply the retention period now (run daily by 'run')")
    check = sub.add_parser("check-config", help="check a config file and name any bad key")
    check.add_argument("path", type=Path)
    return parser


def _date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-24") from None


def _config_path(given: Path | None) -> Path | None:
    if given is not None:
        return given
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def _check_config(path: Path) -> int:
    try:
        config = load_config(path)
    except ConfigErrors as exc:
        print(f"{path} has {len(exc.errors)} problem(s):\n{exc}", file=sys.stderr)
        return 2
    print(f"{path} is fine. Database: {storage_url.shown(config.storage.url)}; "
          f"{len(config.flows.themes)} themes; idle after {config.flows.idle_timeout_minutes} min.")
    return 0


async def _chat(config: Config, args: argparse.Namespace) -> int:
    from adapters.terminal import Keyboard, Script, Terminal

    interactive = sys.stdin.isatty()
    if interactive:
        print(_chat_words(config, "terminal.banner") + "\n", flush=True)
    from bot.compose import compose  # after the banner: it takes a second to import

    store = open_store(config.storage.url)
    await store.open()
    try:
        app = compose(config, store).app
        read = Keyboard().read if interactive else Script(sys.stdin, sys.stdout).read
        await Terminal(app.handle, args.person, read, sys.stdout, interactive=interactive).run()
    finally:
        await store.close()
    if interactive:
        print(_chat_words(config, "terminal.goodbye"))
    return 0


def _chat_words(config: Config, key: str) -> str:
    """The banner or goodbye for ``storyloop chat``: their ``.memory`` form when nothing
    outlives the process, so neither promises that what was said is kept. Wrapped to fit
    the terminal."""
    from adapters.terminal import fit
    from bot.core.storage_url import InMemory, parse_storage_url, shown
    from bot.core.words import say

    if isinstance(parse_storage_url(config.storage.url), InMemory):
        return fit(say(f"{key}.memory"))
    return fit(say(key, path=config.storage.path or shown(config.storage.url)))


async def _stories(config: Config, args: argparse.Namespace) -> int:
    store = open_store(config.storage.url)
    await store.open()
    try:
        status = StoryStatus(args.status) if args.status else None
        stories = await store.list_stories(status=status)
    finally:
        await store.close()
    for story in map(public_view, stories):
        print(f"#{story.id} [{story.status}] {story.created_at:%Y-%m-%d %H:%M} "
              f"{story.role} | {_hang(story.situation)}")
        if story.tried:
            print(f"    tried ({story.tried_by or 'unknown'}): {_hang(story.tried)}")
        if story.themes:
            print(f"    themes: {', '.join(story.themes)}")
    where = config.storage.path or storage_url.shown(config.storage.url)
    print(f"{len(stories)} stor{'y' if len(stories) == 1 else 'ies'} in {where}")
    return 0


def _hang(text: str) -> str:
    """An answer told in several lines, its lines after the first indented under the entry."""
    return "\n".join(f"      {line}" if line else "" for line in text.split("\n")).lstrip()


async def _export(config: Config, args: argparse.Namespace) -> int:
    if args.audit:
        return await _export_audit(config, args)
    store = open_store(config.storage.url)
    await store.open()
    try:
        status = StoryStatus(args.status) if args.status else None
        stories = await store.list_stories(status=status, since=args.since)
        ids = [s.id for s in stories if s.id is not None]
        answered = Answered(await store.responses_to(ids), await store.changes_to(ids),
                            await store.updates_to(ids))
    finally:
        await store.close()
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            export_stories(stories, args.format, out, answered)
    else:
        export_stories(stories, args.format, sys.stdout, answered)
    return 0


async def _run(config: Config, args: argparse.Namespace) -> int:
    """A config error found while starting is named by ``main``, as for every command."""
    from bot.runner import run, with_metrics_port, with_slack_port

    await run(with_slack_port(with_metrics_port(config, args.metrics_port), args.slack_port))
    return 0


async def _export_audit(config: Config, args: argparse.Namespace) -> int:
    store = open_store(config.storage.url)
    await store.open()
    try:
        entries = list(reversed(await store.audit_entries(limit=AUDIT_LIMIT)))
    finally:
        await store.close()
    out = args.output.open("w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        export_audit(entries, args.format, out)
    finally:
        if args.output:
            out.close()
    return 0


async def _retention(config: Config, args: argparse.Namespace) -> int:
    from bot.core.clock import SystemClock
    from bot.features.retention import apply_retention

    if config.privacy.retention_days == 0:
        print("Retention is off (privacy.retention_days = 0): every story is kept.")
        return 0
    store = open_store(config.storage.url)
    await store.open()
    try:
        count = await apply_retention(store, config.privacy, SystemClock())
    finally:
        await store.close()
    print(f"{config.privacy.retention.capitalize()}d {count} stor{'y' if count == 1 else 'ies'} "
          f"older than {config.privacy.retention_days} days.")
    return 0


async def _safeguarding(config: Config, args: argparse.Namespace) -> int:
    if args.action == "check":
        return await _check_wording(config, args.context)
    from bot.features.feedback import export_feedback

    store = open_store(config.storage.url)
    await store.open()
    try:
        if args.output is None:
            count = await export_feedback(store, sys.stdout)
        else:
            with args.output.open("w", encoding="utf-8", newline="\n") as out:
                count = await export_feedback(store, out)
    finally:
        await store.close()
    print(f"{count} labelled example(s) written.", file=sys.stderr)
    return 0


async def _check_wording(config: Config, context: bool) -> int:
    """For a safeguarding lead trying wording: each line of standard input, judged as the bot
    judges a message (the deployment's rules, then the model unless the config turns it off)."""
    from bot.core.types import ConversationKey, Platform, RoomId, UserId
    from bot.features.safety import SafetyModel
    from flows.safeguarding import assess, load_rules

    rules = load_rules(config.flows.safeguarding_rules)
    model = None
    if config.flows.safeguarding_model:
        from bot.features.safeguarding_model.screen import default_screen

        model = SafetyModel(default_screen())
    person = ConversationKey(platform=Platform("check"), room_id=RoomId("!check"),
                             user_id=UserId("check"))
    for n, line in enumerate(sys.stdin):
        text = line.rstrip("\n")
        if not text.strip():
            continue
        key = person if context else person.model_copy(update={"room_id": RoomId(f"!{n}")})
        risk = assess(text, rules)
        verdict = None if model is None else await model.check(key, text.strip())
        found = verdict is not None and verdict.at_risk
        concern = risk.concern.value if risk else verdict.concern.value if found and verdict \
            else None
        print(json.dumps({"text": text, "concern": concern,
                          "source": "rules" if risk or model is None else "model",
                          "score": None if verdict is None else round(verdict.score, 4)},
                         ensure_ascii=False), flush=True)
    return 0


_COMMANDS = {"chat": _chat, "stories": _stories, "export": _export, "run": _run,
             "retention": _retention, "safeguarding": _safeguarding}


if __name__ == "__main__":
    sys.exit(main())
