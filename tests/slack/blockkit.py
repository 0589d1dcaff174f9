"""Block Kit checked the way Slack checks it, with slack_sdk's own models.

``block_problems(blocks)`` parses every block with ``slack_sdk.models.blocks.Block.parse``
and validates it (``to_dict()`` runs ``validate_json()`` on the block and everything in it:
section text <= 3000, button text <= 75, value <= 2000, action_id <= 255, header <= 150,
<= 25 elements in an actions block...), and adds what the models leave out but Slack refuses:
more than 50 blocks in a message, a block or element type the models do not know, an empty
text, an empty actions block, a button whose text is not plain text, and one action_id used
twice in a message. The stand-in answers ``invalid_blocks`` with these as ``errors``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MAX_BLOCKS: Final = 50
"""https://docs.slack.dev/reference/block-kit/blocks: "up to 50 blocks in each message"."""
MAX_TEXT: Final = 40_000
"""chat.postMessage: messages with more than 40,000 characters in ``text`` are refused."""


def block_problems(blocks: Any) -> list[str]:
    """What Slack would object to in ``blocks``; empty when Slack would take them."""
    if not isinstance(blocks, list):
        return ["blocks must be an array [json-pointer:/blocks]"]
    problems = [] if len(blocks) <= MAX_BLOCKS else [
        f"must be less than {MAX_BLOCKS + 1} items [json-pointer:/blocks]"]
    for n, block in enumerate(blocks):
        problems += [f"{p} [json-pointer:/blocks/{n}]" for p in _one_block(block)]
    problems += _repeated_action_ids(blocks)
    return problems


def _one_block(block: Any) -> list[str]:
    if not isinstance(block, dict):
        return ["a block must be an object"]
    parsed = Block.parse(block)
    if parsed is None or type(parsed) is Block:
        return [f"unknown block type {block.get('type')!r}"]
    try:
        parsed.to_dict()  # validate_json() on the block and every object in it
    except SlackObjectFormationError as exc:
        return [str(exc)]
    return [*_unknown_elements(parsed), *_empty_texts(block), *_bad_actions(block)]


def _unknown_elements(parsed: Block) -> list[str]:
    elements = getattr(parsed, "elements", None) or []
    return ["unknown element type" for element in elements if element is None]


def _empty_texts(node: Any) -> list[str]:
    return [f"{kind} text must be more than 0 characters" for kind in _text_kinds(node)
            if kind]


def _text_kinds(node: Any) -> Iterator[str]:
    """The type of every text object whose text is empty."""
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and not str(node.get("text", "")):
            yield str(node["type"])
        for value in node.values():
            yield from _text_kinds(value)
    elif isinstance(node, list):
        for value in node:
            yield from _text_kinds(value)


def _bad_actions(block: dict[str, Any]) -> list[str]:
    if block.get("type") != "actions":
        return []
    elements = block.get("elements") or []
    problems = [] if elements else ["an actions block needs at least one element"]
    for element in elements:
        if element.get("type") == "button" and element.get("text", {}).get("type") != \
                "plain_text":
            problems.append("a button's text must be plain_text")
    return problems


def _repeated_action_ids(blocks: list[Any]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for block in blocks:
        for element in (block.get("elements") or []) if isinstance(block, dict) else []:
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id in seen:
                problems.append(f"action_id {action_id!r} is used twice in the message")
            if action_id:
                seen.add(action_id)
    return problems
