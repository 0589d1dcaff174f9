"""The safeguarding model: a fine-tuned all-MiniLM-L6-v2 that scores how likely a message
(read with the person's previous one or two) is a concern under docs/safeguarding.md. Meant
to run beside the phrase rules (``flows.safeguarding``): a message is a concern when the
rules OR the model say so. See MODEL_CARD.md beside this file."""

from bot.features.safeguarding_model.inputs import Item, item
from bot.features.safeguarding_model.screen import (
    CONCERNS,
    MODEL_DIR,
    THRESHOLD,
    ModelScreen,
    default_screen,
    score,
)

__all__ = ["CONCERNS", "MODEL_DIR", "THRESHOLD", "Item", "ModelScreen", "default_screen",
           "item", "score"]
