"""What a running infrastructure offers its clients: addresses, credentials, keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit, urlunsplit

from . import psql

_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def database_url(user: str, password: str, host: str, port: int, database: str) -> str:
    """An SQLAlchemy asyncpg URL."""
    credentials = f"{url_quote(user, safe='')}:{url_quote(password, safe='')}"
    return f"postgresql+asyncpg://{credentials}@{host}:{port}/{database}"


@dataclass(frozen=True)
class Infrastructure:
    """NATS and Postgres as the services and tests see them."""

    data_dir: Path
    nats_url: str
    nats_credentials: dict[str, tuple[str, str]]
    """NATS user -> (user, password); empty when the server's users are unknown."""
    postgres_host: str
    postgres_port: int
    database_urls: dict[str, str]
    """Service (the web console included) -> URL of its own database, as its own role."""
    admin_database_url: str
    issuer_private_key_path: Path
    issuer_public_key_path: Path
    console_private_key_path: Path
    """The web console's token-signing key; the services trust its public half."""
    console_public_key_path: Path
    console_session_secret: str
    """Signs the web console's session cookies."""
    nats_monitor_url: str | None = field(default=None)
    """NATS HTTP monitoring (/varz, /healthz), when known."""

    def create_database(self, name: str) -> str:
        """Create an empty database owned by the superuser and return its asyncpg URL.

        For test isolation: the name must be new (lower-case letters, digits, '_').
        """
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"invalid database name {name!r}")
        psql.run(self.admin_database_url, f'CREATE DATABASE "{name}";\n')
        parts = urlsplit(self.admin_database_url)
        return urlunsplit(parts._replace(path=f"/{name}"))
