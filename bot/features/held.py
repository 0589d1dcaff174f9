"""Consent first, really: a person's first message, held until they agree to their story
being kept, is never written to disk. It waits here, in memory, beside the conversation's
record; once the flow has used it (after consent) or the person declined, it is gone. If the
bot restarts in between, it is lost, and the person is simply asked what's been happening.
"""

from __future__ import annotations

from bot.core.types import Conversation, ConversationKey

MOST_HELD = 10_000
"""Openings held at once; beyond this the oldest is dropped (that person is asked again)."""


class HeldOpenings:
    def __init__(self) -> None:
        self._held: dict[ConversationKey, str] = {}

    def restore(self, conv: Conversation | None, field: str | None) -> Conversation | None:
        """The conversation as the flow left it, with its held opening put back."""
        if conv is None or field is None or conv.key not in self._held:
            return conv
        return conv.model_copy(update={"answers": {**conv.answers,
                                                   field: self._held[conv.key]}})

    def hold(self, conv: Conversation, field: str | None) -> Conversation:
        """The conversation to write: any opening it still holds stays here instead."""
        if field is None or field not in conv.answers:
            self._held.pop(conv.key, None)
            return conv
        if len(self._held) >= MOST_HELD and conv.key not in self._held:
            del self._held[next(iter(self._held))]
        self._held[conv.key] = str(conv.answers[field])
        answers = {name: value for name, value in conv.answers.items() if name != field}
        return conv.model_copy(update={"answers": answers})

    def forget(self, key: ConversationKey) -> None:
        self._held.pop(key, None)

    def __len__(self) -> int:
        return len(self._held)
