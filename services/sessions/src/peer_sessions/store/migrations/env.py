"""Alembic environment of the sessions service."""

from peer_sessions.store.tables import metadata
from peer_shared.migration_env import run_migrations

run_migrations(metadata)
