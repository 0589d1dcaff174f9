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


Allowed = Callable[[Platform, UserId], bool]


@dataclass(frozen=True)
class Command:
    name: str
    """One word (``status``), or two for an action of another command (``story respond``)."""
    summary: str
    handler: Handler
    moderators_only: bool = True
    allowed: Allowed | None = None
    """Who else may use it besides moderators (responders): its handler checks the rest."""

    def permits(self, platform: Platform, user: UserId, is_moderator: bool) -> bool:
        if is_moderator or not self.moderators_only:
            return True
        return self.allowed is not None and self.allowed(platform, user)


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
        return self._split(text)[0] in self._commands

    async def dispatch(self, msg: IncomingMessage) -> list[OutgoingMessage]:
        name, args = self._split(msg.text)
        command = self._commands.get(name)
        is_moderator = (msg.platform, msg.sender_id) in self.moderators
        who = (msg.platform, msg.sender_id, is_moderator)
        if command is None:
            text = say("command.unknown", name=name, help=self._help(*who))
        elif not command.permits(*who):
            text = say("command.moderators_only", name=name, help=self._help(*who))
        else:
            text = await command.handler(CommandContext(msg, args, is_moderator,
                                                        self.prefix(msg.platform)))
        return [OutgoingMessage(room_id=msg.room_id, text=text)]

    def _help(self, platform: Platform | None, user: UserId | None, is_moderator: bool) -> str:
        usable = [c for c in self._commands.values() if is_moderator or not c.moderators_only
                  or (platform is not None and user is not None
                      and c.permits(platform, user, is_moderator))]
        return say("command.help", commands="; ".join(f"{c.name}: {c.summary}" for c in usable))

    def help_text(self, is_moderator: bool, platform: Platform | None = None,
                  user: UserId | None = None) -> str:
        return self._help(platform, user, is_moderator)

    def _split(self, text: str) -> tuple[str, str]:
        """The command's name (two words if a two-word command has them) and its arguments."""
        first, _, rest = text.strip().partition(" ")
        second, _, tail = rest.strip().partition(" ")
        pair = f"{first.casefold()} {second.casefold()}"
        if second and pair in self._commands:
            return pair, tail.strip()
        return first.casefold(), rest.strip()


def builtin_commands(commands: Commands, store: Stories, clock: Clock) -> Commands:
    """``help`` and ``status``; the digest and moderation commands add themselves later."""
    started = clock.now()

    async def help_(ctx: CommandContext) -> str:
        return commands.help_text(ctx.is_moderator, ctx.message.platform,
                                  ctx.message.sender_id)

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
