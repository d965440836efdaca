"""Offline checks of the compose deployment (CI also runs it on a real engine: deploy/compose-ci.sh)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from peer_support_cli.embedded.paths import NATS_USERS as USERS
from peer_support_cli.services import SERVICES as DESCRIPTORS
from peer_support_cli.services import names

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = names(DESCRIPTORS)
NATS_USERS = tuple(user.upper() for user in USERS)


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


def _certificate(folder: Path, name: str, issuer: tuple[Any, Any] | None = None) -> tuple[Any, Any]:
    """Write name.pem and name-key.pem: a CA if issuer is None, else a certificate it signs."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / f"{name}-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert, key


@pytest.mark.parametrize("node", [1, 2, 3])
def test_cluster_node_config_is_valid(tmp_path: Path, node: int) -> None:
    """deploy/nats/cluster (scaling.md): each node's config, with the certificates it names."""
    ca = _certificate(tmp_path, "cluster-ca")
    _certificate(tmp_path, f"peer-nats-{node}", ca)
    pem, key = tmp_path / f"peer-nats-{node}.pem", tmp_path / f"peer-nats-{node}-key.pem"
    env = {**os.environ, "PEER_NATS_STORE_DIR": json.dumps(str(tmp_path / "store"))}
    env |= {f"PEER_NATS_{user}_PASSWORD": "Abc123" for user in NATS_USERS}
    env |= {
        "PEER_NATS_TLS_CERT": json.dumps(str(pem)),
        "PEER_NATS_TLS_KEY": json.dumps(str(key)),
        "PEER_NATS_ROUTE_CERT": json.dumps(str(pem)),
        "PEER_NATS_ROUTE_KEY": json.dumps(str(key)),
        "PEER_NATS_ROUTE_CA": json.dumps(str(tmp_path / "cluster-ca.pem")),
    }
    config = ROOT / "deploy" / "nats" / "cluster" / f"node-{node}.conf"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("nats-server")), "-t", "-c", str(config)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is valid" in result.stdout + result.stderr
    # A certificate variable left unset fails loudly: a node never runs its routes in the clear.
    del env["PEER_NATS_ROUTE_CA"]
    refused = subprocess.run(
        [str(Path(sys.executable).with_name("nats-server")), "-t", "-c", str(config)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert refused.returncode != 0


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


def test_make_env_fills_every_required_value_and_makes_the_keys(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    subprocess.run([str(ROOT / "deploy" / "make-env.sh"), str(env_file)], check=True, capture_output=True)
    values = dict(
        line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line and line[0] != "#"
    )
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    assert not [name for name in sorted(required) if not values.get(name)]
    nats = [values[f"PEER_NATS_{user}_PASSWORD"] for user in NATS_USERS]
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]{31}", password) for password in nats)
    assert len(set(nats)) == len(nats)
    for pair in ("issuer", "console"):
        private = serialization.load_pem_private_key((tmp_path / "keys" / f"{pair}.key").read_bytes(), None)
        public = (tmp_path / "keys" / f"{pair}.pub").read_bytes()
        assert (
            private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            == public
        )
    assert values["PEER_ISSUER_PUBLIC_KEY_FILE"] == f"{tmp_path}/keys/issuer.pub"
    assert oct((tmp_path / "keys" / "console.key").stat().st_mode & 0o777) == "0o400"
    refused = subprocess.run([str(ROOT / "deploy" / "make-env.sh"), str(env_file)], capture_output=True)
    assert refused.returncode == 1, "an existing .env is never overwritten"
