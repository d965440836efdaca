"""How each service is configured to run on an infrastructure (embedded, or servers given by URL)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from peer_console.settings import CONSOLE_ISSUER
from peer_events.programmes import KNOWN_PROGRAMMES
from peer_shared.auth.tokens import load_public_key
from peer_support_cli.services import CONSOLE, SERVICES, service_named

from .infrastructure import Infrastructure

OPERATOR_ISSUER = "peer-support-operator"
HOST = "127.0.0.1"
SERVED_CONDITIONS = sorted({programme.condition for programme in KNOWN_PROGRAMMES.values()})
"""Every condition the platform knows a programme for: the embedded platform runs them all."""


def _public_pem(path: Path) -> str:
    pem = path.read_text()
    load_public_key(pem)  # fail here, not in four services, if the key is unreadable
    return pem


def service_settings(
    infra: Infrastructure,
    service: str,
    *,
    database_url: str | None = None,
    service_urls: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Settings values (field name -> value) for one service, or the web console, on this infrastructure.

    `database_url` overrides the service's own database (tests give each test a fresh one). The four
    services trust two token issuers: the operator (CLI) and the web console. The console is given
    `service_urls` (service -> base URL; default: each service's default port on this machine).
    """
    if service == CONSOLE.name:
        return _console_settings(infra, database_url, service_urls)
    user, password = infra.nats_credentials.get(service, (None, None))
    return {
        "service_name": service,
        "database_url": database_url or infra.database_urls[service],
        "nats_url": infra.nats_url,
        "nats_user": user,
        "nats_password": password,
        "http_port": service_named(service).default_port,
        "conditions": SERVED_CONDITIONS,
        "auth_public_keys": {
            OPERATOR_ISSUER: _public_pem(infra.issuer_public_key_path),
            CONSOLE_ISSUER: _public_pem(infra.console_public_key_path),
        },
        "data_dir": infra.data_dir,
    }


def _console_settings(
    infra: Infrastructure, database_url: str | None, service_urls: Mapping[str, str] | None
) -> dict[str, Any]:
    urls = {service.name: f"http://{HOST}:{service.default_port}" for service in SERVICES} | dict(
        service_urls or {}
    )
    return {
        "service_name": CONSOLE.name,
        "database_url": database_url or infra.database_urls[CONSOLE.name],
        "http_port": CONSOLE.default_port,
        "signing_key_path": infra.console_private_key_path,
        "token_issuer": CONSOLE_ISSUER,
        "session_secret": infra.console_session_secret,
        # Plain http on this machine: a Secure cookie would never come back.
        "secure_cookies": False,
        "data_dir": infra.data_dir,
        **{f"{service.name}_url": urls[service.name] for service in SERVICES},
    }


def service_environment(
    infra: Infrastructure,
    service: str,
    *,
    service_urls: Mapping[str, str] | None = None,
    **overrides: Any,
) -> dict[str, str]:
    """The same settings as `PEER_...` environment variables, for a service process."""
    values = service_settings(infra, service, service_urls=service_urls) | overrides
    env: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        env[f"PEER_{name.upper()}"] = json.dumps(value) if isinstance(value, dict | list) else str(value)
    return env
