"""What ``/metrics`` shows Prometheus: counters the App and the digest desk move as things
happen (``bot.core.ports.Tally``), and the replies waiting in the outbox, read from the store
when Prometheus asks.

Each ``Metrics`` has its own registry, never prometheus-client's global one, so that several
apps in one process (tests, benches) count apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from bot.core.types import Platform
from storage.ports import Outbox

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""Prometheus's text format, as ``generate_latest`` writes it (names as in 0.0.4: every
Prometheus reads it)."""


class Metrics:
    """The operators' counters for one App (a ``Tally``), on a registry of its own."""

    def __init__(self, platforms: Iterable[str] = (), concerns: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self._handled = Counter("storyloop_messages_handled", "Messages given to the bot, "
                                "by platform (commands included).", ["platform"],
                                registry=self.registry)
        self._errors = Counter("storyloop_handler_errors", "Messages whose handling raised "
                               "an error (the person was sent an apology), by platform.",
                               ["platform"], registry=self.registry)
        self._alerts = Counter("storyloop_safeguarding_alerts", "Safeguarding alerts raised, "
                               "by concern.", ["concern"], registry=self.registry)
        self._digests = Counter("storyloop_digest_posts", "Approved digests posted to a "
                                "staff room and confirmed, by platform.", ["platform"],
                                registry=self.registry)
        self._pending = Gauge("storyloop_replies_pending", "Replies in the outbox not yet "
                              "confirmed by their platform, read from the store at each "
                              "scrape.", ["platform"], registry=self.registry)
        for platform in platforms:  # shown as 0 from the start, not missing until one comes
            for counter in (self._handled, self._errors, self._digests):
                counter.labels(platform)
        for concern in concerns:
            self._alerts.labels(concern)

    def handled(self, platform: str) -> None:
        self._handled.labels(platform).inc()

    def failed(self, platform: str) -> None:
        self._errors.labels(platform).inc()

    def alerted(self, concern: str) -> None:
        self._alerts.labels(concern).inc()

    def posted_digest(self, platform: str) -> None:
        self._digests.labels(platform).inc()

    async def scrape(self, store: Outbox, platforms: Iterable[str]) -> bytes:
        """Everything, in Prometheus's text format, with the replies pending on each of
        ``platforms`` read from ``store`` now. If the store does not answer, that gauge is
        left out (not stale) and the error is raised."""
        try:
            counts = {p: len(await store.pending_replies(Platform(p)))
                      for p in sorted(platforms)}
        except BaseException:
            self._pending.clear()
            raise
        self._pending.clear()
        for platform, count in counts.items():
            self._pending.labels(platform).set(count)
        return generate_latest(self.registry)

    def text(self) -> bytes:
        """Everything as it stands, the pending replies as last read."""
        return generate_latest(self.registry)
