"""Offline checks of the compose deployment (there is no Docker engine on the project's machines)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = ("referrals", "matching", "sessions", "outcomes")
NATS_USERS = ("REFERRALS", "MATCHING", "SESSIONS", "OUTCOMES", "OPERATOR", "REGIONAL")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def test_compose_file_follows_the_compose_specification() -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_nats_config_is_valid() -> None:
    env = {**os.environ, "PEER_NATS_STORE_DIR": "/tmp/peer-nats-check"}
    env |= {f"PEER_NATS_{user}_PASSWORD": "Abc123" for user in NATS_USERS}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("nats-server")), "-t", "-c", str(ROOT / "deploy/nats/nats.conf")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_healthy_before_use_and_waits_for_its_dependencies(
    compose: dict[str, Any], service: str
) -> None:
    spec = compose["services"][service]
    assert "/readyz" in " ".join(spec["healthcheck"]["test"])
    assert spec["depends_on"] == {
        "nats": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    assert spec["restart"] == "unless-stopped"
    assert spec["build"]["args"]["SERVICE"] == service
    env = spec["environment"]
    assert env["PEER_NATS_USER"] == service
    assert f"@postgres:5432/{service}" in env["PEER_DATABASE_URL"]


def test_infrastructure_uses_the_shared_deploy_config(compose: dict[str, Any]) -> None:
    nats, postgres = compose["services"]["nats"], compose["services"]["postgres"]
    assert "./deploy/nats:/etc/nats:ro" in nats["volumes"]
    assert any(
        v.startswith("./deploy/postgres/init.sh:/docker-entrypoint-initdb.d/") for v in postgres["volumes"]
    )
    assert any(v.startswith("./deploy/postgres/create-databases.sql:") for v in postgres["volumes"])
    assert "healthcheck" in nats and "healthcheck" in postgres


def test_no_secret_is_committed(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text()
    for match in re.finditer(r"^\s+(\w*PASSWORD\w*):\s*(\S+)", text, flags=re.M):
        assert match.group(2).startswith("${"), f"{match.group(1)} has a literal value"
    for line in (ROOT / ".env.example").read_text().splitlines():
        if "PASSWORD=" in line:
            assert line.split("=", 1)[1] == "", f"a password value is committed: {line}"


def test_env_example_documents_every_variable_compose_reads(compose: dict[str, Any]) -> None:
    referenced = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text()))
    documented = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert referenced <= documented, f"add to .env.example: {sorted(referenced - documented)}"
