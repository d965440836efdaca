"""`peer-support account ...`: the operator manages console accounts (add, lock, unlock, link-sso,
unlink-sso).

A typer sub-app the operator CLI mounts; it works on the console's own database (PEER_DATABASE_URL of the
console), migrating it first.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from peer_console.domain.accounts import AccountError, new_account, sso_identity_of
from peer_console.domain.passwords import hash_password
from peer_console.settings import ConsoleSettings
from peer_console.store import MIGRATIONS, accounts_repo
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock
from peer_shared.db import make_engine, make_session_factory, migrate

app = typer.Typer(
    help="Console accounts: add, lock, unlock, and link to single sign-on.", no_args_is_help=True
)


async def add_account(
    database_url: str,
    username: str,
    name: str,
    role: Role,
    password: str,
    mentor_id: str | None = None,
    sso_identity: str | None = None,
) -> str:
    """Create an account; returns its id (`usr_...`). AccountError or ValueError if refused."""
    account = new_account(username, name, role, hash_password(password), mentor_id, sso_identity)
    await migrate(MIGRATIONS, database_url)
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_session_factory(engine).begin() as session:
            await accounts_repo.add(session, account, SystemClock().now())
    except IntegrityError:
        raise AccountError("username, mentor id or sso identity: already has an account") from None
    finally:
        await engine.dispose()
    return account.account_id


async def link_sso(database_url: str, username: str, identity: str | None) -> bool:
    """Link an account to a single sign-on identity (None: unlink); False if there is no such user.
    AccountError if the identity is malformed or already linked to another account."""
    stored = sso_identity_of(identity) if identity is not None else None
    await migrate(MIGRATIONS, database_url)
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_session_factory(engine).begin() as session:
            return await accounts_repo.set_sso_identity(session, username, stored)
    except IntegrityError:
        raise AccountError("sso identity: already linked to another account") from None
    finally:
        await engine.dispose()


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
    sso_identity: Annotated[
        str | None,
        typer.Option(help="Single sign-on: the provider's account claim value, e.g. jane.smith@nhs.net"),
    ] = None,
) -> None:
    """Add an account; the password is asked for (or read from standard input)."""
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        account_id = asyncio.run(add_account(_url(), username, name, role, password, mentor_id, sso_identity))
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


@app.command("link-sso")
def link_sso_command(username: str, identity: str) -> None:
    """Let a single sign-on identity (e.g. jane.smith@nhs.net) sign in as this account."""
    try:
        found = asyncio.run(link_sso(_url(), username, identity))
    except AccountError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    if not found:
        typer.echo(f"no account {username!r}", err=True)
        raise typer.Exit(1)


@app.command("unlink-sso")
def unlink_sso_command(username: str) -> None:
    """Stop single sign-on for this account (its password still works)."""
    if not asyncio.run(link_sso(_url(), username, None)):
        typer.echo(f"no account {username!r}", err=True)
        raise typer.Exit(1)
