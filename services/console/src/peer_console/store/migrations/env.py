"""Alembic environment of the web console."""

from peer_console.store.tables import metadata
from peer_shared.migration_env import run_migrations

run_migrations(metadata)
