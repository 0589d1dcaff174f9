"""Every flow storyloop has. Adding one is one new file in ``flows/`` and one line here.

Order matters only for first messages: the first flow whose entry claims an opening starts;
if none does, the default flow (the story) starts.
"""

from __future__ import annotations

from collections.abc import Callable

from flows.follow_up import follow_up_flow
from flows.introduction import introduction_flow
from flows.spec import FlowOptions, FlowSpec
from flows.story import story_flow
from flows.tried import tried_flow

FlowFactory = Callable[[FlowOptions], FlowSpec]

FLOWS: tuple[FlowFactory, ...] = (
    story_flow,
    tried_flow,
    follow_up_flow,
    introduction_flow,
)


def build_flows(options: FlowOptions) -> list[FlowSpec]:
    """Every registered flow, declared for this deployment's options."""
    return [make(options) for make in FLOWS]
