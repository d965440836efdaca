"""Settings of the groups service (`PEER_...` environment variables)."""

from __future__ import annotations

from pydantic import Field

from peer_shared.settings import ServiceSettings


class GroupsSettings(ServiceSettings):
    """The groups service's one settings object."""

    service_name: str = Field("groups", description="Service name")
    http_port: int = Field(8006, ge=0, le=65535, description="Port the HTTP API listens on")
    conditions: list[str] = Field(["long-covid"], description="Conditions whose group programmes run here")
