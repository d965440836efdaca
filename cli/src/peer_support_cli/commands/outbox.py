"""`peer-support outbox`: the transactional outbox's backlog, and re-publishing after a broker disaster."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from peer_shared.clock import LONDON, to_london
from peer_shared.messaging.outbox import mark_for_republish, pending_summary
from peer_support_cli.commands.connection import (
    DEFAULT_DATA_DIR,
    DatabaseUrlOption,
    DataDirOption,
    ServiceOption,
    database_sessions,
    reports_errors,
    run,
    service_database_url,
)

app = typer.Typer(help="Outbox backlog and re-publishing of published events.", no_args_is_help=True)


async def republish(database_url: str, since: datetime) -> int:
    """Mark every published event created since `since` to be published again; return how many."""
    async with database_sessions(database_url) as sessions, sessions() as session, session.begin():
        return await mark_for_republish(session, since)


async def backlog(database_url: str) -> tuple[int, float]:
    """(events waiting to be published, age in seconds of the oldest one)."""
    async with database_sessions(database_url) as sessions, sessions() as session:
        return await pending_summary(session)


def parse_since(value: str) -> datetime:
    """An ISO 8601 instant; one without an offset is Europe/London time, as the platform shows times."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time such as 2026-11-01T00:00Z") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LONDON)


@app.command("republish")
@reports_errors
def republish_command(
    service: ServiceOption,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            help="Re-publish events created at or after this time (ISO 8601, e.g. 2026-11-01T00:00Z; "
            "without an offset: Europe/London).",
        ),
    ],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Queue a service's published events again; its running relay publishes them.

    Harmless to repeat: JetStream de-duplicates by event id and every consumer's inbox skips
    events it has processed.
    """
    moment = parse_since(since)
    url = service_database_url(data_dir, service.name, database_url)
    count = run(republish(url, moment))
    shown = to_london(moment).strftime("%Y-%m-%d %H:%M %Z")
    typer.echo(f"{count} events of {service.name} since {shown} queued for re-publishing.")


@app.command("status")
@reports_errors
def status_command(
    service: ServiceOption,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Show how many events wait to be published and how old the oldest one is."""
    url = service_database_url(data_dir, service.name, database_url)
    pending, lag = run(backlog(url))
    typer.echo(f"{service.name}: {pending} events waiting to be published; oldest {lag:.1f} s old.")
