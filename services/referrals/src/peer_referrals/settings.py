"""Settings of the referrals service (`PEER_...` environment variables)."""

from __future__ import annotations

from pydantic import Field

from peer_shared.settings import ServiceSettings


class ReferralsSettings(ServiceSettings):
    """The referrals service's one settings object."""

    service_name: str = Field("referrals", description="Service name")
    http_port: int = Field(8001, ge=0, le=65535, description="Port the HTTP API listens on")
