"""The daily retention job: stories older than ``privacy.retention_days`` are anonymised or
deleted, and conversations left that long are cleared. It is idempotent, so a restart that
runs it again early does no harm; the scheduler runs it daily (``bot/compose.py``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.config import PrivacyConfig
from bot.core.types import AuditEntry
from storage.ports import Stories

log = logging.getLogger(__name__)


async def apply_retention(store: Stories, privacy: PrivacyConfig, clock: Clock) -> int:
    """Run the job once; return how many stories it retired (0 when retention is off)."""
    if privacy.retention_days == 0:
        return 0
    now = clock.now()
    entry = AuditEntry(at=now, actor="retention", action=f"retention: {privacy.retention}")
    count = await store.retire_stories(now - timedelta(days=privacy.retention_days),
                                       delete=privacy.retention == "delete", entry=entry)
    log.info("retention: %s %d stories older than %d days", privacy.retention, count,
             privacy.retention_days)
    return count
