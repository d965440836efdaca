"""Operator commands of the referrals service, mounted by the `peer-support` CLI (`referrals ...`).

`import-csv FILE` imports a GP practice export; `csv-template` writes the template and `csv-columns`
prints the column specification. Settings come from the `PEER_...` environment, as for the service.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from peer_referrals.feeds.csv.columns import specification, template
from peer_referrals.feeds.csv.importer import import_file
from peer_referrals.feeds.csv.reader import BadHeader
from peer_referrals.settings import ReferralsSettings

app = typer.Typer(help="Referrals: CSV batch import and its template.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("import-csv")
def import_csv(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file")],
    report: Annotated[
        Path | None, typer.Option(help="Where to write the per-row error report (default: FILE.errors.csv)")
    ] = None,
) -> None:
    """Import referrals from a CSV file: good rows are stored, bad rows listed in the error report.

    Safe to re-run on the same file: rows already imported are skipped. Exit code 1 if any row failed,
    2 if the file's header is not the documented one (nothing is imported then).
    """
    report_path = report or file.with_name(f"{file.stem}.errors.csv")
    total = _count_rows(file)
    with Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("rows", total=total)
        try:
            summary = asyncio.run(
                import_file(ReferralsSettings(), file, report_path, lambda n: bar.advance(task, n))
            )
        except BadHeader as exc:
            console.print(f"[red]The header is not the documented one:[/red] {exc}")
            raise typer.Exit(2) from None
    console.print(
        f"{summary.rows} rows: {summary.imported} imported, {summary.already_imported} already imported, "
        f"{summary.failed} with errors ({summary.flagged_duplicates} flagged as possible duplicates)"
    )
    if summary.failed:
        console.print(f"Errors are listed in {report_path}")
        raise typer.Exit(1)


@app.command("csv-template")
def csv_template(
    out: Annotated[Path, typer.Option(help="Where to write the template")] = Path("referrals-template.csv"),
) -> None:
    """Write the CSV template: the documented header and one example row."""
    out.write_text(template(), newline="")
    console.print(f"Template written to {out}")


@app.command("csv-columns")
def csv_columns() -> None:
    """Print the column specification."""
    typer.echo(specification(), nl=False)


def _count_rows(file: Path) -> int:
    with file.open("rb") as source:
        return max(0, sum(1 for _ in source) - 1)
