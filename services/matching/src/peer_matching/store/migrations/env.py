"""Alembic environment of the matching service."""

from peer_matching.store.tables import metadata
from peer_shared.migration_env import run_migrations

run_migrations(metadata)
