"""Settings of the web console (`PEER_...` environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator

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
    groups_url: str = Field("http://127.0.0.1:8006", description="Base URL of the groups API")
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
    oidc_issuer: str | None = Field(
        None,
        description="Single sign-on: the OpenID Connect provider's issuer URL (its discovery document is "
        "at <issuer>/.well-known/openid-configuration); unset: password sign-in only",
    )
    oidc_client_id: str | None = Field(None, description="Single sign-on: the console's client id")
    oidc_client_secret: SecretStr | None = Field(
        None, description="Single sign-on: the console's client secret"
    )
    oidc_scopes: str = Field("openid email profile", description="Single sign-on: scopes asked for")
    oidc_account_claim: str = Field(
        "email",
        min_length=1,
        description="Single sign-on: the ID token claim matched to an account's SSO identity",
    )
    oidc_button_label: str = Field(
        "Sign in with your organisation account",
        min_length=1,
        description="Single sign-on: the label of the button on the sign-in page",
    )
    oidc_redirect_url: str | None = Field(
        None,
        description="Single sign-on: the callback URL registered at the provider; unset: this request's "
        "<scheme>://<host>/sign-in/sso/callback",
    )

    @property
    def sso_enabled(self) -> bool:
        """Whether single sign-on is configured."""
        return bool(self.oidc_issuer)

    @model_validator(mode="after")
    def _sso_is_complete(self) -> Self:
        if not self.oidc_issuer:
            return self
        secret = self.oidc_client_secret.get_secret_value() if self.oidc_client_secret else ""
        required = {"PEER_OIDC_CLIENT_ID": self.oidc_client_id, "PEER_OIDC_CLIENT_SECRET": secret}
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ValueError(f"PEER_OIDC_ISSUER is set, so {' and '.join(missing)} must be set too")
        if not secure_or_local(self.oidc_issuer):
            raise ValueError("PEER_OIDC_ISSUER must be an https:// URL (http:// only on localhost)")
        if self.oidc_redirect_url and not secure_or_local(self.oidc_redirect_url):
            raise ValueError("PEER_OIDC_REDIRECT_URL must be an https:// URL (http:// only on localhost)")
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("PEER_OIDC_SCOPES must include openid")
        return self


def secure_or_local(url: str) -> bool:
    """An https:// URL, or an http:// one on this machine (a test provider)."""
    parts = urlsplit(url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    return bool(parts.hostname) and (parts.scheme == "https" or (parts.scheme == "http" and local))
