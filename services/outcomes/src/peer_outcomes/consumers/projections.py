"""The reporting projections' one event handler: every projected type, so a fetched batch is written in
one transaction (`use_cases.projection` says what each event contributes)."""

from __future__ import annotations

from peer_events.envelope import EventData
from peer_outcomes.use_cases.projection import PROJECTORS, apply_events
from peer_shared.messaging.subscription import BatchHandler

APPLY_EVENTS = BatchHandler(apply_events)
"""The batch handler of every projected event type."""

PROJECTED: tuple[type[EventData], ...] = tuple(PROJECTORS)
"""The event types the projections consume."""
