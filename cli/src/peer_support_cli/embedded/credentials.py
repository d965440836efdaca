"""Secrets for embedded mode: generated once under the data folder, reused on restart."""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .paths import DATABASES, NATS_USERS

_ALPHANUMERIC = string.ascii_letters + string.digits


SESSION_SECRET = "session_secret"


@dataclass(frozen=True)
class Secrets:
    """Passwords of the NATS users and of the Postgres roles (superuser included), and the web
    console's own secrets (`session_secret`: signs its session cookies)."""

    nats: dict[str, str]
    postgres: dict[str, str]
    console: dict[str, str]

    @property
    def session_secret(self) -> str:
        """The secret the web console signs its session cookies with."""
        return self.console[SESSION_SECRET]


def generate_password() -> str:
    """A random 32-character password that starts with a letter and is alphanumeric.

    Not token_urlsafe: NATS parses an environment variable's value as a config
    value, so a leading digit or '-' turns it into a number or an error.
    """
    rest = "".join(secrets.choice(_ALPHANUMERIC) for _ in range(31))
    return secrets.choice(string.ascii_letters) + rest


def _write_private(path: Path, content: bytes) -> None:
    """Write a file readable by its owner only, atomically (no window with wider rights)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def load_or_create_secrets(data_dir: Path) -> Secrets:
    """Read <data>/secrets.json, adding a secret for any user it lacks (mode 0600).

    A folder made by an older version gains what is new (the console's) and keeps everything else.
    """
    path = data_dir / "secrets.json"
    stored: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    nats = dict(stored.get("nats", {}))
    postgres = dict(stored.get("postgres", {}))
    console = dict(stored.get("console", {}))
    wanted = [(nats, user) for user in NATS_USERS] + [(postgres, role) for role in ("postgres", *DATABASES)]
    missing = [(table, name) for table, name in wanted if name not in table]
    for table, name in missing:
        table[name] = generate_password()
    if SESSION_SECRET not in console:
        console[SESSION_SECRET] = secrets.token_urlsafe(48)
        missing.append((console, SESSION_SECRET))
    if missing:
        content = {"nats": nats, "postgres": postgres, "console": console}
        _write_private(path, json.dumps(content, indent=2).encode())
    return Secrets(nats=nats, postgres=postgres, console=console)


def ensure_issuer_keys(data_dir: Path) -> tuple[Path, Path]:
    """Create the operator token-signing Ed25519 key pair once; return (private, public) paths."""
    return ensure_key_pair(data_dir, "issuer")


def ensure_console_keys(data_dir: Path) -> tuple[Path, Path]:
    """Create the web console's token-signing Ed25519 key pair once; return (private, public) paths.

    The console signs its calls to the services with it, as its own issuer; the services trust the
    public half next to the operator's.
    """
    return ensure_key_pair(data_dir, "console")


def ensure_key_pair(data_dir: Path, name: str) -> tuple[Path, Path]:
    """Create the Ed25519 key pair keys/<name>.key (0600) and keys/<name>.pub once; return their paths."""
    keys = data_dir / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    private_path, public_path = keys / f"{name}.key", keys / f"{name}.pub"
    if private_path.exists():
        private_key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise ValueError(f"{private_path} is not an Ed25519 private key")
    else:
        private_key = Ed25519PrivateKey.generate()
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(private_path, pem)
    if not public_path.exists():
        public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        public_path.write_bytes(public_pem)
    return private_path, public_path
