"""Runs conversations through compiled flows: load a record, apply one message, return the new
record, the replies and, when a flow finishes, what it records. No I/O happens here.

The engine knows no flow's step names. What a flow needs (how it is entered, whether it has a
review, what it keeps at the end) its spec declares; the always-on words are a table
(``flows/controls.py``), and so are the bot's own yes/no questions (``flows/interrupts.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.core.types import (
    Choice,
    Conversation,
    ConversationKey,
    ConversationStatus,
    IncomingMessage,
    MessageKind,
    OutgoingMessage,
)
from flows.answers import DataRequest, as_data_request
from flows.asked import asked_at
from flows.interrupts import (
    FORGET,
    INTERRUPTS,
    OWN_WORDS,
    RESUME,
    SAFE,
    Interrupt,
    answer_interrupt,
)
from flows.machine import Flows
from flows.prompts import PROMPTS, say
from flows.readings import READINGS
from flows.review import change_choices, review_text, shown_answer
from flows.safeguarding import Rules, Screen, load_rules, signposting
from flows.spec import (
    ABOUT,
    CONCERN,
    HELD_AT_ALERT,
    MISSES,
    NOT_KNOWN,
    NOTHING,
    OPENING_WORDS,
    PARKED,
    RETURNING,
    SAID_NO,
    SOURCES,
    AnswerKind,
    FlowSpec,
    Step,
    hold_opening,
)
from flows.turn import Turn, working_copy
from flows.understanding import ANSWERS, Reading, Understood, understand

ACTIVE, PAUSED = ConversationStatus.ACTIVE, ConversationStatus.PAUSED
ENDED = (ConversationStatus.DONE, ConversationStatus.DECLINED)




class FlowEngine:
    def __init__(self, flows: Sequence[FlowSpec], idle_timeout: timedelta,
                 safety: Rules | None = None, locale: str = "en", contact: str | None = None,
                 complaints: str | None = None) -> None:
        self.flows = Flows(flows)
        self.contact = contact
        """A person to contact, offered to someone who is stuck (None: none offered)."""
        self.complaints = complaints
        """Where complaints go, told to someone who wants to complain (None: PALS)."""
        self.locale = locale
        """The language new conversations are held in."""
        self.idle_timeout = idle_timeout
        self.safety = safety or load_rules()
        self.screen = Screen(self.safety)

    # What the App calls
    def apply(self, conv: Conversation | None, msg: IncomingMessage, now: datetime,
              flagged: str | None = None) -> Turn:
        """Apply one message. ``flagged``: a concern the safeguarding model found in it (the
        rules are checked here, and a rule hit always counts)."""
        text = msg.text.strip()
        risk = self.screen(text) if msg.kind is MessageKind.MESSAGE else None
        concern = risk.concern.value if risk is not None else flagged
        if concern is not None:
            return self._safeguard(conv, msg, concern, now)
        request = as_data_request(text)
        if request is not None and (conv is None or conv.pending is None):
            return self._about_data(conv, msg, request, now)
        if conv is None or self.ended(conv):
            return self.start(msg.key, self.flows.opened_by(text), now, text, msg.event_id,
                              returning=_returning(conv))
        turn = Turn(working_copy(conv, now), [], event_id=msg.event_id)
        if conv.pending:
            answer_interrupt(self, turn, text, now)
        elif self._parked(conv, now):
            self._welcome_back(turn, text, now)
        else:
            self.handle(turn, text, now)
        return turn

    def start(self, key: ConversationKey, spec: FlowSpec, now: datetime, text: str = "",
              event_id: str | None = None, returning: bool = False,
              given: Mapping[str, Any] | None = None) -> Turn:
        """A new conversation in ``spec``'s flow, its first question asked (to someone who
        has told a story before, ``returning``, in the words for them). ``given``: answers
        known before it starts (what an outbound flow is about)."""
        kept = spec.entry.keeps_opening
        answers: dict[str, Any] = {RETURNING: True} if returning else {}
        answers.update(given or {})
        if kept and len(text.split()) >= OPENING_WORDS:
            hold_opening(answers, kept, text, event_id)
        conv = Conversation(key=key, flow=spec.name, state=spec.initial, answers=answers,
                            locale=self.locale, updated_at=now)
        return Turn(conv, [self.prompt(conv)], event_id=event_id)

    def held_field(self, conv: Conversation | None) -> str | None:
        """The answers key holding a first message not yet agreed to be kept, if any."""
        return None if conv is None else self.flows[conv.flow].spec.entry.keeps_opening

    def ended(self, conv: Conversation) -> bool:
        """The conversation is over (finished or declined) and asks nothing more."""
        return conv.status in ENDED and not conv.pending

    def rejoin(self, conv: Conversation | None, msg: IncomingMessage, now: datetime) -> Turn:
        """The person (re)opened a chat with us: greet a newcomer, remind anyone mid-story
        where we were, and welcome back someone who paused."""
        if conv is None or self.ended(conv):
            return self.start(msg.key, self.flows.default, now, returning=_returning(conv))
        turn = Turn(working_copy(conv, now), [], event_id=msg.event_id)
        if conv.pending:
            self.ask(turn, INTERRUPTS[conv.pending], prompt=self.prompt(conv).text)
        elif conv.status is PAUSED:
            self._welcome_back(turn, "", now)
        else:
            turn.replies.append(self.prompt(turn.conversation))
        return turn

    def retract(self, conv: Conversation | None, msg: IncomingMessage,
                now: datetime) -> Turn | None:
        """The person deleted a message: forget every answer it gave (None if it gave none)."""
        sources: dict[str, str] = conv.answers.get(SOURCES, {}) if conv else {}
        fields = [f for f, event in sources.items() if event == msg.target_event_id]
        if conv is None or not fields:
            return None
        turn = Turn(working_copy(conv, now), [])
        answers = turn.conversation.answers
        answers[SOURCES] = {f: e for f, e in sources.items() if f not in fields}
        for name in fields:
            answers.pop(name, None)
        turn.replies.append(self.say(turn.conversation, "retracted"))
        self.carry_on(turn)
        return turn

    def idle(self, conv: Conversation, now: datetime) -> bool:
        """Nobody has said anything in it for longer than the idle timeout."""
        return now - conv.updated_at > self.idle_timeout

    # Breaks, the bot's own questions, and safety
    def _parked(self, conv: Conversation, now: datetime) -> bool:
        if conv.status is PAUSED:
            return True
        return bool(conv.history) and now - conv.updated_at > self.idle_timeout

    def _welcome_back(self, turn: Turn, text: str, now: datetime) -> None:
        conv = turn.conversation
        if self.carries_on(conv, text):
            conv.status = ACTIVE
            turn.replies.append(self.say(conv, "resume.carry_on"))
            self.handle(turn, text, now)
            return
        conv.status = PAUSED
        self.ask(turn, RESUME, prompt=self.prompt(conv).text)

    def _about_data(self, conv: Conversation | None, msg: IncomingMessage,
                    request: DataRequest, now: datetime) -> Turn:
        if conv is None:
            conv = self.start(msg.key, self.flows.default, now).conversation
            conv.status = ConversationStatus.DONE
        turn = Turn(working_copy(conv, now), [], event_id=msg.event_id)
        if request is DataRequest.FORGET:
            self.ask(turn, FORGET)
        else:
            turn.request = request
            self.carry_on(turn)
        return turn

    def _safeguard(self, conv: Conversation | None, msg: IncomingMessage, concern: str,
                   now: datetime) -> Turn:
        """Safety over flow: stop, help at once, and carry on only if the person wants to.
        The message is not kept as an answer; the conversation is marked, so what it records
        can never reach a digest."""
        if conv is None or conv.status in ENDED:
            conv = self.start(msg.key, self.flows.default, now).conversation
        turn = Turn(working_copy(conv, now), [], event_id=msg.event_id, concern=concern)
        answers = turn.conversation.answers
        answers[CONCERN] = concern
        answers.pop(HELD_AT_ALERT, None)
        if self._may_keep(conv):  # a misreading must not lose what they wrote
            answers[HELD_AT_ALERT] = msg.text.strip()
        turn.conversation.status = PAUSED
        turn.replies.append(OutgoingMessage(room_id=conv.key.room_id,
                                            text=signposting(self.safety)))
        self.ask(turn, SAFE)
        return turn

    def _may_keep(self, conv: Conversation) -> bool:
        """Was the person answering an open question, after agreeing that answers are kept?"""
        spec = self.flows[conv.flow].spec
        stamps = [s.stamp for s in spec.steps if s.stamp]
        agreed = not stamps or any(conv.answers.get(stamp) for stamp in stamps)
        answering = conv.status is ACTIVE and not conv.pending
        return agreed and answering and self.step(conv).kind is AnswerKind.TEXT

    def take_held(self, turn: Turn, now: datetime) -> bool:
        """After "carry on" from a safeguarding reply: what the person wrote then becomes
        their answer to the question they were at. False if nothing was kept."""
        held = turn.conversation.answers.pop(HELD_AT_ALERT, None)
        if held is None:
            return False
        self.handle(turn, str(held), now)
        return True

    def carries_on(self, conv: Conversation, text: str) -> bool:
        """After a break, is this a real answer to the question the person was at (rather
        than a greeting, a question, or one of the always-on words)?"""
        got = self.understand(conv, self.step(conv), text)
        return len(text.split()) >= OWN_WORDS and got.reading in ANSWERS

    def ask(self, turn: Turn, question: Interrupt, **values: object) -> None:
        conv = turn.conversation
        conv.pending = question.name
        turn.replies.append(self.say(conv, self.asking(conv, question.ask), question.options,
                                     **values))

    def asking(self, conv: Conversation, key: str) -> str:
        """The words ``key`` of one of the bot's own questions, or their ``.kept`` variant
        while what the person wrote at a safeguarding reply is kept for them."""
        return self.words_for([f"{key}.kept", key] if HELD_AT_ALERT in conv.answers else [key])

    def carry_on(self, turn: Turn) -> None:
        """Ask again the question a conversation under way was waiting on."""
        if turn.conversation.status is ACTIVE:
            turn.replies.append(self.prompt(turn.conversation))

    # Answers and the always-on words
    def handle(self, turn: Turn, text: str, now: datetime) -> None:
        """Read a reply at the question asked, and do what that reading does there."""
        step = self.step(turn.conversation)
        got = self.understand(turn.conversation, step, text)
        if got.reading is Reading.CHOICE and step.pauses and got.value == step.pauses:
            got = Understood(Reading.PAUSE)
        READINGS[got.reading](self, turn, step, got, text, now)

    def understand(self, conv: Conversation, step: Step, text: str) -> Understood:
        choices = self.choices(conv, step)
        kept = self.held_field(conv)
        return understand(text, asked_at(step.kind, choices, step.yes, step.no, step.hints,
                                         later=step.later, optional=step.optional,
                                         yes_is_answer=bool(kept and kept in conv.answers)))

    def record(self, turn: Turn, value: Any, now: datetime) -> None:
        """Keep an answer to the question asked, and move on to the next."""
        conv = turn.conversation
        step = self.step(conv)
        conv.answers.pop(MISSES, None)
        for mark in (NOT_KNOWN, NOTHING, SAID_NO):
            if value is not None and step.field in conv.answers.get(mark, ()):
                conv.answers[mark] = [f for f in conv.answers[mark] if f != step.field]
        if step.field:
            conv.answers[step.field] = value
            conv.answers[SOURCES] = {**conv.answers.get(SOURCES, {}), step.field: turn.event_id}
        if step.stamp:
            conv.answers[step.stamp] = now.isoformat()
        if step.extract:
            step.extract(conv.answers, value)
        view = {**conv.answers, "_choice": value, "_editing": conv.editing}
        self._move(turn, self.flows[conv.flow].next_state(conv.state, view), now)

    def _move(self, turn: Turn, dest: str, now: datetime) -> None:
        conv = turn.conversation
        spec = self.flows[conv.flow].spec
        if conv.state != dest:
            conv.history.append(conv.state)
        if spec.review:
            changing = conv.state == spec.review.change
            conv.editing = changing or (conv.editing and dest != spec.review.state)
        conv.state = dest
        if dest == spec.finished:
            conv.status = ConversationStatus.DONE
            turn.story = spec.record(conv, now) if spec.record else None
        elif dest == spec.declined:
            kept = {k: conv.answers[k] for k in (RETURNING, PARKED, ABOUT) if k in conv.answers}
            conv.status, conv.answers = ConversationStatus.DECLINED, kept
        turn.replies.append(self.prompt(conv))

    # Words
    def step(self, conv: Conversation) -> Step:
        return self.flows[conv.flow].spec.step(conv.state)

    def choices(self, conv: Conversation, step: Step) -> tuple[Choice, ...]:
        spec = self.flows[conv.flow].spec
        if spec.review and step.name == spec.review.change:
            return change_choices(spec, conv, step)
        return step.choices

    def words_for(self, keys: Sequence[str]) -> str:
        """The first of ``keys`` the catalogue has words for."""
        return next(key for key in keys if key in PROMPTS)

    def shown_answer(self, conv: Conversation) -> str | None:
        return shown_answer(conv, self.step(conv))

    def asked_again(self, conv: Conversation, hello: bool = False) -> OutgoingMessage:
        """The question the conversation is at, asked again just after the person saw it: a
        welcome that has words for that (``welcome.again``: "Shall we start?" without the
        introduction above it) briefly, with its options, after "Hello!" if ``hello``; any
        other question whole."""
        asked = self.prompt(conv)
        again = f"{conv.state}.again"
        if conv.state != self.flows[conv.flow].spec.initial or again not in PROMPTS or (
                conv.answers.get(RETURNING)):
            return asked
        brief = self.say(conv, again, choices=asked.choices)
        if hello:
            return brief.model_copy(update={"text": f"{say('greeting', conv.locale)} {brief.text}"})
        return brief

    def prompt(self, conv: Conversation) -> OutgoingMessage:
        """The question the conversation is at (or its closing words, once it has ended)."""
        spec = self.flows[conv.flow].spec
        kept = spec.entry.keeps_opening
        keys = [f"{conv.flow}.{conv.state}", conv.state]
        if conv.answers.get(RETURNING):
            keys.insert(0, f"{conv.state}.returning")
        if conv.state in (spec.finished, spec.declined):
            return self.say(conv, next(k for k in keys if k in PROMPTS))
        step = spec.step(conv.state)
        if step.variant and (fits := step.variant(conv.answers)):
            keys.insert(0, f"{conv.state}.{fits}")
        if kept and kept in conv.answers:
            keys.insert(0, f"{conv.state}.{kept}")
        key = next(k for k in keys if k in PROMPTS)
        values: dict[str, object] = {kept: conv.answers.get(kept, "")} if kept else {}
        values.update({name: conv.answers.get(name, "") for name in spec.shows})
        if spec.review and conv.state == spec.review.state:
            values[spec.review.shows_as] = review_text(spec, conv)
        return OutgoingMessage(room_id=conv.key.room_id, text=say(key, conv.locale, **values),
                               choices=self.choices(conv, step),
                               multiple=step.kind in (AnswerKind.THEMES, AnswerKind.PICKS))

    def say(self, conv: Conversation, key: str, choices: Sequence[Choice] = (),
            **values: object) -> OutgoingMessage:
        return OutgoingMessage(room_id=conv.key.room_id, text=say(key, conv.locale, **values),
                               choices=tuple(choices))


def _returning(conv: Conversation | None) -> bool:
    """Has this person told a story before (finished, or declined after one)?"""
    if conv is None:
        return False
    return conv.status is ConversationStatus.DONE or bool(conv.answers.get(RETURNING))
