"""Settings of the sessions service (`PEER_...` environment variables)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from peer_shared.contracts.events.safeguarding import Urgency
from peer_shared.settings import ServiceSettings


class SessionsSettings(ServiceSettings):
    """The sessions service's one settings object."""

    service_name: str = Field("sessions", description="Service name")
    http_port: int = Field(8003, ge=0, le=65535, description="Port the HTTP API listens on")
    programme_weeks: dict[str, int] = Field(
        {"t2d-one-to-one": 16},
        description="Planned length of support per programme code, in weeks (about four months for t2d)",
    )
    default_programme_weeks: int = Field(
        16, ge=1, le=104, description="Planned length of support for a programme not in programme_weeks"
    )
    safeguarding_escalate_after_minutes: dict[Urgency, float] = Field(
        {Urgency.IMMEDIATE: 15, Urgency.WITHIN_24_HOURS: 240, Urgency.ROUTINE: 3 * 24 * 60},
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

    def weeks_of(self, programme: str) -> int:
        """Planned weeks of support for a programme."""
        return self.programme_weeks.get(programme, self.default_programme_weeks)

    def escalation_intervals(self) -> dict[Urgency, timedelta]:
        """How long each urgency may wait unacknowledged before it is raised again."""
        defaults = SessionsSettings.model_fields["safeguarding_escalate_after_minutes"].default
        minutes = defaults | self.safeguarding_escalate_after_minutes
        return {urgency: timedelta(minutes=value) for urgency, value in minutes.items()}
