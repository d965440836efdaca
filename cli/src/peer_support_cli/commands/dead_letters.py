"""`peer-support dead-letters`: messages a consumer gave up on, shown and replayed once the cause is fixed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from peer_shared.clock import SystemClock, to_london
from peer_shared.messaging.dead_letters import DeadLetter, list_dead_letters
from peer_shared.messaging.replay import ReplayResult, replay_dead_letters
from peer_shared.messaging.subscription import Subscription
from peer_support_cli.commands.connection import (
    DEFAULT_DATA_DIR,
    DatabaseUrlOption,
    DataDirOption,
    OperatorError,
    ServiceOption,
    database_sessions,
    reports_errors,
    run,
    service_database_url,
)

app = typer.Typer(
    help="Inspect and replay dead letters (messages a consumer gave up on).", no_args_is_help=True
)


async def fetch_dead_letters(database_url: str, *, include_replayed: bool) -> list[DeadLetter]:
    """The service's dead letters, oldest first (waiting ones only unless include_replayed)."""
    async with database_sessions(database_url) as sessions, sessions() as session:
        return await list_dead_letters(session, include_replayed=include_replayed)


async def replay(
    database_url: str, subscriptions: list[Subscription], letter_ids: list[int] | None
) -> list[ReplayResult]:
    """Apply waiting dead letters (all, or the given ids) with the service's own handlers."""
    async with database_sessions(database_url) as sessions:
        return await replay_dead_letters(sessions, subscriptions, SystemClock(), letter_ids=letter_ids)


def _when(letter: DeadLetter) -> str:
    if letter.replayed_at is not None:
        return to_london(letter.replayed_at).strftime("%Y-%m-%d %H:%M %Z")
    if letter.replay_error is not None:
        return f"failed again: {letter.replay_error}"
    return "no"


@app.command("list")
@reports_errors
def list_command(
    service: ServiceOption,
    include_replayed: Annotated[
        bool, typer.Option("--all", help="Include dead letters already replayed.")
    ] = False,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """List a service's dead letters (times in Europe/London)."""
    url = service_database_url(data_dir, service.name, database_url)
    letters = run(fetch_dead_letters(url, include_replayed=include_replayed))
    table = Table("id", "consumer", "subject", "attempts", "error", "dead-lettered at", "replayed")
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.consumer,
            letter.subject,
            str(letter.attempts),
            letter.error,
            to_london(letter.dead_lettered_at).strftime("%Y-%m-%d %H:%M %Z"),
            _when(letter),
        )
    console = Console()
    if letters:
        console.print(table)
    else:
        console.print(f"No {'' if include_replayed else 'waiting '}dead letters in {service.name}.")


@app.command("replay")
@reports_errors
def replay_command(
    service: ServiceOption,
    letter_ids: Annotated[
        list[int] | None, typer.Option("--id", help="A dead letter to replay (repeatable).")
    ] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every waiting dead letter.")] = False,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Replay dead letters through the service's handlers; each applies at most once (inbox).

    Exits with code 1 if any letter fails again (it stays waiting with its new error).
    """
    if bool(letter_ids) == replay_all:
        raise typer.BadParameter("give either --id (one or more) or --all")
    if service.subscriptions is None:
        raise OperatorError(f"{service.name} consumes no events, so it has no dead letters")
    subscriptions = list(service.subscriptions(service.settings()))
    url = service_database_url(data_dir, service.name, database_url)
    results = run(replay(url, subscriptions, letter_ids or None))
    for result in results:
        if result.error is not None:
            typer.secho(f"{result.letter_id}: failed again: {result.error}", fg=typer.colors.RED)
        else:
            outcome = (
                "applied"
                if result.applied
                else "nothing applied (already processed, or no handler for its type)"
            )
            typer.echo(f"{result.letter_id}: {outcome}")
    missing = sorted(set(letter_ids or ()) - {result.letter_id for result in results})
    if missing:
        typer.echo(f"not waiting (unknown or already replayed): {', '.join(map(str, missing))}")
    if not results and replay_all:
        typer.echo(f"No waiting dead letters in {service.name}.")
    if any(result.error is not None for result in results) or missing:
        raise typer.Exit(1)
