"""Training the safeguarding model (``python -m safeguarding_train``; see
``bot/features/safeguarding_model/MODEL_CARD.md``).

Needs the ``train`` extra (torch, transformers, onnx, the base weights); the bot and its
tests never import the training modules that use them. ``data`` and ``measure`` need only
numpy and are shared with ``bench/safeguarding_model.py``.
"""
