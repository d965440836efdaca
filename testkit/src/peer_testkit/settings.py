"""Settings that make a service quick to test: its own database and condition, short polls and back-offs."""

from __future__ import annotations

from typing import Any

from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import service_settings

FAST = {
    "outbox_poll_seconds": 0.2,
    "consumer_backoff_seconds": [0.2, 0.5, 1.0],
    # A service stopped mid-batch leaves its messages unacknowledged: they come back this soon.
    "consumer_ack_wait_seconds": 5,
}


def test_settings(
    infra: Infrastructure, service: str, *, database_url: str, condition: str, **overrides: Any
) -> dict[str, Any]:
    """Settings values for `service` on the session's infrastructure, consuming only `condition`.

    The durable consumers carry the condition in their names, so tests never share a consumer.
    """
    values = service_settings(infra, service, database_url=database_url)
    values |= {"conditions": [condition], "consumer_name_prefix": f"{condition}-", **FAST}
    return values | overrides
