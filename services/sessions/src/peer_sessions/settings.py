"""Settings of the sessions service (`PEER_...` environment variables)."""

from __future__ import annotations

from pydantic import Field

from peer_shared.settings import ServiceSettings


class SessionsSettings(ServiceSettings):
    """The sessions service's one settings object."""

    service_name: str = Field("sessions", description="Service name")
    http_port: int = Field(8003, ge=0, le=65535, description="Port the HTTP API listens on")
