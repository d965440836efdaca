"""Settings of a service that raises safeguarding concerns: how often they escalate, and the check."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType

from pydantic import Field, field_validator

from peer_events.events.safeguarding import Urgency
from peer_shared.settings import ServiceSettings

ESCALATE_AFTER_MINUTES: Mapping[Urgency, float] = MappingProxyType(
    {Urgency.IMMEDIATE: 15, Urgency.WITHIN_24_HOURS: 240, Urgency.ROUTINE: 3 * 24 * 60}
)
"""The default interval per urgency, in minutes; a configured value replaces only the urgencies it names."""


class SafeguardingSettings(ServiceSettings):
    """`ServiceSettings` with the escalation of unacknowledged safeguarding concerns."""

    safeguarding_escalate_after_minutes: dict[Urgency, float] = Field(
        dict(ESCALATE_AFTER_MINUTES),
        description="An unacknowledged concern is raised again each time this long passes, per urgency",
    )
    safeguarding_check_seconds: float = Field(
        30, gt=0, description="How often unacknowledged concerns are checked for escalation"
    )

    @field_validator("safeguarding_escalate_after_minutes")
    @classmethod
    def _positive(cls, value: dict[Urgency, float]) -> dict[Urgency, float]:
        if any(minutes <= 0 for minutes in value.values()):
            raise ValueError("escalation intervals must be positive")
        return value

    def escalation_intervals(self) -> dict[Urgency, timedelta]:
        """How long each urgency may wait unacknowledged before it is raised again."""
        minutes = {**ESCALATE_AFTER_MINUTES, **self.safeguarding_escalate_after_minutes}
        return {urgency: timedelta(minutes=value) for urgency, value in minutes.items()}
