"""Alembic environment of the referrals service."""

from peer_referrals.store.tables import metadata
from peer_shared.migration_env import run_migrations

run_migrations(metadata)
