"""Bot commands: a registry with generated help and one permission guard.

Adapters turn their platform's command syntax (``!status``, ``/storyloop status``) into an
:class:`IncomingMessage` of kind ``COMMAND`` whose text is ``status``. Commands marked for
moderators are refused, politely, to anyone else; the check is made here, once.

Words that name a command name it as it is typed on the platform at hand: each platform's
prefix (``!`` on Matrix, ``/storyloop `` on Slack) is in ``Commands.prefixes``, set where the
bot is composed from the config, and handed to each command as ``CommandContext.prefix``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.clock import Clock
from bot.core.types import IncomingMessage, OutgoingMessage, Platform, StoryStatus, UserId
from bot.core.words import say
from storage.ports import Stories


@dataclass(frozen=True)
class CommandContext:
    message: IncomingMessage
    args: str
    is_moderator: bool
    prefix: str = ""
    """How commands start on the message's platform, to name them in replies."""


Handler = Callable[[CommandContext], Awaitable[str]]


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    handler: Handler
    moderators_only: bool = True


@dataclass
class Moderators:
    """Who may moderate, per platform (adapters may add people found through groups)."""

    members: set[tuple[Platform, UserId]] = field(default_factory=set)

    def add(self, platform: Platform, user_id: UserId) -> None:
        self.members.add((platform, user_id))

    def __contains__(self, who: tuple[Platform, UserId]) -> bool:
        return who in self.members


class Commands:
    def __init__(self, moderators: Moderators,
                 prefixes: dict[Platform, str] | None = None) -> None:
        self.moderators = moderators
        self.prefixes: dict[Platform, str] = dict(prefixes or {})
        """How a command is typed on each platform: ``!`` before ``status`` on Matrix."""
        self._commands: dict[str, Command] = {}

    def prefix(self, platform: Platform) -> str:
        return self.prefixes.get(platform, "")

    def add(self, command: Command) -> None:
        self._commands[command.name] = command

    def knows(self, text: str) -> bool:
        return _split(text)[0] in self._commands

    async def dispatch(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        name, args = _split(msg.text)
        command = self._commands.get(name)
        is_moderator = (msg.platform, msg.sender_id) in self.moderators
        if command is None:
            text = say("command.unknown", name=name, help=self._help(is_moderator))
        elif command.moderators_only and not is_moderator:
            text = say("command.moderators_only", name=name, help=self._help(is_moderator))
        else:
            text = await command.handler(CommandContext(msg, args, is_moderator,
                                                        self.prefix(msg.platform)))
        return [OutgoingMessage(room_id=msg.room_id, text=text)]

    def _help(self, is_moderator: bool) -> str:
        usable = [c for c in self._commands.values() if is_moderator or not c.moderators_only]
        return say("command.help", commands="; ".join(f"{c.name}: {c.summary}" for c in usable))

    def help_text(self, is_moderator: bool) -> str:
        return self._help(is_moderator)


def _split(text: str) -> tuple[str, str]:
    name, _, args = text.strip().partition(" ")
    return name.casefold(), args.strip()


def builtin_commands(commands: Commands, store: Stories, clock: Clock) -> Commands:
    """``help`` and ``status``; the digest and moderation commands add themselves later."""
    started = clock.now()

    async def help_(ctx: CommandContext) -> str:
        return commands.help_text(ctx.is_moderator)

    async def status(ctx: CommandContext) -> str:
        counts = await store.story_counts()
        parts = ", ".join(f"{counts.get(s, 0)} {s.value}" for s in StoryStatus)
        return say("command.status", uptime=_since(started, clock.now()), counts=parts)

    commands.add(Command("help", say("command.summary.help"), help_, moderators_only=False))
    commands.add(Command("status", say("command.summary.status"), status))
    return commands


def _since(then: datetime, now: datetime) -> str:
    minutes = int((now - then).total_seconds() // 60)
    if minutes >= 60:
        return say("command.uptime.hours", hours=minutes // 60, minutes=minutes % 60)
    return say("command.uptime.minutes", minutes=minutes)
