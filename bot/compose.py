"""Composition: the one place storyloop is put together from its config.

``storyloop run``, the CLI, the test fixtures and the benches all build the bot here, so what
they run is what is deployed: the flow engine from the registered flows, the App with its
commands and features, and the background jobs on one scheduler.
"""

from __future__ import annotations

import gc
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app import App
from bot.commands import Commands, Moderators, builtin_commands
from bot.core.clock import Clock, SystemClock
from bot.core.config import Config
from bot.core.errors import ConfigError
from bot.core.types import Platform, RoomId, UserId
from bot.features.alerts import AlertDesk
from bot.features.digest.desk import DigestDesk
from bot.features.follow_ups import FollowUpDesk, UpdateDesk
from bot.features.introductions import IntroductionDesk
from bot.features.moderation import Moderation
from bot.features.privacy import Pseudonymiser, load_secret
from bot.features.responses import Responders, ResponseDesk
from bot.features.retention import apply_retention
from bot.features.safety import SafetyModel
from bot.metrics import Metrics
from bot.scheduler import Job, Scheduler
from flows.engine import FlowEngine
from flows.follow_up import FOLLOW_UP
from flows.introduction import INTRODUCTION
from flows.registry import build_flows
from flows.safeguarding import Concern, load_rules
from flows.spec import FlowOptions
from storage.base import Store

if TYPE_CHECKING:  # the model's package imports onnxruntime: only when the model is used
    from bot.features.safeguarding_model.screen import ModelScreen

MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
SWEEP = timedelta(seconds=5)
"""How often each process looks for replies left unsent (by another process that died)."""
MODEL_DIR = Path(__file__).parent / "features" / "safeguarding_model"
"""Where the safeguarding model's files are (``safeguarding_model.screen.MODEL_DIR``, which
cannot be imported without onnxruntime)."""


@dataclass
class Bot:
    """What ``storyloop run`` runs: the App, and the jobs that keep time around it."""

    app: App
    scheduler: Scheduler = field(default_factory=Scheduler)
    desk: DigestDesk | None = None
    follow_ups: FollowUpDesk | None = None
    introductions: IntroductionDesk | None = None
    metrics: Metrics = field(default_factory=Metrics)
    """What the App and the desks counted, for ``/metrics`` (``bot/ops.py``)."""


def compose(config: Config, store: Store, *, clock: Clock | None = None,
            pseudonymise: Pseudonymiser | None = None,
            moderators: Iterable[tuple[Platform, UserId]] = ()) -> Bot:
    """The bot for ``config`` on an open ``store``. Tests may give a clock, a pseudonymiser
    and moderators of their own; everything else is as deployed."""
    clock = clock or SystemClock()
    metrics = Metrics(platforms=configured_platforms(config), concerns=[c.value for c in Concern])
    app = App(store=store, engine=build_engine(config), clock=clock,
              pseudonymise=pseudonymise or Pseudonymiser(load_secret(config)),
              alert_rooms=_rooms(config, "moderator"), safety_model=_safety_model(config),
              tally=metrics)
    app.commands = builtin_commands(Commands(_moderators(config, moderators), _prefixes(config)),
                                    store, clock)
    alert_desk = AlertDesk(store, clock)
    alert_desk.register(app.commands)
    answers = ResponseDesk(store, clock, app.delivery, app.senders,
                           Responders(config.responders))
    answers.register(app.commands)
    updates = UpdateDesk(store, clock)
    updates.register(app.commands)

    async def shown_with(story_id: int) -> list[str]:
        return [*await answers.lines(story_id), *await updates.lines(story_id)]

    Moderation(store, clock, app.senders, {"missed": alert_desk.missed, "respond": answers.respond,
                                           "change": answers.change},
               shown_with=shown_with).register(app.commands)
    bot = Bot(app, Scheduler(store), metrics=metrics)
    bot.scheduler.add(Job("outbox", SWEEP, app.delivery.sweep, everywhere=True))
    follow_ups = FollowUpDesk(store, clock, config.follow_ups, app.start_flow, app.engine,
                              app.delivery, app.senders, app.locks)
    app.finishers[FOLLOW_UP] = follow_ups.finished
    bot.follow_ups = app.follow_ups = follow_ups
    bot.scheduler.add(Job("follow_ups", MINUTE, follow_ups.tick))
    introductions = IntroductionDesk(store, clock, config.follow_ups, app.start_flow,
                                     app.engine, app.delivery, app.senders, app.erasing)
    introductions.register(app.commands)
    app.finishers[INTRODUCTION] = introductions.finished
    bot.introductions = introductions
    bot.scheduler.add(Job("introductions", MINUTE, introductions.tick))
    bot.scheduler.add(Job("retention", DAY, lambda: apply_retention(store, config.privacy, clock)))
    if config.digest:
        bot.desk = DigestDesk(store, clock, config.digest, _rooms(config, "staff"),
                              app.alert_rooms, app.senders, app.publishers, tally=metrics)
        bot.desk.register(app.commands)
        bot.scheduler.add(Job("digest", MINUTE, bot.desk.tick))
    return bot


def _safety_model(config: Config) -> SafetyModel | None:
    """The safeguarding model beside the rules, unless the config turns it off. Loaded once
    per process, when the first message long enough for it comes (``SafetyModel.loaded``):
    onnxruntime, numpy and the model are not imported before."""
    if not config.flows.safeguarding_model:
        return None
    missing = [name for name in ("onnxruntime", "tokenizers", "numpy")
               if importlib.util.find_spec(name) is None]
    missing += [str(path) for path in (MODEL_DIR / "model.onnx", MODEL_DIR / "tokenizer.json")
                if not path.exists()]
    if missing:  # found now, not at the first story: the model is loaded only then
        raise ConfigError("flows.safeguarding_model", f"the safeguarding model cannot be "
                          f"loaded: {', '.join(missing)} not found (reinstall storyloop)")
    return SafetyModel(load=_load_model)


def _load_model() -> ModelScreen:
    """The model, then, as at start-up (``runner.settle_heap``), what loading it made is
    taken out of the garbage collector's sight: it lives as long as the process."""
    from bot.features.safeguarding_model.screen import default_screen  # onnxruntime: slow import

    screen = default_screen()
    gc.freeze()
    return screen


def build_engine(config: Config) -> FlowEngine:
    """Compile the registered flows once, from the configured themes and options."""
    flows = config.flows
    options = FlowOptions(themes=tuple(flows.themes), reflection=flows.reflection)
    return FlowEngine(build_flows(options),
                      idle_timeout=timedelta(minutes=flows.idle_timeout_minutes),
                      safety=load_rules(flows.safeguarding_rules), locale=flows.locale,
                      contact=flows.contact, complaints=flows.complaints)


def configured_platforms(config: Config) -> list[str]:
    """The chat platforms the config turns on (their sections' names)."""
    return [name for name in ("matrix", "slack") if getattr(config, name) is not None]


def _moderators(config: Config, extra: Iterable[tuple[Platform, UserId]]) -> Moderators:
    moderators = Moderators(set(extra))
    for platform, users in (("matrix", config.matrix.moderators if config.matrix else []),
                            ("slack", config.slack.moderators if config.slack else [])):
        for user in users:
            moderators.add(Platform(platform), UserId(user))
    return moderators


SLACK_COMMAND = "/storyloop "
"""How a command is typed on Slack: the slash command ``adapters/slack.py`` registers."""


def _prefixes(config: Config) -> dict[Platform, str]:
    """How commands are typed on each configured platform, so replies can name them."""
    prefixes: dict[Platform, str] = {}
    if config.matrix:
        prefixes[Platform("matrix")] = config.matrix.command_prefix
    if config.slack:
        prefixes[Platform("slack")] = SLACK_COMMAND
    return prefixes


def _rooms(config: Config, kind: str) -> dict[Platform, tuple[RoomId, ...]]:
    """The moderators' or the staff rooms, per configured platform."""
    rooms: dict[Platform, tuple[RoomId, ...]] = {}
    if config.matrix:
        matrix = config.matrix
        found = matrix.moderator_rooms if kind == "moderator" else matrix.staff_rooms
        rooms[Platform("matrix")] = tuple(RoomId(r) for r in found)
    if config.slack:
        slack = config.slack
        found = slack.moderator_channels if kind == "moderator" else slack.staff_channels
        rooms[Platform("slack")] = tuple(RoomId(c) for c in found)
    return rooms
