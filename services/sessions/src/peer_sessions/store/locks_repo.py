"""Transaction-scoped advisory locks that serialise work on one mentor or one referral.

Lock order, everywhere: referral, then mentor, then pairing rows. Taking them in one order keeps two
transactions from waiting on each other.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_LOCK = "pg_advisory_xact_lock(hashtextextended({}, 0))"


async def lock_referral_and_mentor(session: AsyncSession, referral_id: str, mentor_id: str) -> None:
    """Serialise a match with a withdrawal of its referral and with news about its mentor (one round trip)."""
    statement = f"SELECT {_LOCK.format(':referral')}, {_LOCK.format(':mentor')}"
    await session.execute(
        text(statement),
        {"referral": f"sessions:referral:{referral_id}", "mentor": f"sessions:mentor:{mentor_id}"},
    )


async def lock_referral(session: AsyncSession, referral_id: str) -> None:
    """Serialise a withdrawal and a match of the same referral."""
    await _lock(session, f"sessions:referral:{referral_id}")


async def lock_mentor(session: AsyncSession, mentor_id: str) -> None:
    """Serialise what depends on a mentor's other sessions or availability (overlaps, pauses)."""
    await _lock(session, f"sessions:mentor:{mentor_id}")


async def _lock(session: AsyncSession, key: str) -> None:
    await session.execute(text(f"SELECT {_LOCK.format(':key')}"), {"key": key})
