"""Where a CSV batch is imported: every row validated, the good ones stored, the bad ones reported.

Rows are stored a batch at a time (one transaction each, the referrals and their outbox rows together), so
a crash loses at most the batch in hand, and re-running the file skips every row already imported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TextIO

from peer_referrals.domain.problems import InvalidReferral, Problem
from peer_referrals.domain.validation import ReferralPolicy, ValidReferral, validate
from peer_referrals.feeds.csv.reader import Row, read_rows
from peer_referrals.settings import ReferralsSettings
from peer_referrals.store import MIGRATIONS
from peer_referrals.use_cases.intake import receive
from peer_referrals.use_cases.reception import referral_policy
from peer_shared.clock import Clock, clock_from_setting, uk_today
from peer_shared.db import SessionFactory, make_engine, make_session_factory, migrate
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import unit_of_work

log = get_logger(__name__)
BATCH_SIZE = 500
REPORT_COLUMNS = ("line", "row_key", "column", "problem", "message")


@dataclass
class ImportSummary:
    """What an import did."""

    rows: int = 0
    imported: int = 0
    already_imported: int = 0
    flagged_duplicates: int = 0
    failed: int = 0


async def import_rows(
    rows: Iterable[Row],
    *,
    sessions: SessionFactory,
    clock: Clock,
    policy: ReferralPolicy,
    submitted_by: str,
    report: TextIO,
    progress: Callable[[int], None] = lambda _rows: None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import parsed rows, writing one report line per problem; `progress` gets each batch's row count."""
    summary = ImportSummary()
    writer = csv.writer(report, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for batch in _batches(rows, batch_size):
        today = uk_today(clock)
        good: list[ValidReferral] = []
        for row in batch:
            problems = list(row.problems)
            if row.submission is not None:
                try:
                    good.append(validate(row.submission, policy, today))
                except InvalidReferral as exc:
                    problems = exc.problems
            for problem in problems:
                writer.writerow(_report_line(row, problem))
            summary.failed += bool(problems)
        if good:
            async with unit_of_work(sessions, clock) as uow:
                results = await receive(uow, good, submitted_by=submitted_by)
            summary.imported += sum(r.created for r in results)
            summary.already_imported += sum(not r.created for r in results)
            summary.flagged_duplicates += sum(r.duplicate_of is not None for r in results)
        summary.rows += len(batch)
        progress(len(batch))
    log.info("CSV import finished", **vars(summary))
    return summary


async def import_file(
    settings: ReferralsSettings,
    path: Path,
    report_path: Path,
    progress: Callable[[int], None] = lambda _rows: None,
) -> ImportSummary:
    """Import a CSV file into the referrals database named by `settings`; the report goes to `report_path`.

    The service's outbox relay (whenever the service runs) publishes the events of the imported rows.
    `BadHeader` is raised, and nothing imported, when the header is not the documented one.
    """
    url = settings.database_url.get_secret_value()
    await migrate(MIGRATIONS, url)
    engine = make_engine(url, pool_size=2)
    try:
        with (
            path.open(newline="", encoding="utf-8-sig") as source,
            report_path.open("w", newline="") as report,
        ):
            return await import_rows(
                read_rows(source),
                sessions=make_session_factory(engine),
                clock=clock_from_setting(settings.clock_start, settings.clock_file),
                policy=referral_policy(settings),
                submitted_by=f"csv:{path.name}",
                report=report,
                progress=progress,
            )
    finally:
        await engine.dispose()


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _report_line(row: Row, problem: Problem) -> list[object]:
    return [row.line, row.row_key, problem.location, problem.code.value, problem.message]
