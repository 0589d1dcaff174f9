"""Matrix's size limit, as data: one long text becomes several parts that each fit.

The spec refuses any event over 65,536 bytes as a whole PDU (content plus envelope: ids,
hashes, signatures; https://spec.matrix.org/latest/client-server-api/#size-limits). Our notices
carry the text twice (``body`` and the HTML ``formatted_body``), and in an encrypted room the
content travels as base64 Megolm ciphertext, a third larger again. So a part's content, as
ASCII-escaped JSON (the largest way any client or server could write it), is kept under
``CONTENT_BYTES``: 40,000 x 4/3 is about 53,300 bytes of ciphertext, leaving 12 KB for the
envelope.

Text is cut where a person would: between paragraphs, else between lines, else between words,
and only as a last resort inside a word. It is cut as a Python string, so never inside a
UTF-8 character. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable

CONTENT_BYTES = 40_000
"""Most bytes of one message's content JSON (ASCII-escaped), encryption's growth included."""
SEPARATORS = ("\n\n", "\n", " ")
"""Where a long text may be cut, best first."""

Cost = Callable[[str], int]
"""The bytes a piece of text adds to a message's content, wherever it goes in the text."""


def json_bytes(value: object) -> int:
    """The size of ``value`` as ASCII-escaped JSON."""
    return len(json.dumps(value, ensure_ascii=True, separators=(",", ":")))


def split(text: str, budget: int, cost: Cost) -> list[str]:
    """``text`` in parts whose ``cost`` is at most ``budget`` each, cut at the best separator.

    ``cost`` must be additive (the cost of a joined text is the sum of its pieces'), as
    escaping character by character is. Parts holding only whitespace are dropped."""
    if budget <= 0:
        raise ValueError(f"no room left in a message for text (budget {budget})")
    parts = _split(text, budget, cost)
    return [part for part in parts if part.strip()] or [text[:0]]


def _split(text: str, budget: int, cost: Cost) -> list[str]:
    if cost(text) <= budget:
        return [text]
    for separator in SEPARATORS:
        if separator in text:
            return _pack(text.split(separator), separator, budget, cost)
    return _by_character(text, budget, cost)


def _pack(pieces: list[str], separator: str, budget: int, cost: Cost) -> list[str]:
    """Pieces joined back together, as many to a part as fit."""
    parts: list[str] = []
    current: list[str] = []
    used, joint = 0, cost(separator)
    for piece in pieces:
        size = cost(piece)
        if size > budget:
            parts += [separator.join(current)] if current else []
            parts += _split(piece, budget, cost)
            current, used = [], 0
        elif current and used + joint + size > budget:
            parts.append(separator.join(current))
            current, used = [piece], size
        else:
            used += size + (joint if current else 0)
            current.append(piece)
    return parts + ([separator.join(current)] if current else [])


def _by_character(text: str, budget: int, cost: Cost) -> list[str]:
    parts: list[str] = []
    start, used = 0, 0
    for index, character in enumerate(text):
        size = cost(character)
        if used + size > budget:
            parts.append(text[start:index])
            start, used = index, 0
        used += size
    return [*parts, text[start:]]
