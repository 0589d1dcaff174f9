"""The safeguarding model at run time: onnxruntime and the ``tokenizers`` package, no torch.

``ModelScreen.load()`` opens the committed model; ``await screen.scores(items)`` gives each
``(previous, text)`` pair its at-risk score (0 to 1; at or above ``THRESHOLD`` is a concern).
Inference runs in a worker thread, never on the event loop, and calls that arrive while a
batch is running are collected and sent to the thread together as the next batch (each
message is still scored on its own there: see ``scores_now``). ``score(previous, text)``
is the synchronous form for the command line.
"""

from __future__ import annotations

import os

# Before onnxruntime is imported: its disable function was found not to stop telemetry.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import asyncio
import ctypes
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from bot.features.safeguarding_model.inputs import (
    Item,
    encode,
    item,
    load_tokenizer,
    windows,
)
from flows.safeguarding import Concern

MODEL_DIR = Path(__file__).parent
THRESHOLD = 0.4443
"""At or above this score a message is a concern: training's own choice on validation (the
lowest at which the rules OR the model raise at most 8 % false alarms there), deployed as
chosen (``training.json``; MODEL_CARD.md)."""
CONCERNS = tuple(Concern)
"""The model's classes after the first (not a concern), in order."""

@dataclass(frozen=True)
class Verdict:
    """What the model makes of one message: its at-risk score, and the concern it most
    resembles (meaningful only when the score is at or above ``THRESHOLD``)."""

    score: float
    concern: Concern

    @property
    def at_risk(self) -> bool:
        return self.score >= THRESHOLD


Pending = tuple[list[Item], "asyncio.Future[list[Verdict]]"]


class ModelScreen:
    """One loaded model. Safe to share across tasks of one event loop."""

    def __init__(self, session: onnxruntime.InferenceSession, tokenizer: Tokenizer) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._pending: list[Pending] = []
        self._worker: asyncio.Task[None] | None = None
        self.batches_run = 0
        """How many batches have gone to the worker thread (for tests and the bench)."""

    @classmethod
    def load(cls, path: Path = MODEL_DIR, threads: int = 1) -> ModelScreen:
        """Open ``model.onnx`` and ``tokenizer.json`` in ``path`` (by default the committed
        model). ``threads`` is onnxruntime's thread count for one message."""
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.enable_cpu_mem_arena = False  # the arena kept ~6 MiB more, for no speed
        session = onnxruntime.InferenceSession(
            str(path / "model.onnx"), options, providers=["CPUExecutionProvider"])
        screen = cls(session, load_tokenizer(path / "tokenizer.json"))
        give_back_freed_memory()
        return screen

    async def scores(self, items: Sequence[Item]) -> list[float]:
        """Each ``(previous, text)`` pair's at-risk score, in order."""
        return [verdict.score for verdict in await self.verdicts(items)]

    async def verdicts(self, items: Sequence[Item]) -> list[Verdict]:
        """Each ``(previous, text)`` pair's verdict, in order, computed in a worker thread
        (calls that arrive while one runs go together next)."""
        if not items:
            return []
        future: asyncio.Future[list[Verdict]] = asyncio.get_running_loop().create_future()
        self._pending.append((list(items), future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="safeguarding-model")
        return await future

    async def _drain(self) -> None:
        """Run what is waiting as one batch in a worker thread, until nothing waits."""
        while self._pending:
            batch, self._pending = self._pending, []
            self.batches_run += 1
            results = await asyncio.to_thread(self._score_calls, [items for items, _ in batch])
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # its caller gave up waiting
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    def _score_calls(self, calls: list[list[Item]]) -> list[list[Verdict] | Exception]:
        """Each call's verdicts, or what went wrong with that call alone."""
        results: list[list[Verdict] | Exception] = []
        for items in calls:
            try:
                results.append(self.verdicts_now(items))
            except Exception as error:  # handed to that caller: one bad input fails no other
                results.append(error)
        return results

    def scores_now(self, items: Sequence[Item]) -> list[float]:
        """The scores, computed in this thread (blocking): for threads and the command line.

        Each message runs on its own: the int8 model quantises activations per input, so
        scoring messages together would let one person's message shift another's score."""
        return [verdict.score for verdict in self.verdicts_now(items)]

    def verdicts_now(self, items: Sequence[Item]) -> list[Verdict]:
        """The verdicts, computed in this thread (blocking); a long message's is that of its
        most worrying window."""
        return [max((self._verdict(self.probabilities([part])[0]) for part in windows(pair)),
                    key=lambda verdict: verdict.score) for pair in items]

    @staticmethod
    def _verdict(probabilities: np.ndarray[Any, Any]) -> Verdict:
        concern = CONCERNS[int(np.argmax(probabilities[1:]))]
        return Verdict(float(1.0 - probabilities[0]), concern)

    def probabilities(self, items: Sequence[Item]) -> np.ndarray[Any, Any]:
        """Class probabilities ``[len(items), 6]`` (not a concern, then ``CONCERNS``)."""
        outputs = self._session.run(["probabilities"], dict(encode(self._tokenizer, items)))
        return np.asarray(outputs[0])


def give_back_freed_memory() -> None:
    """Return to the system what loading freed: glibc's malloc keeps it for later, and
    onnxruntime reads the model file whole before building its tensors (about 9 MB of the
    bot's resident memory, measured with ``bench/matrix_cost.py``). Elsewhere than glibc,
    nothing is done."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


@cache
def default_screen() -> ModelScreen:
    """The committed model, loaded once per process."""
    return ModelScreen.load()


def score(previous: str | Sequence[str], text: str) -> float:
    """The at-risk score of ``text`` after ``previous`` (a message, or the last one or two),
    with the committed model. Blocking: for the command line, not for the event loop."""
    before = [previous] if isinstance(previous, str) else list(previous)
    return default_screen().scores_now([item(text, before)])[0]


def training_record(path: Path = MODEL_DIR) -> dict[str, Any]:
    """What training wrote beside the model (threshold, data, seed, validation figures)."""
    record: dict[str, Any] = json.loads((path / "training.json").read_text(encoding="utf-8"))
    return record
