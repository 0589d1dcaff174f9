"""The flow specs hold together: every state can be left, reached, and has words to say."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import Config
from flows.diagram import document
from flows.prompts import PROMPTS
from flows.registry import build_flows
from flows.spec import FlowOptions, FlowSpec

OPTIONS = FlowOptions(themes=tuple(Config().flows.themes))
REGISTERED = build_flows(OPTIONS)
WITHOUT_REFLECTION = build_flows(FlowOptions(themes=OPTIONS.themes, reflection=False))
SPECS = [*REGISTERED, *WITHOUT_REFLECTION]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_question_has_an_unguarded_way_on(spec: FlowSpec) -> None:
    for step in spec.steps:
        ways = [t for t in spec.transitions if t["source"] == step.name]
        assert ways and not ways[-1]["conditions"], f"{step.name} can get stuck"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_state_is_reachable_from_the_start(spec: FlowSpec) -> None:
    reached, frontier = {spec.initial}, [spec.initial]
    while frontier:
        source = frontier.pop()
        for t in spec.transitions:
            if t["source"] == source and t["dest"] not in reached:
                reached.add(t["dest"])
                frontier.append(t["dest"])
    assert {spec.finished, spec.declined} <= reached
    expected = {s.name for s in spec.steps}
    if spec in WITHOUT_REFLECTION:
        expected -= {"reflect_offer", "enhance", "restore", "replace", "become"}
    assert expected <= reached


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_state_has_words(spec: FlowSpec) -> None:
    for state in spec.state_names:
        assert f"{spec.name}.{state}" in PROMPTS or state in PROMPTS, state


def test_the_flow_pictures_are_up_to_date() -> None:
    drawn = Path(__file__).parents[1] / "docs" / "flows.md"
    assert drawn.read_text() == document(REGISTERED), "run: python -m flows.diagram"
