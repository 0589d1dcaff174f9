"""The story shown back before it is kept, and the choice of which answer to change.

Used by the engine for any flow whose spec has a :class:`~flows.spec.Review`.
"""

from __future__ import annotations

from bot.core.types import Choice, Conversation
from flows.prompts import CHOICE_LABELS, PROMPTS
from flows.redaction import redact
from flows.spec import NOT_KNOWN, NOTHING, SAID_NO, AnswerKind, FlowSpec, Step


def in_review(spec: FlowSpec, conv: Conversation) -> list[Step]:
    """The answers a person has given or was asked for, one per label, in flow order."""
    steps: dict[str, Step] = {}
    for step in spec.reviewable:
        label = step.review_label or step.name
        answered = step.field is not None and conv.answers.get(step.field) is not None
        if label not in steps and (answered or step.name in conv.history):
            steps[label] = step
    return list(steps.values())


def review_text(spec: FlowSpec, conv: Conversation) -> str:
    """The story as others will see it, with anything identifying already hidden."""
    lines, told_above = [], set()
    for step in in_review(spec, conv):
        answer = shown_answer(conv, step) or PROMPTS["review.nothing"]
        told = conv.answers.get(step.field or "") if step.kind is AnswerKind.TEXT else None
        if isinstance(told, str) and told:
            if told in told_above:
                answer = PROMPTS["review.as_above"]  # a story that opened with what was tried
            told_above.add(told)
        lines.append(f"\u2022 {step.review_label}: {answer}")
    shown = "\n".join(lines)
    hidden = redact(shown)
    return shown if hidden == shown else f"{hidden}\n\n{PROMPTS['review.redacted']}"


def change_choices(spec: FlowSpec, conv: Conversation, step: Step) -> tuple[Choice, ...]:
    """Only the answers the review showed can be changed."""
    shown = {s.name for s in in_review(spec, conv)}
    return tuple(c for c in step.choices if c.value in shown)


def shown_answer(conv: Conversation, step: Step) -> str | None:
    """An answer as the person reads it back: choices by their labels, lists joined."""
    value = conv.answers.get(step.field) if step.field else None
    if value is None and step.field in conv.answers.get(NOT_KNOWN, ()):
        return PROMPTS["review.not_known"]
    if value is None and step.field in conv.answers.get(NOTHING, ()):
        return PROMPTS["review.nothing_yet"]
    if value is None and step.field in conv.answers.get(SAID_NO, ()):
        return PROMPTS["review.said_no"]
    if isinstance(value, list) and step.kind is AnswerKind.PICKS:
        picked = "; ".join(CHOICE_LABELS.get(str(v), str(v)) for v in value)
        return picked or PROMPTS["review.picked_nothing"]
    if isinstance(value, list):
        return ", ".join(value) or PROMPTS["review.none"]  # said none, not skipped
    if value and step.kind is AnswerKind.CHOICE:
        return CHOICE_LABELS.get(str(value), str(value))
    return str(value) if value else None
