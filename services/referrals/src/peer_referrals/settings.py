"""Settings of the referrals service (`PEER_...` environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from peer_shared.settings import ServiceSettings


class ReferralsSettings(ServiceSettings):
    """The referrals service's one settings object."""

    service_name: str = Field("referrals", description="Service name")
    http_port: int = Field(8001, ge=0, le=65535, description="Port the HTTP API listens on")
    condition_programmes: dict[str, str] = Field(
        {"t2d": "t2d-one-to-one", "long-covid": "long-covid-group"},
        description="The programme a referral for each known condition joins (condition code -> programme)",
    )
    condition_aliases: dict[str, str] = Field(
        default_factory=dict,
        description="Publish a known condition under another code (known code -> code used on the bus)",
    )
    minimum_age: int = Field(18, ge=0, le=120, description="Youngest age (years) at referral")
    max_request_bytes: int = Field(
        256 * 1024, ge=1024, description="Largest FHIR request body or HL7 message accepted"
    )
    mllp_port: int = Field(0, ge=0, le=65535, description="Port of the HL7 v2 MLLP listener; 0 disables it")
    mllp_host: str = Field("127.0.0.1", description="Interface the MLLP listener binds to")
    mllp_allowed_facilities: list[str] = Field(
        default_factory=list,
        description="Sending facilities (MSH-4, first component) whose messages are accepted; empty: none",
    )
    mllp_allowed_networks: list[str] = Field(
        default_factory=list,
        description="Client address ranges (CIDR) allowed to connect; empty: any address",
    )
    mllp_tls_cert: Path | None = Field(None, description="PEM certificate chain: serve MLLP over TLS")
    mllp_tls_key: Path | None = Field(None, description="PEM private key for the MLLP certificate")
    mllp_application: str = Field("PEER-REFERRALS", description="Our name in MSH-3 of acknowledgements")
    mllp_facility: str = Field("PEER-SUPPORT", description="Our facility in MSH-4 of acknowledgements")
    mllp_idle_timeout_seconds: float = Field(
        300, gt=0, description="Close an MLLP connection silent for this long"
    )
