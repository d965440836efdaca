"""Database plumbing: one async engine per service, sessions, and Alembic migrations run at start-up."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionFactory = async_sessionmaker[AsyncSession]


PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled connection idle for longer than this is checked with a round trip before it is used."""


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine. Build it in the app's lifespan, never at import time.

    ``hide_parameters`` keeps statement parameters (NHS numbers, names, notes) out of the text of database
    errors, which end up in logs.
    """
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, hide_parameters=True)
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Check a connection before use only when it has been idle a while (SQLAlchemy's `pool_pre_ping`
    checks every time: a round trip and about a quarter of a small transaction's CPU, measured).

    A connection that sat idle is the one a database restart or a dropped link has most likely killed,
    so a quiet service never hands a dead one to a request. A busy one reuses connections within
    milliseconds; if the database restarts under it, the first statement on a dead connection fails,
    SQLAlchemy invalidates the whole pool, and the work is retried (a consumer's batch is redelivered; an
    HTTP client is told to send again). A failed check makes the pool open a fresh connection instead.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle connection no longer answers") from exc


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit (handlers read them back)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(script_location: Path, url: str) -> Config:
    """An Alembic configuration built in code (no alembic.ini to keep in step)."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(script_location: Path, url: str) -> None:
    """Bring a service's database to the latest revision.

    Alembic's env.py runs its own event loop, so it runs in a worker thread rather than nesting loops.
    Replicas starting together are serialised by an advisory lock (see `migration_env`).
    """
    await asyncio.to_thread(command.upgrade, alembic_config(script_location, url), "head")
