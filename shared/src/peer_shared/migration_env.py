"""The body of every service's Alembic `env.py`: run migrations online on the asyncpg engine.

A service's `env.py` is two lines: import this and call `run_migrations(target_metadata)`.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATION_LOCK_KEY = 0x70656572  # "peer": advisory locks are per database, so one key serves every service


def run_migrations(target_metadata: MetaData) -> None:
    """Run the pending migrations against `sqlalchemy.url` in the Alembic config."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_apply, target_metadata)
    finally:
        await engine.dispose()


def _apply(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        # Replicas starting together would both create the version table on a new database and one
        # would fail; the lock makes the second wait, then find nothing left to do.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()
