"""A unit of work that needs no database, for testing a use case's logic on its own.

A use case that reads and writes through repositories passed to it (or looked up on the unit of work)
can be run against in-memory repositories and this unit of work; what it emitted is in `emitted`.
Integration tests still prove every flow on the real servers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from peer_events.envelope import CloudEvent
from peer_shared.clock import Clock


@dataclass
class RecordingUnitOfWork:
    """Stands in for `peer_shared.messaging.unit_of_work.UnitOfWork`: a clock, and the events emitted."""

    clock: Clock
    emitted: list[CloudEvent[Any]] = field(default_factory=list)
    session: Any = None
    """No database: a use case that reaches for the session directly needs the real one."""

    async def emit(self, *events: CloudEvent[Any]) -> None:
        """Record events instead of staging them in an outbox."""
        self.emitted.extend(events)

    def emitted_types(self) -> list[str]:
        """The `type` of each emitted event, in order."""
        return [event.type for event in self.emitted]
