"""The migrations build exactly the tables the code declares, and undo cleanly."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from peer_sessions.store import MIGRATIONS
from peer_sessions.store.tables import metadata as sessions_metadata
from peer_shared.db import alembic_config, make_engine, migrate
from peer_shared.messaging.tables import metadata as messaging_metadata

pytestmark = pytest.mark.integration


def declared() -> MetaData:
    combined = MetaData()
    for table in (*messaging_metadata.tables.values(), *sessions_metadata.tables.values()):
        table.to_metadata(combined)
    return combined


def differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), declared()))


async def test_migrations_match_the_declared_tables_and_downgrade_cleanly(fresh_database_url: str) -> None:
    await migrate(MIGRATIONS, fresh_database_url)
    engine = make_engine(fresh_database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
        config = alembic_config(MIGRATIONS, fresh_database_url)
        await asyncio.to_thread(command.downgrade, config, "0001")
        await migrate(MIGRATIONS, fresh_database_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
