"""Every service's migrations on a new database, run by two replicas starting at the same moment.

Replicas are processes (Alembic's migration context is global to a process), so each migration runs in
its own child process here too.
"""

from __future__ import annotations

import asyncio
import sys

import pytest
from sqlalchemy import text

from peer_shared.db import make_engine
from peer_shared.service import ServiceDescriptor
from peer_support_cli.services import EVERYTHING

pytestmark = pytest.mark.integration

MIGRATE = (
    "import asyncio, sys; from pathlib import Path; from peer_shared.db import migrate; "
    "asyncio.run(migrate(Path(sys.argv[1]), sys.argv[2]))"
)


@pytest.mark.parametrize("service", EVERYTHING, ids=lambda service: service.name)
async def test_two_replicas_migrating_a_new_database_together_both_start(
    service: ServiceDescriptor, fresh_database_url: str
) -> None:
    migrations = service.migrations
    replicas = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", MIGRATE, str(migrations), fresh_database_url, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(2)
    ]
    outcomes = [await replica.communicate() for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0, 0], [err for _, err in outcomes]

    engine = make_engine(fresh_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            outbox = await conn.scalar(text("SELECT to_regclass('outbox') IS NOT NULL"))
    finally:
        await engine.dispose()
    assert len(versions) == 1
    # Every service on the bus has an outbox; the console publishes nothing.
    assert outbox or not service.uses_bus
