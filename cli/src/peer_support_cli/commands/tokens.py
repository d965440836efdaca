"""`peer-support token`: bearer tokens for the services' HTTP APIs, signed with the operator key."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import jwt
import nats
import typer

from peer_shared.auth.revocation import revoke
from peer_shared.auth.tokens import MAX_TOKEN_TTL, Role, issue_token, load_private_key
from peer_shared.clock import Clock, SystemClock, to_london
from peer_support_cli.commands.connection import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    OperatorError,
    operator_nats,
    reports_errors,
    run,
)
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER

app = typer.Typer(help="Issue and revoke bearer tokens for the services' HTTP APIs.", no_args_is_help=True)

_DURATION_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_ttl(text: str) -> timedelta:
    """A lifetime such as `8h`, `30m`, `7d` or `1h30m`."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise typer.BadParameter(f"{text!r} is not a duration such as 8h, 30m, 7d or 1h30m")
    return sum((timedelta(**{_UNITS[unit]: int(number)}) for number, unit in parts), timedelta())


def issue(data_dir: Path, *, role: Role, subject: str, ttl: timedelta, clock: Clock) -> str:
    """A token for subject acting as role, signed with the data folder's issuer key."""
    key_path = data_dir.expanduser() / "keys" / "issuer.key"
    if not key_path.exists():
        raise OperatorError(f"no signing key at {key_path}: run `peer-support up --data-dir {data_dir}` once")
    try:
        return issue_token(
            load_private_key(key_path),
            issuer=OPERATOR_ISSUER,
            role=role,
            subject=subject,
            ttl=ttl,
            clock=clock,
        )
    except ValueError as error:
        raise OperatorError(str(error)) from error


def token_identity(token_or_id: str, clock: Clock) -> tuple[str, datetime]:
    """(jti, expiry) of a token; a bare id may belong to a token of the longest lifetime."""
    if token_or_id.count(".") != 2:
        return token_or_id, clock.now() + MAX_TOKEN_TTL
    try:
        # Revoking is harmless, so the signature does not matter here: only which id to refuse.
        claims = jwt.decode(token_or_id, options={"verify_signature": False})
        return str(claims["jti"]), datetime.fromtimestamp(claims["exp"], UTC)
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError) as error:
        raise OperatorError(f"not a token with jti and exp claims: {error}") from error


async def revoke_token(
    nats_url: str, user: str, password: str | None, token_id: str, expires_at: datetime
) -> None:
    """Record the revocation in the shared bucket; every service refuses the token within moments."""
    client = await nats.connect(
        nats_url, user=user, password=password, connect_timeout=5, allow_reconnect=False
    )
    try:
        await revoke(client.jetstream(), token_id, expires_at)
    finally:
        await client.drain()


@app.command("issue")
@reports_errors
def issue_command(
    role: Annotated[Role, typer.Option("--role", help="What the token holder may do.")],
    subject: Annotated[str, typer.Option("--subject", help="Who the token is for (user name or id).")],
    ttl: Annotated[
        str, typer.Option("--ttl", help=f"Lifetime, e.g. 8h, 30m, 7d (at most {MAX_TOKEN_TTL.days} d).")
    ] = "8h",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Print a signed token (stdout: the token alone, for `$(...)`); its expiry goes to stderr."""
    clock = SystemClock()
    lifetime = parse_ttl(ttl)
    token = issue(data_dir, role=role, subject=subject, ttl=lifetime, clock=clock)
    typer.echo(token)
    expires = to_london(clock.now() + lifetime).strftime("%Y-%m-%d %H:%M %Z")
    typer.echo(f"{role.value} token for {subject}, valid until {expires}", err=True)


@app.command("revoke")
@reports_errors
def revoke_command(
    token: Annotated[
        str, typer.Argument(help="The token itself, or its id (jti claim).", show_default=False)
    ],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    nats_url: Annotated[
        str | None,
        typer.Option(
            "--nats-url",
            help="NATS server to record the revocation on (password from PEER_NATS_OPERATOR_PASSWORD); "
            "default: the running embedded installation's.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Revoke a token on every service, until it would have expired anyway."""
    token_id, expires_at = token_identity(token, SystemClock())
    url, user, password = operator_nats(data_dir, nats_url)
    run(revoke_token(url, user, password, token_id, expires_at))
    typer.echo(f"revoked {token_id}")
