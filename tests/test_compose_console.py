"""Offline checks of the web console in the compose deployment: built, configured, trusted and given its
own database like every other service (there is no Docker engine on the project's machines)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from peer_console.settings import CONSOLE_ISSUER, ConsoleSettings
from peer_support_cli.services import SERVICES as DESCRIPTORS
from peer_support_cli.services import names

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = names(DESCRIPTORS)
PORTS = {service.name: service.default_port for service in DESCRIPTORS}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


@pytest.fixture(scope="module")
def console(compose: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = compose["services"]["console"]
    return spec


def test_the_console_is_built_like_the_services_and_waits_for_them(console: dict[str, Any]) -> None:
    assert console["build"] == {
        "context": ".",
        "dockerfile": "deploy/Dockerfile",
        "args": {"PYTHON_IMAGE": "${PEER_PYTHON_IMAGE:-python:3.11-slim}", "SERVICE": "console"},
    }
    # The Dockerfile installs package peer-${SERVICE} and runs python -m peer_${SERVICE}.
    package = tomllib.loads((ROOT / "services/console/pyproject.toml").read_text())["project"]["name"]
    assert package == "peer-console"
    assert (ROOT / "services/console/src/peer_console/__main__.py").is_file()
    assert console["restart"] == "unless-stopped"
    assert "/readyz" in " ".join(console["healthcheck"]["test"])
    assert "8005" in " ".join(console["healthcheck"]["test"])
    assert console["depends_on"] == {
        name: {"condition": "service_healthy"} for name in ("postgres", *SERVICES)
    }
    assert console["ports"] == ["127.0.0.1:8005:8005"]


def test_the_console_settings_are_its_own_and_reach_every_service(console: dict[str, Any]) -> None:
    env: dict[str, str] = console["environment"]
    fields = {f"PEER_{name.upper()}" for name in ConsoleSettings.model_fields}
    assert set(env) <= fields, f"not console settings: {sorted(set(env) - fields)}"
    assert env["PEER_HTTP_PORT"] == "8005"
    assert re.fullmatch(
        r"postgresql\+asyncpg://console:\$\{PEER_DB_CONSOLE_PASSWORD:\?[^}]*\}@postgres:5432/console",
        env["PEER_DATABASE_URL"],
    )
    for name in SERVICES:
        assert env[f"PEER_{name.upper()}_URL"] == f"http://{name}:{PORTS[name]}"
    assert env["PEER_SESSION_SECRET"].startswith("${PEER_SESSION_SECRET:?")
    assert env["PEER_SECURE_COOKIES"] == "${PEER_SECURE_COOKIES:-true}"  # Secure unless the operator says


def test_the_signing_key_is_a_secret_of_the_console_alone(
    compose: dict[str, Any], console: dict[str, Any]
) -> None:
    [secret] = console["secrets"]
    assert console["environment"]["PEER_SIGNING_KEY_PATH"] == f"/run/secrets/{secret}"
    assert compose["secrets"][secret]["file"].startswith("${PEER_CONSOLE_PRIVATE_KEY_FILE:?")
    for name, spec in compose["services"].items():
        if name != "console":
            assert secret not in spec.get("secrets", []), name
            assert "PEER_CONSOLE_PRIVATE_KEY_FILE" not in json.dumps(spec), name


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_trusts_the_console_as_a_second_issuer(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    keys = json.loads(spec["environment"]["PEER_AUTH_PUBLIC_KEYS"])
    assert set(keys) == {"peer-support-operator", CONSOLE_ISSUER}
    mounts = {volume.split(":")[-2]: volume for volume in spec["volumes"]}
    for path in keys.values():
        assert path in mounts, f"{service}: {path} is not mounted"
        assert mounts[path].endswith(":ro")
    assert mounts[keys[CONSOLE_ISSUER]].startswith("${PEER_CONSOLE_PUBLIC_KEY_FILE:?")


def test_postgres_creates_the_console_database_with_the_same_script(compose: dict[str, Any]) -> None:
    """Every password create-databases.sql requires is passed by init.sh and given to postgres by compose."""
    script = (ROOT / "deploy/postgres/create-databases.sql").read_text()
    required = set(re.findall(r"^\\if :\{\?(\w+)_password\}", script, flags=re.M))
    assert "console" in required
    hook = (ROOT / "deploy/postgres/init.sh").read_text()
    passed = dict(re.findall(r'-v (\w+)_password="\$\{(\w+):\?\}"', hook))
    assert set(passed) == required
    environment = compose["services"]["postgres"]["environment"]
    for name, variable in passed.items():
        assert variable == f"PEER_DB_{name.upper()}_PASSWORD"
        assert environment[variable].startswith(f"${{{variable}:?"), variable
