"""The trained model as ONNX, then quantised to int8 (dynamic, per channel)."""

from __future__ import annotations

from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from safeguarding_train.fit import Classifier

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def to_onnx(model: Classifier, path: Path) -> None:
    """Export with dynamic batch and sequence axes; output ``probabilities`` [batch, 6]."""
    example = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    torch.onnx.export(
        model, example, str(path), input_names=list(INPUTS), output_names=["probabilities"],
        dynamic_axes={**axes, "probabilities": {0: "batch"}}, opset_version=OPSET,
        dynamo=False)


def quantise(source: Path, target: Path) -> None:
    """int8 weights for the matrix products (activations quantised at run time)."""
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
