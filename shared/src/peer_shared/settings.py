"""Settings read from `PEER_...` environment variables: one object per service.

Each service subclasses `ServiceSettings` (adding only what it alone needs) and builds it once in its app
module. Every field here is documented in the README's configuration table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings every service shares."""

    model_config = SettingsConfigDict(env_prefix="PEER_", extra="ignore")

    service_name: str = Field("service", description="Name used in logs, metrics and the consumer names")
    database_url: SecretStr = Field(
        SecretStr("postgresql+asyncpg://localhost/peer"),
        description="SQLAlchemy URL of this service's own database (asyncpg driver)",
    )
    nats_url: str = Field("nats://127.0.0.1:4222", description="NATS server URL(s), comma-separated")
    nats_user: str | None = Field(None, description="NATS user name for this service")
    nats_password: SecretStr | None = Field(None, description="NATS password for this service")
    conditions: list[str] = Field(
        ["t2d"],
        description="Conditions this deployment serves: consumers subscribe to these subjects only",
    )
    consumer_name_prefix: str = Field(
        "",
        pattern=r"^[a-z0-9-]*$",
        description="Prefix for durable consumer names (separate deployments or test runs on one account)",
    )
    http_host: str = Field("127.0.0.1", description="Interface the HTTP API listens on")
    http_port: int = Field(8000, ge=0, le=65535, description="Port the HTTP API listens on")
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="Log output: JSON (production), console (terminal), auto picks by TTY"
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field("info")
    clock_start: AwareDatetime | None = Field(
        None,
        description="Run the service's clock from this instant (backdated scenarios); unset: real time",
    )
    clock_file: Path | None = Field(
        None, description="Scenario clock shared through this file (the demo); overrides clock_start"
    )
    stream_max_bytes: int = Field(
        2 * 1024**3, gt=0, description="Size limit of each stream (all must fit in NATS max_file_store)"
    )
    stream_replicas: int = Field(1, ge=1, le=5, description="JetStream replicas (3 in a cluster)")
    duplicate_window_seconds: float = Field(
        7200, gt=0, description="JetStream de-duplication window for Nats-Msg-Id (outbox retries)"
    )
    outbox_batch_size: int = Field(500, ge=1, le=10000, description="Rows the relay publishes at once")
    outbox_poll_seconds: float = Field(
        1.0, gt=0, description="Relay fallback poll interval (it also wakes on NOTIFY)"
    )
    outbox_retention_days: float = Field(
        7, ge=0, description="How long published outbox rows are kept for re-publishing"
    )
    consumer_batch_size: int = Field(256, ge=1, le=5000, description="Messages fetched per pull")
    consumer_max_deliver: int = Field(5, ge=1, description="Deliveries before a message is dead-lettered")
    consumer_ack_wait_seconds: float = Field(30, gt=0, description="Redelivery if not acked within")
    consumer_backoff_seconds: list[float] = Field(
        [1, 5, 30, 120], description="Delay before each redelivery of a failed message"
    )
    auth_public_keys: dict[str, str] = Field(
        default_factory=dict,
        description="Trusted token issuers: JSON object issuer -> PEM public key or path to one",
    )
    data_dir: Path | None = Field(None, description="Folder for local files (embedded mode)")
