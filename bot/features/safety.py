"""The safeguarding model's second opinion on every message a person sends.

The rules (``flows/safeguarding.toml``) always decide first: a rule hit triggers, and a
safeguarding lead can read and change every rule. The model adds recall: a message the rules
let pass is flagged when the model's score is at or above its threshold (the model, its card
and its figures: ``bot/features/safeguarding_model/``).

The model reads each message with the person's message before it, so risk spread over two
messages is seen. Those are kept in memory only, for the most recent
``PEOPLE_REMEMBERED`` conversations, and forgotten on "forget me" and at a restart: never
written to disk, so nothing here is kept that consent has not covered.

Inference runs in a worker thread (``ModelScreen``), so the event loop is never blocked.

The model is loaded when the first message long enough for it comes (``load``, in a worker
thread: about 0.4 s, once), not at start-up: onnxruntime, numpy and the model hold about
90 MB, which a bot that has not yet been told a story need not hold. It stays on by default.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.types import ConversationKey

if TYPE_CHECKING:  # the model's package imports onnxruntime: only when the model is used
    from bot.features.safeguarding_model.screen import ModelScreen, Verdict

CONTEXT = 1
"""How many of a person's previous messages the model reads with each one (``CONTEXT_KEPT``
in the model's inputs)."""
CONTEXT_WORDS = 4
"""The model reads messages this long only, and only these are context. Its training data had
hardly any shorter ones: "yes", "skip" or "stop here" are left to the rules, which know the
short phrases ("kms"), and say nothing about risk as context."""
PEOPLE_REMEMBERED = 10_000


@dataclass
class SafetyModel:
    screen: ModelScreen | None = None
    """The loaded model; None until the first message long enough for it, if ``load``."""
    load: Callable[[], ModelScreen] | None = None
    """How to load the model (blocking: it is called in a worker thread)."""
    _recent: OrderedDict[ConversationKey, deque[str]] = field(default_factory=OrderedDict)
    _loading: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        if self.screen is None and self.load is None:
            raise ValueError("SafetyModel needs a screen or a way to load one")

    async def loaded(self) -> ModelScreen:
        """The model, loaded now if it was not (once, however many ask at the same time)."""
        async with self._loading:
            if self.screen is None:
                assert self.load is not None
                self.screen = await asyncio.to_thread(self.load)
        return self.screen

    async def check(self, key: ConversationKey, text: str) -> Verdict | None:
        """The model's verdict on ``text`` read after what this person said just before (as
        it was trained and measured: context can add a concern, "so now there is enough for
        what i need" after "the pharmacy gave me three months of my sleeping tablets", and
        take one away, "i have had enough of waiting" after a complaint about the phones).
        Then ``text``, if long enough, becomes part of what comes before their next message.
        None for a message too short for the model ("yes", "stop here": the rules' part alone)."""
        if len(text.split()) < CONTEXT_WORDS:
            return None
        from bot.features.safeguarding_model.inputs import item  # onnxruntime: not before

        before = list(self._recent.get(key, ()))
        screen = self.screen or await self.loaded()
        [verdict] = await screen.verdicts([item(text, before)])
        if len(text.split()) >= CONTEXT_WORDS:
            self._remember(key, text)
        return verdict

    def forget(self, key: ConversationKey) -> None:
        self._recent.pop(key, None)

    def _remember(self, key: ConversationKey, text: str) -> None:
        said = self._recent.pop(key, None) or deque(maxlen=CONTEXT)
        said.append(text)
        self._recent[key] = said
        while len(self._recent) > PEOPLE_REMEMBERED:
            self._recent.popitem(last=False)
