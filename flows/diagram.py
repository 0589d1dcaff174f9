"""A picture of a flow, drawn from its spec as a mermaid state diagram (``docs/flows.md``)."""

from __future__ import annotations

from flows.spec import FlowSpec


def mermaid(spec: FlowSpec) -> str:
    """The flow's states and ``answer`` transitions, each labelled with its guards."""
    lines = ["stateDiagram-v2", f"    [*] --> {_id(spec.initial)}"]
    seen: set[tuple[str, str, str]] = set()
    for t in spec.transitions:
        if any(g.__name__ == "editing" for g in t["conditions"]):
            continue  # every reviewable question returns to the review when changed
        guards = " and ".join(g.__name__.lstrip("_") for g in t["conditions"])
        edge = (_id(t["source"]), _id(t["dest"]), guards)
        if edge not in seen:
            seen.add(edge)
            label = f" : {guards}" if guards else ""
            lines.append(f"    {edge[0]} --> {edge[1]}{label}")
    lines += [f"    {_id(spec.finished)} --> [*]", f"    {_id(spec.declined)} --> [*]"]
    return "\n".join(lines) + "\n"


def _id(state: str) -> str:
    return state.replace(".", "_")


def document(specs: list[FlowSpec]) -> str:
    """``docs/flows.md``: every flow, drawn. Regenerate with ``python -m flows.diagram``."""
    parts = ["# storyloop's flows\n",
             "Drawn from the flow specs registered in `flows/registry.py` by "
             "`python -m flows.diagram`; a test fails if this file is out of date. Not drawn: "
             "a question changed from the review goes straight back to the review.\n"]
    for spec in specs:
        parts.append(f"\n## `{spec.name}`\n\n```mermaid\n{mermaid(spec)}```\n")
    return "".join(parts)


if __name__ == "__main__":
    from pathlib import Path

    from bot.core.config import Config
    from flows.registry import build_flows
    from flows.spec import FlowOptions

    text = document(build_flows(FlowOptions(themes=tuple(Config().flows.themes))))
    Path(__file__).parents[1].joinpath("docs", "flows.md").write_text(text)
