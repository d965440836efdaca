"""Prometheus metrics shared by every service (labelled by service, so several can share a process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_HANDLED = Counter(
    "peer_events_handled_total",
    "Events a consumer finished with, by outcome (handled, duplicate, ignored, retried, dead_lettered)",
    ["service", "consumer", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "peer_handler_seconds",
    "Time spent in an event handler",
    ["service", "consumer"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
EVENTS_PUBLISHED = Counter(
    "peer_outbox_published_total", "Outbox rows published to JetStream", ["service", "lane"]
)
PUBLISH_FAILURES = Counter(
    "peer_outbox_publish_failures_total", "Outbox publishes that got no PubAck", ["service", "lane"]
)
OUTBOX_PENDING = Gauge("peer_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_LAG = Gauge("peer_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"])
DEAD_LETTERS = Gauge("peer_dead_letters", "Dead letters waiting for an operator (not replayed)", ["service"])
