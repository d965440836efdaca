"""Settings of the sessions service (`PEER_...` environment variables)."""

from __future__ import annotations

from pydantic import Field

from peer_shared.safeguarding_settings import SafeguardingSettings


class SessionsSettings(SafeguardingSettings):
    """The sessions service's one settings object (with the escalation of safeguarding concerns)."""

    service_name: str = Field("sessions", description="Service name")
    http_port: int = Field(8003, ge=0, le=65535, description="Port the HTTP API listens on")
    programme_weeks: dict[str, int] = Field(
        {"t2d-one-to-one": 16},
        description="Planned length of support per programme code, in weeks (about four months for t2d)",
    )
    default_programme_weeks: int = Field(
        16, ge=1, le=104, description="Planned length of support for a programme not in programme_weeks"
    )

    def weeks_of(self, programme: str) -> int:
        """Planned weeks of support for a programme."""
        return self.programme_weeks.get(programme, self.default_programme_weeks)
