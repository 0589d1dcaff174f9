"""Runs conversations through compiled flows: load a record, apply one message, return the new
record, the replies and, when a story is finished, the story. No I/O happens here.

Each flow is compiled into one ``transitions.Machine`` at start-up, with one cursor model
attached for good. Applying a message sets the cursor to the conversation's saved state and
fires ``answer``; the machine picks the next state through the flow's guards. That is safe
because a trigger is synchronous: nothing else runs between setting the cursor and reading it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from transitions import Machine

from bot.core.types import (
    Choice,
    Conversation,
    ConversationKey,
    ConversationStatus,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
    Story,
)
from flows.answers import (
    Control,
    DataRequest,
    as_control,
    as_data_request,
    match_choice,
    normalise,
    read_picks,
    read_themes,
)
from flows.prompts import CHOICE_LABELS, PROMPTS, say
from flows.records import build_story
from flows.redaction import redact
from flows.safeguarding import Risk, Rules, assess, load_rules, signposting
from flows.spec import SOURCES, AnswerKind, Answers, FlowSpec, Step
from flows.steering import Label, classify
from flows.story import STORY, TRIED, choice

RESUME = (choice("carry_on", "continue", "yes", "go on", "ok"), choice("start_again", "restart"))
RESTART = (choice("restart_yes", "yes", "y", "start again"), choice("restart_no", "no", "n"))
OPENING_WORDS = 5
"""A first message at least this long is the start of a story, kept rather than ignored."""
TYPICAL_LENGTH = 12
SHORT_ANSWER = 24
SHORT_ANSWERS_KEPT = 10_000


SAFE = (choice("safe_carry_on", "carry on", "continue", "yes", "go on"),
        choice("safe_stop", "stop", "no", "stop here", "not now"))
FORGET = (choice("forget_yes", "yes", "y", "erase", "forget me"),
          choice("forget_no", "no", "n", "keep"))


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


@dataclass
class Turn:
    """What applying one message produced."""

    conversation: Conversation
    replies: list[OutgoingMessage]
    story: Story | None = None
    event_id: str | None = None
    """The message being applied, remembered against each answer it gave."""
    request: DataRequest | None = None
    """Something about the person's data for the App to do (it has the store)."""
    concern: str | None = None
    """A safeguarding concern this message raised: the App alerts the moderators."""


class FlowEngine:
    def __init__(self, flows: Sequence[FlowSpec], idle_timeout: timedelta,
                 safety: Rules | None = None) -> None:
        self.flows = {spec.name: CompiledFlow(spec) for spec in flows}
        self.idle_timeout = idle_timeout
        self.safety = safety or load_rules()
        self._short_answers: dict[str, Risk | None] = {}

    def apply(self, conv: Conversation | None, msg: IncomingMessage, now: datetime) -> Turn:
        text = msg.text.strip()
        risk = self._risk(text) if msg.kind is MessageKind.MESSAGE else None
        if risk is not None:
            return self._safeguard(conv, msg, risk.concern.value, now)
        request = as_data_request(text)
        pending = conv is not None and conv.pending is not None
        if request is not None and not pending:
            return self._about_data(conv, msg, request, now)
        if conv is not None and conv.pending:
            turn = Turn(_working_copy(conv, now), [], event_id=msg.event_id)
            self._answer_pending(turn, text, now)
            return turn
        if conv is None or conv.status in (ConversationStatus.DONE, ConversationStatus.DECLINED):
            turn = self._start(msg.key, text, now)
            if "opening" in turn.conversation.answers:
                turn.conversation.answers[SOURCES] = {"opening": msg.event_id}
            return turn
        turn = Turn(_working_copy(conv, now), [], event_id=msg.event_id)
        if self._parked(conv, now):
            self._welcome_back(turn, text, now)
        else:
            self._handle(turn, text, now)
        return turn

    def _risk(self, text: str) -> Risk | None:
        """The safeguarding check, remembered for short answers ("yes", "skip", "2"), which
        many people give; anything longer is always checked afresh."""
        if len(text) > SHORT_ANSWER:
            return assess(text, self.safety)
        if text not in self._short_answers:
            if len(self._short_answers) >= SHORT_ANSWERS_KEPT:
                self._short_answers.clear()
            self._short_answers[text] = assess(text, self.safety)
        return self._short_answers[text]

    def rejoin(self, conv: Conversation | None, msg: IncomingMessage, now: datetime) -> Turn:
        """The person (re)opened a chat with us: greet a newcomer, remind anyone mid-story
        where we were, and welcome back someone who paused."""
        if conv is None or conv.status in (ConversationStatus.DONE, ConversationStatus.DECLINED):
            return self._start(msg.key, "", now)
        turn = Turn(_working_copy(conv, now), [], event_id=msg.event_id)
        if conv.status is ConversationStatus.PAUSED and not conv.pending:
            self._welcome_back(turn, "", now)
        elif not conv.pending:
            turn.replies.append(self._prompt(turn.conversation))
        return turn

    def retract(self, conv: Conversation | None, msg: IncomingMessage,
                now: datetime) -> Turn | None:
        """The person deleted a message: forget every answer it gave (None if it gave none)."""
        sources: dict[str, str] = conv.answers.get(SOURCES, {}) if conv else {}
        fields = [f for f, event in sources.items() if event == msg.target_event_id]
        if conv is None or not fields:
            return None
        turn = Turn(_working_copy(conv, now), [])
        answers = turn.conversation.answers
        answers[SOURCES] = {f: e for f, e in sources.items() if f not in fields}
        for name in fields:
            answers.pop(name, None)
        turn.replies.append(self._say(turn.conversation, "retracted"))
        if turn.conversation.status is ConversationStatus.ACTIVE:
            turn.replies.append(self._prompt(turn.conversation))
        return turn

    # Starting, parking and resuming
    def _start(self, key: ConversationKey, text: str, now: datetime) -> Turn:
        flow = TRIED if _opens_with_attempt(text) else STORY
        answers: Answers = {"opening": text} if len(text.split()) >= OPENING_WORDS else {}
        conv = Conversation(key=key, flow=flow, state=self.flows[flow].spec.initial,
                            answers=answers, updated_at=now)
        return Turn(conv, [self._prompt(conv)])

    def _parked(self, conv: Conversation, now: datetime) -> bool:
        if conv.status == ConversationStatus.PAUSED:
            return True
        return bool(conv.history) and now - conv.updated_at > self.idle_timeout

    def _welcome_back(self, turn: Turn, text: str, now: datetime) -> None:
        conv = turn.conversation
        if as_control(text) is None and len(text.split()) >= 3:
            conv.status = ConversationStatus.ACTIVE
            turn.replies.append(self._say(conv, "resume.carry_on"))
            self._handle(turn, text, now)
            return
        conv.status, conv.pending = ConversationStatus.PAUSED, "resume"
        prompt = self._prompt(conv).text
        turn.replies.append(self._say(conv, "resume", RESUME, prompt=prompt))

    def _about_data(self, conv: Conversation | None, msg: IncomingMessage,
                    request: DataRequest, now: datetime) -> Turn:
        if conv is None:
            conv = Conversation(key=msg.key, flow=STORY, state=self.flows[STORY].spec.initial,
                                status=ConversationStatus.DONE, updated_at=now)
        turn = Turn(_working_copy(conv, now), [], event_id=msg.event_id)
        if request is DataRequest.FORGET:
            turn.conversation.pending = "forget"
            turn.replies.append(self._say(conv, "forget.confirm", FORGET))
        else:
            turn.request = request
            self._carry_on(turn)
        return turn

    def _safeguard(self, conv: Conversation | None, msg: IncomingMessage, concern: str,
                   now: datetime) -> Turn:
        """Safety over flow: stop, help at once, and carry on only if the person wants to.
        The message is not kept as an answer; the conversation is marked, so its story can
        never reach a digest."""
        if conv is None or conv.status in (ConversationStatus.DONE, ConversationStatus.DECLINED):
            conv = self._start(msg.key, "", now).conversation
        turn = Turn(_working_copy(conv, now), [], event_id=msg.event_id, concern=concern)
        turn.conversation.answers["safeguarding"] = concern
        turn.conversation.status = ConversationStatus.PAUSED
        turn.conversation.pending = "safe"
        turn.replies.append(OutgoingMessage(room_id=conv.key.room_id,
                                            text=signposting(self.safety)))
        turn.replies.append(self._say(conv, "safe.offer", SAFE))
        return turn

    def _answer_safe(self, turn: Turn, text: str, now: datetime) -> None:
        conv = turn.conversation
        picked = match_choice(text, SAFE)
        if picked is None:
            turn.replies.append(self._say(conv, "safe.offer", SAFE))
            return
        conv.pending = None
        if picked.value == "safe_stop":
            turn.replies.append(self._say(conv, "safe.stopped"))
            return
        conv.status = ConversationStatus.ACTIVE
        turn.replies.append(self._prompt(conv))

    def _carry_on(self, turn: Turn) -> None:
        """Repeat the question a conversation under way was waiting on."""
        if turn.conversation.status is ConversationStatus.ACTIVE:
            turn.replies.append(self._prompt(turn.conversation))

    def _answer_forget(self, turn: Turn, text: str) -> None:
        conv = turn.conversation
        picked = match_choice(text, FORGET)
        if picked is None:
            turn.replies.append(self._say(conv, "not_understood", FORGET))
            return
        conv.pending = None
        if picked.value == "forget_yes":
            turn.request = DataRequest.FORGET
        else:
            turn.replies.append(self._say(conv, "forget.kept"))
            self._carry_on(turn)

    def _answer_pending(self, turn: Turn, text: str, now: datetime) -> None:
        conv = turn.conversation
        if conv.pending == "forget":
            self._answer_forget(turn, text)
            return
        if conv.pending == "safe":
            self._answer_safe(turn, text, now)
            return
        options = RESUME if conv.pending == "resume" else RESTART
        picked = match_choice(text, options)
        if picked is None and conv.pending == "resume" and len(text.split()) >= 3:
            picked = options[0]
            conv.pending, conv.status = None, ConversationStatus.ACTIVE
            self._handle(turn, text, now)
            return
        if picked is None:
            turn.replies.append(self._say(conv, "not_understood", options))
            return
        conv.pending, conv.status = None, ConversationStatus.ACTIVE
        if picked.value in ("start_again", "restart_yes"):
            fresh = self._start(conv.key, "", now)
            turn.conversation, turn.replies = fresh.conversation, fresh.replies
        else:
            if picked.value == "restart_no":
                turn.replies.append(self._say(conv, "restart.kept"))
            turn.replies.append(self._prompt(conv))

    # Commands and answers
    def _handle(self, turn: Turn, text: str, now: datetime) -> None:
        command = as_control(text)
        if command is None:
            self._answer(turn, text, now)
        else:
            self._command(turn, command, now)

    def _command(self, turn: Turn, command: Control, now: datetime) -> None:
        conv = turn.conversation
        step = self._step(conv)
        if command is Control.HELP:
            turn.replies += [self._say(conv, "help"), self._prompt(conv)]
        elif command is Control.BACK:
            self._back(turn)
        elif command is Control.SKIP and step.optional:
            turn.replies.append(self._say(conv, "skip.done"))
            self._record(turn, step, None, now)
        elif command is Control.SKIP:
            turn.replies += [self._say(conv, "skip.required"), self._prompt(conv)]
        elif command is Control.PAUSE:
            conv.status = ConversationStatus.PAUSED
            turn.replies.append(self._say(conv, "pause"))
        elif command is Control.RESTART:
            conv.pending = "restart"
            turn.replies.append(self._say(conv, "restart.confirm", RESTART))
        else:
            number = len(conv.history) + 1
            total = max(TYPICAL_LENGTH, number)
            prompt = self._prompt(conv).text
            turn.replies.append(self._say(conv, "status", number=number, total=total,
                                          prompt=prompt))

    def _back(self, turn: Turn) -> None:
        conv = turn.conversation
        if not conv.history:
            turn.replies += [self._say(conv, "back.start"), self._prompt(conv)]
            return
        conv.state, conv.editing = conv.history.pop(), False
        previous = self._shown_answer(conv, self._step(conv))
        if previous:
            turn.replies.append(self._say(conv, "back.previous", previous=previous))
        turn.replies.append(self._prompt(conv))

    def _answer(self, turn: Turn, text: str, now: datetime) -> None:
        conv = turn.conversation
        step = self._step(conv)
        value, problem = self._read(conv, step, text)
        if problem:
            turn.replies += [self._say(conv, problem), self._prompt(conv)]
            return
        self._record(turn, step, value, now)

    def _read(self, conv: Conversation, step: Step, text: str) -> tuple[Any, str | None]:
        if not text:
            return None, "empty"
        if step.kind is AnswerKind.TEXT:
            return text, None
        if step.kind is AnswerKind.THEMES:
            themes = read_themes(text, [c.label for c in step.choices])
            return themes, (None if themes else "themes.none")
        if step.kind is AnswerKind.PICKS:
            picks = read_picks(text, step.choices)
            return ([p for p in picks if p != "none"], None) if picks is not None else (
                None, "not_understood")
        picked = match_choice(text, self._choices(conv, step))
        return (picked.value, None) if picked else (None, "not_understood")

    def _record(self, turn: Turn, step: Step, value: Any, now: datetime) -> None:
        conv = turn.conversation
        if step.field:
            conv.answers[step.field] = value
            conv.answers[SOURCES] = {**conv.answers.get(SOURCES, {}), step.field: turn.event_id}
        if step.field == "consent" and value == "yes":
            conv.answers["consent_at"] = now.isoformat()
        if step.extract:
            step.extract(conv.answers, value)
        view = {**conv.answers, "_choice": value, "_editing": conv.editing}
        dest = self.flows[conv.flow].next_state(conv.state, view)
        self._move(turn, dest, now)

    def _move(self, turn: Turn, dest: str, now: datetime) -> None:
        conv = turn.conversation
        spec = self.flows[conv.flow].spec
        if conv.state != dest:
            conv.history.append(conv.state)
        conv.editing = conv.state == "change" or (conv.editing and dest != "review")
        conv.state = dest
        if dest == spec.finished:
            conv.status = ConversationStatus.DONE
            turn.story = build_story(conv, now)
        elif dest == spec.declined:
            conv.status, conv.answers = ConversationStatus.DECLINED, {}
        turn.replies.append(self._prompt(conv))

    # Words
    def _step(self, conv: Conversation) -> Step:
        return self.flows[conv.flow].spec.step(conv.state)

    def _choices(self, conv: Conversation, step: Step) -> tuple[Choice, ...]:
        if step.name == "change":
            shown = {s.name for s in self._in_review(conv)}
            return tuple(c for c in step.choices if c.value in shown)
        return step.choices

    def _in_review(self, conv: Conversation) -> list[Step]:
        """The answers a person has given or was asked for, one per label, in flow order."""
        steps: dict[str, Step] = {}
        for step in self.flows[conv.flow].spec.reviewable:
            label = step.review_label or step.name
            answered = step.field is not None and conv.answers.get(step.field) is not None
            if label not in steps and (answered or step.name in conv.history):
                steps[label] = step
        return list(steps.values())

    def _prompt(self, conv: Conversation) -> OutgoingMessage:
        spec = self.flows[conv.flow].spec
        key = next(k for k in self._prompt_keys(conv) if k in PROMPTS)
        if conv.state in (spec.finished, spec.declined):
            return self._say(conv, key)
        step = spec.step(conv.state)
        values: dict[str, object] = {"opening": conv.answers.get("opening", "")}
        if conv.state == "review":
            values["story"] = self.review(conv)
        return OutgoingMessage(room_id=conv.key.room_id, text=say(key, **values),
                               choices=self._choices(conv, step),
                               multiple=step.kind in (AnswerKind.THEMES, AnswerKind.PICKS))

    def _prompt_keys(self, conv: Conversation) -> list[str]:
        keys = [f"{conv.flow}.{conv.state}", conv.state]
        return [f"{conv.state}.opening", *keys] if "opening" in conv.answers else keys

    def _say(self, conv: Conversation, key: str, choices: Sequence[Choice] = (),
             **values: object) -> OutgoingMessage:
        return OutgoingMessage(room_id=conv.key.room_id, text=say(key, **values),
                               choices=tuple(choices))

    def review(self, conv: Conversation) -> str:
        """The story as others will see it, with anything identifying already hidden."""
        lines = [f"\u2022 {step.review_label}: "
                 f"{self._shown_answer(conv, step) or PROMPTS['review.nothing']}"
                 for step in self._in_review(conv)]
        shown = "\n".join(lines)
        hidden = redact(shown)
        return shown if hidden == shown else f"{hidden}\n\n{PROMPTS['review.redacted']}"

    def _shown_answer(self, conv: Conversation, step: Step) -> str | None:
        value = conv.answers.get(step.field) if step.field else None
        if isinstance(value, list) and step.kind is AnswerKind.PICKS:
            return "; ".join(CHOICE_LABELS.get(str(v), str(v)) for v in value) or "nothing more"
        if isinstance(value, list):
            return ", ".join(value) or None
        if value and step.kind is AnswerKind.CHOICE:
            return CHOICE_LABELS.get(str(value), str(value))
        return str(value) if value else None

def _working_copy(conv: Conversation, now: datetime) -> Conversation:
    """A copy to change freely: answers are replaced, never mutated in place, so one level
    of copying is enough."""
    return conv.model_copy(update={"answers": dict(conv.answers), "history": list(conv.history),
                                   "updated_at": now})


def _opens_with_attempt(text: str) -> bool:
    if normalise(text) in ("tried", "share", "we tried something"):
        return True
    return len(text.split()) >= OPENING_WORDS and classify(text) is not Label.PROBLEM
