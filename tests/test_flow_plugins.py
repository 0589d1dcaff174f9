"""Flows are plugins: the engine runs any registered spec, a flow can be started by the bot
for a person it knows, and the registry decides which flow a first message opens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.config import Config
from bot.core.types import ConversationStatus, RoomId
from flows.engine import FlowEngine
from flows.machine import FlowError, Flows
from flows.registry import FLOWS, build_flows
from flows.spec import OUTBOUND_ONLY, AnswerKind, FlowOptions, FlowSpec, Step, go
from storage.base import Store
from tests.conftest import Chat

OPTIONS = FlowOptions(themes=tuple(Config().flows.themes))


def check_in() -> FlowSpec:
    """A flow the engine has never heard of: one question, then done, nothing recorded."""
    steps = (Step("outcome", AnswerKind.TEXT, "outcome", optional=True),)
    return FlowSpec("check_in", steps, (go("outcome", "done"),), "outcome", entry=OUTBOUND_ONLY)


@pytest.fixture
def plugged(app: App) -> App:
    app.engine = FlowEngine([*build_flows(OPTIONS), check_in()], idle_timeout=timedelta(hours=1))
    return app


async def test_the_bot_starts_a_flow_for_a_known_person_and_they_answer_it(
        plugged: App, chat: Chat, store: Store) -> None:
    replies = await plugged.start_flow(chat.key, "check_in")
    assert replies is not None and "What happened after that?" in replies[0].text
    assert replies[0].room_id == RoomId("!dm:example.org")
    saved = (await store.load_turn(chat.key, None)).conversation
    assert saved is not None and (saved.flow, saved.state) == ("check_in", "outcome")
    await chat.say("The call-back list is still going, and Mondays are calmer.")
    done = (await store.load_turn(chat.key, None)).conversation
    assert done is not None and done.status is ConversationStatus.DONE
    assert done.answers["outcome"] == "The call-back list is still going, and Mondays are calmer."
    assert await store.list_stories() == []  # the flow records nothing at its end


async def test_a_flow_is_never_started_over_a_conversation_under_way(
        plugged: App, chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes", "yes")
    assert await plugged.start_flow(chat.key, "check_in") is None
    kept = (await store.load_turn(chat.key, None)).conversation
    assert kept is not None and (kept.flow, kept.state) == ("story", "situation")
    await chat.say("pause")
    assert await plugged.start_flow(chat.key, "check_in") is None


async def test_a_flow_starts_once_the_story_is_finished(
        plugged: App, chat: Chat, clock: FakeClock) -> None:
    await chat.script("hi", "not now")
    clock.advance(days=28)
    assert await plugged.start_flow(chat.key, "check_in") is not None


async def test_an_outbound_only_flow_is_never_opened_by_a_first_message(plugged: App,
                                                                        chat: Chat) -> None:
    await chat.say("outcome")
    assert "Shall we start?" in chat.last_text


def test_the_first_claiming_flow_opens_else_the_default() -> None:
    flows = Flows(build_flows(OPTIONS))
    assert flows.opened_by("hi").name == "story"
    assert flows.opened_by("We started a walking group for people waiting for surgery").name \
        == "tried"
    assert flows.opened_by("The phone line is engaged every Monday morning at eight").name \
        == "story"


def test_there_must_be_exactly_one_default_flow() -> None:
    with pytest.raises(FlowError, match="exactly one default"):
        Flows([check_in()])
    story = build_flows(OPTIONS)[0]
    with pytest.raises(FlowError, match="exactly one default"):
        Flows([story, story])


def test_every_registered_flow_is_built_and_named_once() -> None:
    names = [spec.name for spec in build_flows(OPTIONS)]
    assert len(names) == len(FLOWS) and len(set(names)) == len(names)


def test_the_engine_names_no_step_of_any_flow() -> None:
    """What a flow needs, its spec declares: the engine source holds none of their names."""
    source = (Path(__file__).parents[1] / "flows" / "engine.py").read_text()
    steps = {step.name for spec in build_flows(OPTIONS) for step in spec.steps}
    fields = {step.field for spec in build_flows(OPTIONS) for step in spec.steps if step.field}
    named = sorted(w for w in steps | fields | {"opening", "story", "tried"}
                   if f'"{w}"' in source or f"'{w}'" in source)
    assert named == []


async def test_a_conversation_and_its_consent_record_the_locale(chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes", "yes", "The ward was short of staff all week.", "not yet",
                      "more nurses", "no", "skip", "skip", "staff", "none", "yes")
    [story] = await store.list_stories()
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None and conversation.locale == "en"
    assert story.consent.locale == "en"


def test_a_locale_without_a_catalogue_is_refused_by_name() -> None:
    from bot.core.config import ConfigErrors, parse_config

    with pytest.raises(ConfigErrors, match=r"flows\.locale.*no word catalogue for 'cy'"):
        parse_config({"flows": {"locale": "cy"}})
