"""Operator commands that live in a service's own package, mounted on `peer-support`.

`peer-support account ...` is the web console's `peer_console.commands.app` (console accounts) and
`peer-support referrals ...` the referrals service's `peer_referrals.commands.app` (CSV import). Both
read their settings from the `PEER_...` environment, as the service does; the group options added
here point them at a database without it: `--database-url`, or else PEER_DATABASE_URL when set, or else
the running embedded installation's (`--data-dir`, default ./.peer-support), as that database's own role.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from peer_console.commands import app as account_app
from peer_referrals.commands import app as referrals_app
from peer_support_cli.commands.connection import DEFAULT_DATA_DIR, OperatorError, service_database_url

HELP_ASKED = "peer_support_cli.help_asked"


class _HelpAware(TyperGroup):
    """Notes whether help was asked for anywhere on the line: help needs no database."""

    # `ctx` is a context of typer's own (vendored, private) click.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse as usual, remembering whether a help option is among the arguments."""
        ctx.meta[HELP_ASKED] = any(arg in ctx.help_option_names for arg in args)
        return super().parse_args(ctx, args)


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data folder of the running embedded installation (as given to `up`); "
        f"default: {DEFAULT_DATA_DIR}",
        show_default=False,
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the database (postgresql+asyncpg://...); default: PEER_DATABASE_URL "
        "when set (and no --data-dir given), else the running embedded installation's.",
        show_default=False,
    ),
]


def _point_at_database(owner: str, needs_database: Collection[str]) -> Callable[..., None]:
    """A group callback that sets PEER_DATABASE_URL to `owner`'s database for the commands that need it."""

    def callback(ctx: typer.Context, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
        if ctx.invoked_subcommand not in needs_database or ctx.meta.get(HELP_ASKED):
            return
        if database_url is None and data_dir is None and "PEER_DATABASE_URL" in os.environ:
            return
        try:
            url = service_database_url(data_dir or DEFAULT_DATA_DIR, owner, database_url)
        except OperatorError as error:
            typer.secho(f"Error: {error}; or give --database-url", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from error
        os.environ["PEER_DATABASE_URL"] = url

    return callback


def mount(app: typer.Typer) -> None:
    """Add `account` and `referrals` to the operator command line."""
    mounts: list[tuple[typer.Typer, str, str, set[str], str]] = [
        (
            account_app,
            "account",
            "console",
            {"add", "lock", "unlock", "link-sso", "unlink-sso"},
            "Web console accounts: add, lock, unlock and link to a single sign-on identity (in the console's"
            " database).",
        ),
        (
            referrals_app,
            "referrals",
            "referrals",
            {"import-csv"},
            "Referrals: CSV batch import (into the referrals database), its template and columns.",
        ),
    ]
    for sub_app, name, owner, needs_database, help_text in mounts:
        app.add_typer(
            sub_app,
            name=name,
            cls=_HelpAware,
            callback=_point_at_database(owner, needs_database),
            help=help_text,
        )
