"""Reading and writing accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from peer_console.domain.accounts import Account
from peer_console.store.tables import accounts
from peer_shared.auth.tokens import Role


def _account(row: RowMapping) -> Account:
    return Account(
        account_id=row["account_id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        mentor_id=row["mentor_id"],
        password_hash=row["password_hash"],
        disabled=row["disabled"],
        failed_attempts=row["failed_attempts"],
        locked_until=row["locked_until"],
        sso_identity=row["sso_identity"],
    )


async def add(session: AsyncSession, account: Account, now: datetime) -> None:
    """Store a new account."""
    await session.execute(
        insert(accounts).values(
            account_id=account.account_id,
            username=account.username,
            display_name=account.display_name,
            role=account.role.value,
            mentor_id=account.mentor_id,
            password_hash=account.password_hash,
            disabled=account.disabled,
            failed_attempts=0,
            created_at=now,
            sso_identity=account.sso_identity,
        )
    )


async def by_username(session: AsyncSession, username: str, *, for_update: bool = False) -> Account | None:
    """The account with this user name (case-insensitive), if any."""
    query = select(accounts).where(accounts.c.username == username.strip().lower())
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).mappings().first()
    return _account(row) if row else None


async def by_sso_identity(
    session: AsyncSession, identity: str, *, for_update: bool = False
) -> Account | None:
    """The account linked to this single sign-on identity (already in its stored form), if any."""
    query = select(accounts).where(accounts.c.sso_identity == identity)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).mappings().first()
    return _account(row) if row else None


async def by_id(session: AsyncSession, account_id: str) -> Account | None:
    """The account with this id, if any."""
    row = (await session.execute(select(accounts).where(accounts.c.account_id == account_id))).mappings()
    found = row.first()
    return _account(found) if found else None


async def save_attempt(session: AsyncSession, account: Account, signed_in_at: datetime | None) -> None:
    """Record the outcome of a sign-in attempt (failure count, lockout, last sign-in)."""
    values: dict[str, object] = {
        "failed_attempts": account.failed_attempts,
        "locked_until": account.locked_until,
        "disabled": account.disabled,
    }
    if signed_in_at is not None:
        values["last_sign_in_at"] = signed_in_at
    await session.execute(update(accounts).where(accounts.c.account_id == account.account_id).values(values))


async def set_disabled(session: AsyncSession, username: str, disabled: bool) -> bool:
    """Lock (disable) or unlock an account; unlocking also clears failures. False if there is no such user."""
    values: dict[str, object] = {"disabled": disabled}
    if not disabled:
        values |= {"failed_attempts": 0, "locked_until": None}
    result = await session.execute(
        update(accounts).where(accounts.c.username == username.strip().lower()).values(values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def set_sso_identity(session: AsyncSession, username: str, identity: str | None) -> bool:
    """Link an account to a single sign-on identity (None: unlink). False if there is no such user."""
    result = await session.execute(
        update(accounts).where(accounts.c.username == username.strip().lower()).values(sso_identity=identity)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def count(session: AsyncSession) -> int:
    """How many accounts there are."""
    return int((await session.execute(select(func.count()).select_from(accounts))).scalar_one())
