"""Alembic environment of the groups service."""

from peer_groups.store.tables import metadata
from peer_shared.migration_env import run_migrations

run_migrations(metadata)
