"""`peer-support replay outcomes`: rebuild the reporting read models from the start of the streams."""

from __future__ import annotations

from pathlib import Path

import typer

from peer_outcomes.commands import run as rebuild
from peer_outcomes.service import SERVICE as OUTCOMES
from peer_outcomes.settings import OutcomesSettings
from peer_support_cli.commands.connection import (
    DEFAULT_DATA_DIR,
    DatabaseUrlOption,
    DataDirOption,
    read_runtime,
    reports_errors,
    run,
    service_database_url,
)
from peer_support_cli.embedded.credentials import load_or_create_secrets

app = typer.Typer(help="Rebuild read models from the streams.", no_args_is_help=True)


@app.command("outcomes")
@reports_errors
def replay_outcomes(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, database_url: DatabaseUrlOption = None
) -> None:
    """Empty the outcomes service's reporting projections and re-read every stream from the start.

    Safe while the service runs (projections are idempotent); reports asked for meanwhile are partial.
    """
    folder = Path(data_dir)
    runtime = read_runtime(folder)
    user_password = load_or_create_secrets(folder.expanduser().resolve()).nats[OUTCOMES.name]
    settings = OutcomesSettings(
        database_url=service_database_url(folder, OUTCOMES.name, database_url),
        nats_url=runtime.nats_url,
        nats_user=OUTCOMES.name,
        nats_password=user_password,
    )
    result = run(rebuild(settings))
    typer.echo(
        f"rebuilt from {result.events} events in {result.seconds:.1f} s "
        f"({result.events_per_second:,.0f} events/s); skipped {result.skipped}"
    )
