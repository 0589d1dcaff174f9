"""The one place ``transitions`` is used: each flow compiled once into one ``Machine``.

One cursor model is attached for good. Moving on sets the cursor to the conversation's saved
state and fires ``answer``; the machine picks the next state through the flow's guards. That
is safe because a trigger is synchronous: nothing else runs between setting the cursor and
reading it. There is never a machine per conversation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from transitions import Machine

from flows.spec import Answers, FlowSpec


class FlowError(RuntimeError):
    """A flow spec has no way out of a state: a bug in the spec, caught by its tests."""


class _Cursor:
    state: str


class CompiledFlow:
    """One flow's state machine, built once."""

    def __init__(self, spec: FlowSpec) -> None:
        self.spec = spec
        self._cursor = _Cursor()
        Machine(model=self._cursor, states=spec.state_names, initial=spec.initial,
                transitions=[dict(t) for t in spec.transitions], auto_transitions=False)

    def next_state(self, state: str, answers: Answers) -> str:
        self._cursor.state = state
        if not self._cursor.trigger("answer", answers):  # type: ignore[attr-defined]
            raise FlowError(f"flow {self.spec.name!r} has no way on from {state!r}")
        return self._cursor.state


class Flows:
    """Every flow, compiled, and which one a person's first message starts."""

    def __init__(self, specs: Sequence[FlowSpec]) -> None:
        self._compiled = {spec.name: CompiledFlow(spec) for spec in specs}
        defaults = [spec for spec in specs if spec.entry.default]
        if len(defaults) != 1 or len(self._compiled) != len(specs):
            raise FlowError("flows need unique names and exactly one default flow; got "
                            f"{[s.name for s in specs]} with defaults {[s.name for s in defaults]}")
        self.default = defaults[0]
        self._openers = [s for s in specs if s.entry.opens is not None and not s.entry.default]

    def __getitem__(self, name: str) -> CompiledFlow:
        return self._compiled[name]

    def __iter__(self) -> Iterator[FlowSpec]:
        return (flow.spec for flow in self._compiled.values())

    def opened_by(self, text: str) -> FlowSpec:
        """The flow a first message starts: the first that claims it, else the default."""
        return next((s for s in self._openers if s.entry.opens and s.entry.opens(text)),
                    self.default)
