"""The programme report for a period, from the reporting projections, shown as the reader may see it.

Coordinators see every figure unless they ask for disclosure control; commissioners only ever see the
report under disclosure control (small counts suppressed, derived figures withheld).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from peer_outcomes.domain.disclosure import disclose, plain
from peer_outcomes.domain.periods import Period
from peer_outcomes.domain.report import build_report
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store.group_reads import group_facts
from peer_outcomes.store.report_reads import mentee_facts, mentor_facts
from peer_shared.auth import Role


async def programme_figures(
    session: AsyncSession,
    settings: OutcomesSettings,
    period: Period,
    *,
    programme: str | None,
    reader: Role,
    disclosure: bool,
    now: datetime,
) -> dict[str, Any]:
    """The report's figures for `period` (optionally one programme), as a JSON-ready tree."""
    mentees = await mentee_facts(session, period, conditions=settings.conditions, programme=programme)
    mentors = await mentor_facts(session, conditions=settings.conditions)
    groups = await group_facts(session, conditions=settings.conditions, programme=programme)
    report = build_report(
        mentees, mentors, period, settings.locality_map(), generated_at=now, group_facts=groups
    )
    # A commissioner never gets the full figures, whatever they ask for.
    if disclosure or reader is Role.COMMISSIONER:
        return disclose(report.tree, report.constraints, settings.suppression_threshold)
    return plain(report.tree)
