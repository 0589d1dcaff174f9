"""Fine-tuning all-MiniLM-L6-v2 as a classifier: mean-pooled token states, then one linear
layer over six classes (not a concern, then the five concerns). The at-risk score is
``1 - P(not a concern)``; the concern classes make the model learn what each concern reads
like and tell moderators which one it saw."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

from bot.features.safeguarding_model.inputs import encode
from safeguarding_train.data import CONCERNS, Example

EPOCHS = 4
BATCH = 16
LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
WARMUP_SHARE = 0.1
WEIGHT_DECAY = 0.01


class Classifier(nn.Module):  # type: ignore[misc]
    """The encoder, mean pooling over real tokens, dropout and one linear layer; ``forward``
    gives class probabilities (what the ONNX file outputs)."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(self.encoder.config.hidden_size, len(CONCERNS) + 1)

    def logits(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self.head(self.dropout(pooled))

    def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
        return torch.softmax(self.logits(input_ids, attention_mask, token_type_ids), dim=-1)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def train(base: str, tokenizer: Tokenizer, examples: Sequence[Example], seed: int,
          epochs: int = EPOCHS, log: Any = print) -> Classifier:
    """Fine-tune on ``examples`` for ``epochs`` epochs on a fixed schedule."""
    seed_everything(seed)
    model = Classifier(base)
    # The word embeddings stay as the base model learned them: words that the training data
    # never uses keep their meaning, and training is a third cheaper.
    model.encoder.embeddings.word_embeddings.requires_grad_(False)
    lengths = [len(e) for e in tokenizer.encode_batch([e.item for e in examples])]
    steps = epochs * math.ceil(len(examples) / BATCH)
    optimiser = torch.optim.AdamW([
        {"params": [p for p in model.encoder.parameters() if p.requires_grad],
         "lr": LEARNING_RATE},
        {"params": model.head.parameters(), "lr": HEAD_LEARNING_RATE},
    ], weight_decay=WEIGHT_DECAY)
    warmup = max(1, int(steps * WARMUP_SHARE))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: min(
        (step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))))
    order = random.Random(seed)
    model.train()
    for epoch in range(epochs):
        total = 0.0
        for chunk in batches(examples, lengths, order):
            batch = {k: torch.from_numpy(v)
                     for k, v in encode(tokenizer, [e.item for e in chunk]).items()}
            labels = torch.tensor([e.label for e in chunk])
            loss = nn.functional.cross_entropy(model.logits(**batch), labels)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item() * len(chunk)
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(examples):.4f}")
    model.eval()
    return model


def save(model: Classifier, path: Path) -> None:
    """The fine-tuned weights, to export again without training again."""
    torch.save(model.state_dict(), path)


def batches(examples: Sequence[Example], lengths: Sequence[int],
            order: random.Random) -> list[list[Example]]:
    """Shuffled batches of messages of similar length (less padding, same randomness):
    shuffle, sort within pools of eight batches, cut, shuffle the batches."""
    indices = list(range(len(examples)))
    order.shuffle(indices)
    out: list[list[Example]] = []
    pool = BATCH * 8
    for start in range(0, len(indices), pool):
        ranked = sorted(indices[start:start + pool], key=lambda i: lengths[i])
        out += [[examples[i] for i in ranked[at:at + BATCH]]
                for at in range(0, len(ranked), BATCH)]
    order.shuffle(out)
    return out


@torch.no_grad()  # type: ignore[untyped-decorator]
def probabilities(model: Classifier, tokenizer: Tokenizer,
                  examples: Sequence[Example]) -> np.ndarray[Any, Any]:
    """Class probabilities from the torch model (to compare with the exported one)."""
    out = []
    for start in range(0, len(examples), 64):
        batch = encode(tokenizer, [e.item for e in examples[start:start + 64]])
        out.append(model(**{k: torch.from_numpy(v) for k, v in batch.items()}).numpy())
    return np.concatenate(out)
