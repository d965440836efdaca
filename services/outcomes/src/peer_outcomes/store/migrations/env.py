"""Alembic environment of the outcomes service."""

from peer_outcomes.store.tables import metadata
from peer_shared.migration_env import run_migrations

run_migrations(metadata)
