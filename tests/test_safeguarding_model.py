"""The safeguarding model as the bot runs it: the committed ONNX file through onnxruntime and
the tokenizers package (no torch), scoring in a worker thread, concurrent calls batched."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.features.safeguarding_model import MODEL_DIR, THRESHOLD, ModelScreen, item, score
from bot.features.safeguarding_model.screen import training_record

CLEAR_CONCERNS = [
    item("i've written letters to my kids and tonight i'm going to take every pill in the house"),
    item("my husband hits me when he's been drinking and says he'll kill me if i tell anyone"),
    item("i cut my arms again last night, it's the only thing that helps"),
    item("my dad's collapsed on the kitchen floor and he isn't breathing"),
]
CLEARLY_NOT = [
    item("I could murder a coffee"),
    item("the receptionist was lovely and got me an appointment the same day"),
    item("this waiting list is killing me, 14 weeks for a scan"),
    item("our suicide prevention training last month was really useful for the team"),
]


@pytest.fixture(scope="module")
def screen() -> ModelScreen:
    return ModelScreen.load()


def test_the_committed_model_is_small_and_its_threshold_is_the_cards() -> None:
    assert (MODEL_DIR / "model.onnx").stat().st_size <= 30 * 1024 * 1024
    record = training_record()
    assert record.get("deployed_threshold", record["threshold"]) == THRESHOLD
    assert 0 < THRESHOLD < 1
    card = (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"{THRESHOLD}" in card and record["base_sha256"] in card


def test_the_readme_and_the_card_state_the_blind_figures_as_measured(
        screen: ModelScreen) -> None:
    """The figures people read are the committed model's, measured now on the blind set."""
    import re

    from bench.safeguarding_model import evaluate
    from safeguarding_train import data

    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(
        encoding="utf-8").split())
    card = " ".join((MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8").split())
    for blind in (data.BLIND, data.BLIND2, data.BLIND3):
        measured = evaluate(screen, data.read(blind))["rules_or_model"]
        recall, alarms = measured["recall"], measured["false_alarms"]
        assert re.search(rf"\*\*{recall['rate'] * 100:.1f}% of the {recall['of']} at-risk "
                         rf"messages \({recall['hits']}\), and {alarms['rate'] * 100:.1f}% of "
                         rf"look-alikes trigger \({alarms['hits']} of {alarms['of']}\)\*\*",
                         readme), blind.name
        assert (f"find {recall['rate']:.3f} of at-risk messages ({recall['hits']} of "
                f"{recall['of']}") in card, blind.name
        assert (f"with {alarms['rate']:.3f} false alarms ({alarms['hits']} of "
                f"{alarms['of']})") in card, blind.name


def test_the_readme_states_the_alarms_on_everyday_blind_replies(screen: ModelScreen) -> None:
    """Replies of four words or more in the understanding corpora's two blind sets (everyday
    answers to the bot's questions, never trained on): how many the rules or the model take
    for a concern, as the README states."""
    from flows.safeguarding import assess

    data = Path(__file__).parent / "data"
    texts = [json.loads(line)["text"] for name in ("replies_blind", "replies_outbound_blind")
             for line in (data / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    long = [t for t in texts if len(t.split()) >= 4]
    scores = screen.scores_now([item(t, []) for t in long])
    alarms = sum(assess(t) is not None or s >= THRESHOLD
                 for t, s in zip(long, scores, strict=True))
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(
        encoding="utf-8").split())
    assert (f"{alarms / len(long) * 100:.1f}% of the {len(long)} everyday replies of four words "
            f"or more in the two blind understanding sets trigger ({alarms})") in readme


def test_the_false_alarms_the_card_lists_are_as_it_says(screen: ModelScreen) -> None:
    """Each known false alarm quoted in the card's limits, with the score it states."""
    import re

    card = " ".join((MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8").split())
    listed = {
        "next time I'd write it down properly so it lasts": "0.89",
        "hang on before i say yes, does the moderator work for the hospital? because i dont "
        "want it getting back to them": "0.72",
        "Thank you, but I think I have said all I wish to say.": "0.97"}
    for text, stated in listed.items():
        assert re.search(rf'"{re.escape(text)}" \({stated}', card), text
        [scored] = screen.scores_now([("", text)])
        assert f"{scored:.2f}" == stated and scored >= THRESHOLD, (text, scored)
    for text, stated in {"hang on someones at the door": "1.00",
                         "I'm sorry but I would prefer not to go ahead.": "1.00"}.items():
        assert f'"{text}" {stated}' in card, text
        [scored] = screen.scores_now([("", text)])
        assert f"{scored:.2f}" == stated, (text, scored)


async def test_clear_concerns_score_above_the_threshold_and_idioms_below(
        screen: ModelScreen) -> None:
    concerns = await screen.scores(CLEAR_CONCERNS)
    harmless = await screen.scores(CLEARLY_NOT)
    assert all(s >= THRESHOLD for s in concerns), concerns
    assert all(s < THRESHOLD for s in harmless), harmless


def test_the_command_line_helper_scores_with_the_previous_message() -> None:
    assert score("", "I could murder a coffee") < THRESHOLD
    assert score([], "everyone would be better off if i wasn't here anymore") >= THRESHOLD
    goodbye = "i won't be here by christmas"
    assert score("", goodbye) >= THRESHOLD
    assert score("we're moving to australia in november", goodbye) < THRESHOLD
    assert score("", "it's what i deserve") < score(["i've stopped eating"], "it's what i deserve")


async def test_concurrent_calls_are_batched_and_each_gets_its_own_scores(
        screen: ModelScreen) -> None:
    calls = [CLEAR_CONCERNS[i % 4:] + CLEARLY_NOT[: i % 3] for i in range(24)]
    alone = [screen.scores_now(items) for items in calls]
    batches_before = screen.batches_run
    together = await asyncio.gather(*(screen.scores(items) for items in calls))
    assert together == alone
    assert 1 <= screen.batches_run - batches_before < len(calls)


async def test_the_event_loop_keeps_running_while_a_batch_is_scored(
        screen: ModelScreen) -> None:
    loop = asyncio.get_running_loop()
    ticks: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            ticks.append(loop.time())
            # Not a wait: sleep(0) hands the loop back once, so each tick is one turn of
            # the event loop, which is exactly what this test measures.
            await asyncio.sleep(0)

    started = loop.time()
    task = asyncio.create_task(ticker())
    await screen.scores((CLEAR_CONCERNS + CLEARLY_NOT) * 6)
    took = loop.time() - started
    done.set()
    await task
    gaps = [b - a for a, b in zip([started, *ticks], ticks, strict=False)]
    assert len(ticks) > 20
    assert max(gaps) < took / 3, (max(gaps), took)


async def test_a_bad_input_fails_only_its_own_call_in_a_batch(screen: ModelScreen) -> None:
    broken = [(None, "text")]  # not a string: the tokenizer refuses it
    batches_before = screen.batches_run
    bad, good = await asyncio.gather(screen.scores(broken),  # type: ignore[arg-type]
                                     screen.scores(CLEARLY_NOT[:1]), return_exceptions=True)
    assert screen.batches_run == batches_before + 1
    assert isinstance(bad, TypeError)
    assert good == screen.scores_now(CLEARLY_NOT[:1])
    assert await screen.scores([]) == []


def test_telemetry_is_off_before_onnxruntime_is_imported_and_torch_is_never_loaded() -> None:
    """In a fresh interpreter, record the environment at the moment onnxruntime is imported,
    then score a message and see what was loaded."""
    probe = """
import importlib.abc, json, os, sys
seen = {}
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "onnxruntime" and "onnxruntime" not in seen:
            seen["onnxruntime"] = os.environ.get("ORT_DISABLE_TELEMETRY")
        return None
sys.meta_path.insert(0, Watch())
import bot.features.safeguarding_model as model
model.score("", "hello")
seen["training stack"] = sorted({"torch", "transformers", "onnx"} & set(sys.modules))
print(json.dumps(seen))
"""
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=60, cwd=Path(__file__).parents[1], env=env)
    assert json.loads(out.stdout) == {"onnxruntime": "1", "training stack": []}


def test_a_risky_clause_deep_in_a_long_message_is_still_read() -> None:
    """Past the model's 256 tokens a message is read in windows: decision 7 of the policy."""
    car_park = ("the car park at the hospital is a nightmare, we drove round for forty minutes "
                "looking for a space and the machines only take coins. ") * 8
    clinic = ("then the clinic was running an hour late and nobody told us why, the chairs "
              "were broken and the water fountain was out of order. ") * 4
    risky = "and honestly i keep thinking about killing myself. "
    assert len((car_park + clinic).split()) > 256
    assert score("", car_park + clinic + clinic) < THRESHOLD
    assert score("", car_park + clinic + risky + clinic) >= THRESHOLD


def test_a_document_pasted_whole_is_read_in_a_bounded_number_of_windows() -> None:
    from bot.features.safeguarding_model.inputs import MOST_WINDOWS, windows

    words = " ".join(f"On day {n} the phone line was engaged again." for n in range(3000))
    ending = "and honestly some days I think about ending it all"
    parts = windows(item(f"{words} {ending}"))
    assert len(parts) == MOST_WINDOWS and ending in parts[-1][1]
