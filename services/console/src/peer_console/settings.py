"""Settings of the web console (`PEER_...` environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from peer_shared.settings import ServiceSettings

CONSOLE_ISSUER = "peer-support-console"


class ConsoleSettings(ServiceSettings):
    """The console's one settings object.

    The console keeps only its accounts; everything else it shows comes from the services' HTTP APIs,
    called with short-lived tokens it signs as its own issuer (`token_issuer`), which each service must
    list in its `auth_public_keys`.
    """

    service_name: str = Field("console", description="Service name")
    http_port: int = Field(8005, ge=0, le=65535, description="Port the web console listens on")
    referrals_url: str = Field("http://127.0.0.1:8001", description="Base URL of the referrals API")
    matching_url: str = Field("http://127.0.0.1:8002", description="Base URL of the matching API")
    sessions_url: str = Field("http://127.0.0.1:8003", description="Base URL of the sessions API")
    outcomes_url: str = Field("http://127.0.0.1:8004", description="Base URL of the outcomes API")
    signing_key_path: Path | None = Field(
        None, description="PEM Ed25519 private key the console signs API tokens with"
    )
    token_issuer: str = Field(CONSOLE_ISSUER, description="Issuer name on the console's API tokens")
    token_ttl_seconds: int = Field(300, ge=10, le=3600, description="Lifetime of each API token")
    session_secret: SecretStr = Field(
        SecretStr(""), description="Secret that signs session cookies (at least 32 characters)"
    )
    session_max_age_seconds: int = Field(8 * 3600, ge=60, description="A sign-in lasts at most this long")
    secure_cookies: bool = Field(True, description="Send the session cookie over HTTPS only")
    lockout_failures: int = Field(
        5, ge=1, le=100, description="Failed sign-ins in a row that lock an account"
    )
    lockout_minutes: float = Field(
        15, ge=0, description="How long an automatic lockout lasts; 0: until an operator unlocks it"
    )
    quiet_pairing_days: int = Field(
        14, ge=1, le=365, description="Coordinator home: pairings quiet this long"
    )
    expiring_check_days: int = Field(30, ge=0, le=365, description="Coordinator home: checks expiring within")
    api_timeout_seconds: float = Field(10, gt=0, description="Timeout of each call to a service API")
