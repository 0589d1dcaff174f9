"""The storage interface: every port at once, implemented by SQLite and by memory.

Callers depend on the ports they use (``storage/ports.py``); ``Store`` is what a store
implements, and what the runner opens and hands around.
"""

from __future__ import annotations

from typing import Protocol

from storage.ports import (
    Alerts,
    Audit,
    Conversations,
    Digests,
    FollowUps,
    Introductions,
    KeyValue,
    Leases,
    Lifecycle,
    Loaded,
    Outbox,
    PersonalData,
    QueuedReply,
    Responses,
    Stories,
    TurnWrite,
)

__all__ = ["Loaded", "QueuedReply", "Store", "TurnWrite"]


class Store(Alerts, Lifecycle, Conversations, Outbox, Stories, Digests, Audit, PersonalData,
            KeyValue, Responses, FollowUps, Introductions, Leases, Protocol):
    """Every storage port: a store implements them all."""
