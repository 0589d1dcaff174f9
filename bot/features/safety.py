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
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.types import ConversationKey
from flows.safeguarding import Concern

_NONE_YET = Concern.SUICIDE
"""The concern a verdict below the threshold names: it means nothing there."""

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
    screen: ModelScreen
    _recent: OrderedDict[ConversationKey, deque[str]] = field(default_factory=OrderedDict)

    async def check(self, key: ConversationKey, text: str) -> Verdict:
        """The model's verdict on ``text`` read after what this person said just before (as
        it was trained and measured: context can add a concern, "and now I have enough" after
        "I took home the leftover tablets", and take one away, "nobody has tried anything,
        that's the whole point" after a complaint about the phones). Then ``text``, if long
        enough, becomes part of what comes before their next message."""
        from bot.features.safeguarding_model.inputs import item
        from bot.features.safeguarding_model.screen import Verdict

        if len(text.split()) < CONTEXT_WORDS:  # "yes", "stop here": the rules' part alone
            return Verdict(0.0, _NONE_YET)
        before = list(self._recent.get(key, ()))
        [verdict] = await self.screen.verdicts([item(text, before)])
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
