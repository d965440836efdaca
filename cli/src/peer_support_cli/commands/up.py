"""`peer-support up`: the whole platform on this machine, in the foreground."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import typer

from peer_shared.service import ServiceDescriptor
from peer_support_cli.commands.connection import DEFAULT_DATA_DIR, DataDirOption
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.services import CONSOLE, EVERYTHING, names
from peer_support_cli.up import Up


def _selected(only: str | None) -> list[ServiceDescriptor]:
    if only is None:
        return list(EVERYTHING)
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in names()]
    if unknown or not wanted:
        raise typer.BadParameter(
            f"unknown service {', '.join(unknown) or '(none given)'}; choose from {', '.join(names())}",
            param_hint="--only",
        )
    # Start-up order, whatever the order given: the log colours stay the same from run to run.
    return [service for service in EVERYTHING if service.name in wanted]


def up_command(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help="Comma-separated services to start, e.g. referrals,matching "
            "(default: every service and the web console).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start NATS, Postgres, the services and the web console, show their logs, and stop everything on
    Ctrl-C or SIGTERM.

    Default ports are used when free, free ones otherwise; the table printed once everything is
    ready says where each service listens.
    """
    data_option = "" if data_dir == DEFAULT_DATA_DIR else f" --data-dir {data_dir}"
    token_hint = f"peer-support token issue --role coordinator --subject <you>{data_option}"
    account_hint = f"peer-support account{data_option} add <username> --role coordinator --name '<name>'"

    def summary(infra: Infrastructure, urls: Mapping[str, str]) -> str:
        monitor = f"  (monitoring {infra.nats_monitor_url})" if infra.nats_monitor_url else ""
        rows = [(name, f"{url}/docs") for name, url in urls.items() if name != CONSOLE.name]
        if CONSOLE.name in urls:
            rows += [(CONSOLE.name, f"{urls[CONSOLE.name]}/  (web console)"), ("account", account_hint)]
        rows += [
            ("NATS", f"{infra.nats_url}{monitor}"),
            ("Postgres", f"{infra.postgres_host}:{infra.postgres_port}"),
            ("data", str(infra.data_dir)),
            ("logs", f"{infra.data_dir / 'logs'} (nats.log, postgres.log)"),
            ("token", token_hint),
        ]
        width = max(len(what) for what, _ in rows)
        return "\n".join(f"  {what.ljust(width)}  {where}" for what, where in rows)

    raise typer.Exit(Up(data_dir, _selected(only), summary=summary).run())
