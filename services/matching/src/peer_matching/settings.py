"""Settings of the matching service (`PEER_...` environment variables)."""

from __future__ import annotations

from pydantic import Field

from peer_shared.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    """The matching service's one settings object."""

    service_name: str = Field("matching", description="Service name")
    http_port: int = Field(8002, ge=0, le=65535, description="Port the HTTP API listens on")
