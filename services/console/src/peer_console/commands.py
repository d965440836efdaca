"""`peer-support account ...`: the operator manages console accounts (add, lock, unlock).

A typer sub-app the operator CLI mounts; it works on the console's own database (PEER_DATABASE_URL of the
console), migrating it first.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from peer_console.domain.accounts import AccountError, new_account
from peer_console.handlers.passwords import hash_password
from peer_console.settings import ConsoleSettings
from peer_console.store import MIGRATIONS, accounts_repo
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock
from peer_shared.db import make_engine, make_session_factory, migrate

app = typer.Typer(help="Console accounts: add, lock and unlock.", no_args_is_help=True)


async def add_account(
    database_url: str, username: str, name: str, role: Role, password: str, mentor_id: str | None = None
) -> str:
    """Create an account; returns its id (`usr_...`). AccountError or ValueError if refused."""
    account = new_account(username, name, role, hash_password(password), mentor_id)
    await migrate(MIGRATIONS, database_url)
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_session_factory(engine).begin() as session:
            await accounts_repo.add(session, account, SystemClock().now())
    except IntegrityError:
        raise AccountError("username or mentor id: already has an account") from None
    finally:
        await engine.dispose()
    return account.account_id


async def set_locked(database_url: str, username: str, locked: bool) -> bool:
    """Lock or unlock an account; False if there is no such user."""
    await migrate(MIGRATIONS, database_url)
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_session_factory(engine).begin() as session:
            return await accounts_repo.set_disabled(session, username, locked)
    finally:
        await engine.dispose()


def _url() -> str:
    return ConsoleSettings().database_url.get_secret_value()


@app.command("add")
def add(
    username: str,
    role: Annotated[Role, typer.Option(help="coordinator, mentor or commissioner")],
    name: Annotated[str, typer.Option(help="The person's name as shown in the console")],
    mentor_id: Annotated[str | None, typer.Option(help="For a mentor: their mnt_ id in matching")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Add an account; the password is asked for (or read from standard input)."""
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        account_id = asyncio.run(add_account(_url(), username, name, role, password, mentor_id))
    except (AccountError, ValueError) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(account_id)


@app.command("lock")
def lock(username: str) -> None:
    """Lock an account: it cannot sign in, and its open sessions end at their next request."""
    if not asyncio.run(set_locked(_url(), username, True)):
        typer.echo(f"no account {username!r}", err=True)
        raise typer.Exit(1)


@app.command("unlock")
def unlock(username: str) -> None:
    """Unlock an account and forget its failed sign-ins."""
    if not asyncio.run(set_locked(_url(), username, False)):
        typer.echo(f"no account {username!r}", err=True)
        raise typer.Exit(1)
