"""Settings of the outcomes service (`PEER_...` environment variables)."""

from __future__ import annotations

from pydantic import Field

from peer_shared.settings import ServiceSettings


class OutcomesSettings(ServiceSettings):
    """The outcomes service's one settings object."""

    service_name: str = Field("outcomes", description="Service name")
    http_port: int = Field(8004, ge=0, le=65535, description="Port the HTTP API listens on")
