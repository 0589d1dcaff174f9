"""The safeguarding model beside the rules, in conversations: it hears what the rules miss,
reads a message with the person's last ones, and leaves everyday replies alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config, FlowsConfig
from bot.core.types import Platform, RoomId
from bot.features.safeguarding_model import THRESHOLD, score
from flows.safeguarding import assess
from storage.memory import MemoryStore
from tests.conftest import PSEUDONYMS, Chat

ROOT = Path(__file__).parents[1]

ROPE = "i have the rope in the garage"
SAMARITANS = "116 123"


async def test_what_the_rules_miss_the_model_hears(chat: Chat, app: App) -> None:
    app.alert_rooms = {Platform("test"): (RoomId("!moderators"),)}
    assert assess(ROPE) is None, "the rules miss it: this is the model's part"
    await chat.script("hi", "yes", "yes")
    help_, offer, alert = await chat.say(ROPE)
    assert SAMARITANS in help_.text and "Carry on with my story" in offer.choices[0].label
    assert alert.room_id == "!moderators" and "rope" not in alert.text


async def test_risk_spread_over_two_messages_is_heard(chat: Chat) -> None:
    await chat.script("hi", "yes", "yes")
    # (A nurse taking a ward's leftover tablets home is itself a concern to the model trained
    # on the look-alikes writer's set, where means at hand count: this one is ordinary.)
    [asked] = await chat.say("The pharmacy gave me three months of my sleeping tablets at once.")
    assert "tried something" in asked.text, "on its own, not a concern"
    words = "that's enough for what i have planned"
    assert score((), words) < THRESHOLD, "on its own, not a concern: the context makes it one"
    replies = await chat.say(words)
    assert SAMARITANS in replies[0].text


async def test_words_a_concern_on_their_own_are_an_answer_after_an_ordinary_story(
        chat: Chat) -> None:
    """Context can take a concern away: on their own these words are one to the model."""
    words = "i am so tired of all of this"
    assert score((), words) >= THRESHOLD
    await chat.script("hi", "yes", "yes", "The phone line is engaged every morning.")
    [reply] = await chat.say(words)
    assert SAMARITANS not in reply.text


@pytest.mark.parametrize("reply", ["yep lets do it", "yes quickly pls on my break",
                                   "ok lets do it", "Not today thank you, I'm just off out"])
async def test_everyday_replies_are_not_alarms(chat: Chat, reply: str) -> None:
    await chat.say("hi")
    replies = await chat.say(reply)
    assert all(SAMARITANS not in r.text for r in replies)


async def test_a_deployment_can_run_the_rules_alone(tmp_path: Path) -> None:
    config = Config(flows=FlowsConfig(safeguarding_model=False))
    app = compose(config, MemoryStore(), clock=FakeClock(), pseudonymise=PSEUDONYMS).app
    assert app.safety_model is None
    chat = Chat(app)
    await chat.script("hi", "yes", "yes")
    [reply] = await chat.say(ROPE)
    assert SAMARITANS not in reply.text


# In a fresh interpreter, as `storyloop run` starts: which heavy packages are in memory.
STARTING = """
import asyncio, json, sys
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config, MatrixConfig
from bot.runner import build_adapters
from storage.memory import MemoryStore
from tests.conftest import PSEUDONYMS, Chat

HEAVY = ("onnxruntime", "numpy", "tokenizers", "PIL", "matplotlib")

def heavy():
    return [name for name in HEAVY if name in sys.modules]

async def main():
    config = Config(matrix=MatrixConfig(homeserver="http://127.0.0.1:9", user_id="@b:x"))
    store = MemoryStore()
    app = compose(config, store, clock=FakeClock(), pseudonymise=PSEUDONYMS).app
    build_adapters(config, app, store)
    seen, chat = {"started": heavy()}, Chat(app)
    await chat.script("hi", "yes", "yes")
    seen["short replies"] = heavy()
    seen["replies"] = [r.text for r in await chat.say(sys.argv[1])]
    seen["a long one"] = heavy()
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_the_model_is_loaded_at_the_first_message_long_enough_for_it() -> None:
    """Not at start-up: onnxruntime, numpy and the model hold about 90 MB, and Pillow is for
    digests; the model is on all the same, and hears what the rules miss."""
    run = subprocess.run([sys.executable, "-c", STARTING, ROPE], capture_output=True,
                         text=True, cwd=ROOT, check=True, timeout=120)
    seen = json.loads(run.stdout)
    assert seen["started"] == seen["short replies"] == []
    assert SAMARITANS in seen["replies"][0]
    assert {"onnxruntime", "numpy", "tokenizers"} <= set(seen["a long one"])
