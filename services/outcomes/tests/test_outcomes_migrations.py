"""The migrations create exactly the tables the code declares (frozen DDL must not drift from tables.py)."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from peer_outcomes.store import MIGRATIONS
from peer_outcomes.store.tables import metadata
from peer_shared.db import make_engine, migrate
from peer_shared.messaging.tables import metadata as messaging_metadata

pytestmark = pytest.mark.integration


async def test_migrations_match_the_declared_tables(fresh_database_url: str) -> None:
    await migrate(MIGRATIONS, fresh_database_url)
    engine = make_engine(fresh_database_url)

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, [messaging_metadata, metadata]))

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
