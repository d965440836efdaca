"""The tables of reliable messaging, the same in every service's own database.

Every service's first migration creates them with `create_messaging_tables`, so there is one definition.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("lane", Text, nullable=False, server_default="default"),
    Column("subject", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    # The relay's hot query: unpublished rows of one lane in insertion order.
    Index("outbox_pending", "lane", "id", postgresql_where=text("published_at IS NULL")),
    Index("outbox_published_at", "published_at"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id"),
)

dead_letter = Table(
    "dead_letter",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("consumer", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("stream_sequence", BigInteger, nullable=False),
    Column("subject", Text, nullable=False),
    Column("event_id", Uuid),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("dead_lettered_at", DateTime(timezone=True), nullable=False),
    Column("replayed_at", DateTime(timezone=True)),
    Column("replay_error", Text),
    UniqueConstraint("consumer", "stream", "stream_sequence", name="dead_letter_once"),
)


def create_messaging_tables(connection: Connection) -> None:
    """Create the outbox, inbox and dead-letter tables (called from a service's first migration)."""
    metadata.create_all(connection)


def drop_messaging_tables(connection: Connection) -> None:
    """Drop them again (the first migration's downgrade)."""
    metadata.drop_all(connection)
