"""How a message becomes the model's input: shared by the runtime and by training, so both
read a message the same way.

The input is a pair: the person's previous one or two messages (joined, oldest first, or
empty) and the message itself, encoded as ``[CLS] previous [SEP] text [SEP]``. Risk can be
spread over two messages ("I took home the leftover tablets" then "I've counted them twice"),
so the model reads them together. A pair longer than ``MAX_TOKENS`` loses tokens from the
longer side first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

MAX_TOKENS = 256
"""The base model's sequence limit (all-MiniLM-L6-v2 was trained to 256 word pieces)."""
CONTEXT_KEPT = 1
"""How many previous messages are read with the message. The model was trained with the one
or two its data gave; read with the last one only, it raises fewer alarms on everyday chat
(an angry "this is taking bloody ages" two messages after "that's the whole point") at the
same recall on validation (MODEL_CARD.md)."""
MOST_WINDOWS = 24
"""At most this many windows of one message are read (about 2,500 words, half a second): of a
longer one, a document pasted whole, the first ones and the last ``LAST_WINDOWS``. The rules
read all of it."""
LAST_WINDOWS = 6
WINDOW_WORDS = 150
"""A message longer than this many words is read in overlapping windows (about 200 tokens
each, within ``MAX_TOKENS``), so one risky clause deep in a long message is still read."""
WINDOW_STEP = 100

Item = tuple[str, str]
"""``(previous, text)``: the previous messages joined (``""`` if none), and the message."""
Batch = dict[str, npt.NDArray[np.int64]]


def item(text: str, previous: Sequence[str] = ()) -> Item:
    """The model's input for ``text`` after ``previous`` (oldest first; only the last two
    count)."""
    return " ".join(p.strip() for p in previous[-CONTEXT_KEPT:] if p.strip()), text


def windows(pair: Item) -> list[Item]:
    """The pair itself, or for a long message its overlapping windows (the first with the
    previous messages); the message's score is its highest window's."""
    previous, text = pair
    words = text.split()
    if len(words) <= WINDOW_WORDS:
        return [pair]
    starts = list(range(0, len(words) - WINDOW_WORDS + WINDOW_STEP, WINDOW_STEP))
    if len(starts) > MOST_WINDOWS:  # a document pasted whole: its beginning and its end
        starts = starts[:MOST_WINDOWS - LAST_WINDOWS] + starts[-LAST_WINDOWS:]
    return [(previous if at == 0 else "", " ".join(words[at:at + WINDOW_WORDS]))
            for at in starts]


def load_tokenizer(path: Path) -> Tokenizer:
    """The committed tokenizer.json, set to truncate to ``MAX_TOKENS`` and pad to the longest
    input in a batch (the file's own fixed 128 padding is replaced)."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def encode(tokenizer: Tokenizer, items: Sequence[Item]) -> Batch:
    """Token ids, attention mask and segment ids for a batch, as the ONNX model takes them."""
    encodings = tokenizer.encode_batch([(previous, text) for previous, text in items])
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }
