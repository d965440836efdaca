"""How each service is configured to run on an infrastructure (embedded, or servers given by URL)."""

from __future__ import annotations

import json
from typing import Any

from peer_shared.auth.tokens import load_public_key

from .infrastructure import Infrastructure

OPERATOR_ISSUER = "peer-support-operator"
SERVICE_PORTS = {"referrals": 8001, "matching": 8002, "sessions": 8003, "outcomes": 8004}


def service_settings(
    infra: Infrastructure, service: str, *, database_url: str | None = None
) -> dict[str, Any]:
    """Settings values (field name -> value) for one service on this infrastructure.

    `database_url` overrides the service's own database (tests give each test a fresh one).
    """
    user, password = infra.nats_credentials.get(service, (None, None))
    public_pem = infra.issuer_public_key_path.read_text()
    load_public_key(public_pem)  # fail here, not in four services, if the key is unreadable
    return {
        "service_name": service,
        "database_url": database_url or infra.database_urls[service],
        "nats_url": infra.nats_url,
        "nats_user": user,
        "nats_password": password,
        "http_port": SERVICE_PORTS[service],
        "auth_public_keys": {OPERATOR_ISSUER: public_pem},
        "data_dir": infra.data_dir,
    }


def service_environment(infra: Infrastructure, service: str, **overrides: Any) -> dict[str, str]:
    """The same settings as `PEER_...` environment variables, for a service process."""
    values = service_settings(infra, service) | overrides
    env: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        env[f"PEER_{name.upper()}"] = json.dumps(value) if isinstance(value, dict) else str(value)
    return env
