"""Database plumbing: one async engine per service, sessions, and Alembic migrations run at start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionFactory = async_sessionmaker[AsyncSession]


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine. Build it in the app's lifespan, never at import time.

    ``hide_parameters`` keeps statement parameters (NHS numbers, names, notes) out of the text of database
    errors, which end up in logs.
    """
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
    )


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
