"""Configuration, from environment variables (`REGIONAL_...`), so the same image runs anywhere."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

STREAMS = ("PEER_REFERRALS", "PEER_MATCHING", "PEER_SESSIONS", "PEER_OUTCOMES", "PEER_GROUPS")
"""The platform's public streams, one per producing service."""


@dataclass(frozen=True)
class Settings:
    """How to reach the platform, what to read, and how hard to retry."""

    password: str
    url: str = "nats://127.0.0.1:4222"
    user: str = "regional"
    consumer_prefix: str = "my-region"
    """Your consumer names are `<prefix>-<stream>`, e.g. `acme-ics-peer-referrals`: choose a prefix that
    is yours alone (two deployments sharing a consumer would share, and split, its events)."""
    condition: str = "*"
    """One condition code (`t2d`) or `*` for all: the consumers' filter is `peer.<condition>.<service>.>`."""
    replay_from: datetime | None = None
    """None: a new consumer reads each stream from its start; a time: from then on. Only read when a
    consumer is created; an existing consumer resumes where it stopped whatever this says."""
    database: Path = Path("regional.sqlite3")
    ack_wait_seconds: float = 60.0
    """How long the server waits for an ack before redelivering: longer than your slowest handler."""
    park_after: int = 5
    """Deliveries that fail before an event is parked (recorded in `parked` and acknowledged)."""
    first_retry_seconds: float = 2.0
    """The back-off before the second delivery; it doubles after each failure, up to the maximum."""
    max_retry_seconds: float = 300.0
    fetch_batch: int = 10
    """Messages per pull. FastStream handles the messages of one pull concurrently, so they may be applied
    out of order; 1 keeps the stream's order, at a round trip per message."""

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings; only `REGIONAL_NATS_PASSWORD` is required."""
        env = os.environ
        defaults = cls(password="")
        return cls(
            password=env["REGIONAL_NATS_PASSWORD"],
            url=env.get("REGIONAL_NATS_URL", defaults.url),
            user=env.get("REGIONAL_NATS_USER", defaults.user),
            consumer_prefix=env.get("REGIONAL_CONSUMER_PREFIX", defaults.consumer_prefix),
            condition=env.get("REGIONAL_CONDITION", defaults.condition),
            replay_from=parse_replay_from(env.get("REGIONAL_REPLAY_FROM", "start")),
            database=Path(env.get("REGIONAL_DATABASE", str(defaults.database))),
            ack_wait_seconds=float(env.get("REGIONAL_ACK_WAIT_SECONDS", defaults.ack_wait_seconds)),
            park_after=int(env.get("REGIONAL_PARK_AFTER", defaults.park_after)),
            first_retry_seconds=float(env.get("REGIONAL_FIRST_RETRY_SECONDS", defaults.first_retry_seconds)),
            max_retry_seconds=float(env.get("REGIONAL_MAX_RETRY_SECONDS", defaults.max_retry_seconds)),
            fetch_batch=int(env.get("REGIONAL_FETCH_BATCH", defaults.fetch_batch)),
        )

    @property
    def inbox_prefix(self) -> str:
        """The identity's own inbox: the server lets `regional` receive replies and deliveries only there."""
        return f"_INBOX_{self.user}"

    def consumer_name(self, stream: str) -> str:
        """This deployment's durable consumer on a stream."""
        return f"{self.consumer_prefix}-{stream.lower().replace('_', '-')}"

    def filter_subject(self, stream: str) -> str:
        """The consumer's filter: the stream's events for the configured condition(s)."""
        service = stream.removeprefix("PEER_").lower()
        return f"peer.{self.condition}.{service}.>"


def parse_replay_from(value: str) -> datetime | None:
    """`start` (or empty) for the whole stream, else an ISO date (midnight UTC) or an ISO date-time."""
    if value in ("", "start"):
        return None
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
