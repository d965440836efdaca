"""HTTP API for programme reports: JSON, CSV and a self-contained HTML page.

Coordinators see every figure; commissioners only ever see the report under disclosure control (small
counts suppressed, derived figures withheld), whatever format they ask for.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from peer_outcomes.domain.disclosure import disclose, plain
from peer_outcomes.domain.periods import InvalidPeriod, Period, date_range, financial_quarter
from peer_outcomes.domain.report import build_report
from peer_outcomes.handlers.problems import problem_response
from peer_outcomes.render.csv_export import report_csv
from peer_outcomes.render.html_report import report_html
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store.report_reads import mentee_facts, mentor_facts
from peer_shared.auth import Principal, Role, require_roles
from peer_shared.contracts.programmes import ProgrammeCode
from peer_shared.runtime import ServiceRuntime

router = APIRouter(prefix="/reports", tags=["reports"])
Reader = Annotated[Principal, Depends(require_roles(Role.COORDINATOR, Role.COMMISSIONER))]


class PeriodRefused(Exception):
    """The report's period could not be understood."""


def _period(start: date | None, end: date | None, quarter: str | None) -> Period:
    if quarter is not None:
        if start is not None or end is not None:
            raise PeriodRefused("give either a quarter or a start and end date, not both")
        return financial_quarter(quarter)
    if start is None or end is None:
        raise PeriodRefused("give a quarter (e.g. 2025-26-Q1) or both start and end dates")
    return date_range(start, end)


async def _report(
    request: Request,
    principal: Principal,
    start: date | None,
    end: date | None,
    quarter: str | None,
    programme: str | None,
    disclosure: bool,
) -> dict[str, Any] | JSONResponse:
    try:
        period = _period(start, end, quarter)
    except (PeriodRefused, InvalidPeriod) as exc:
        return problem_response(422, "invalid-period", str(exc))
    runtime: ServiceRuntime = request.app.state.runtime
    settings = runtime.settings
    assert isinstance(settings, OutcomesSettings)
    async with runtime.sessions() as session:
        mentees = await mentee_facts(session, period, conditions=settings.conditions, programme=programme)
        mentors = await mentor_facts(session, conditions=settings.conditions)
    report = build_report(mentees, mentors, period, settings.locality_map(), generated_at=runtime.clock.now())
    # A commissioner never gets the full figures, whatever they ask for.
    if disclosure or principal.role is Role.COMMISSIONER:
        return disclose(report.tree, report.constraints, settings.suppression_threshold)
    return plain(report.tree)


StartQuery = Annotated[date | None, Query(description="First day of the period (with `end`)")]
EndQuery = Annotated[date | None, Query(description="Last day of the period, included (with `start`)")]
QuarterQuery = Annotated[
    str | None,
    Query(description="An NHS financial quarter instead of dates, e.g. `2025-26-Q1` (April-June 2025)"),
]
ProgrammeQuery = Annotated[ProgrammeCode | None, Query(description="Only this programme")]
DisclosureQuery = Annotated[
    bool, Query(description="Apply disclosure control (always applied for commissioners)")
]


@router.get("/programme", summary="Programme report (JSON)")
async def programme_report(
    request: Request,
    principal: Reader,
    start: StartQuery = None,
    end: EndQuery = None,
    quarter: QuarterQuery = None,
    programme: ProgrammeQuery = None,
    disclosure: DisclosureQuery = False,
) -> Any:
    """Activity and outcome figures for the period, overall and by programme, condition, locality and
    ethnic category."""
    return await _report(request, principal, start, end, quarter, programme, disclosure)


@router.get("/programme.csv", summary="Programme report (CSV)", response_class=Response)
async def programme_report_csv(
    request: Request,
    principal: Reader,
    start: StartQuery = None,
    end: EndQuery = None,
    quarter: QuarterQuery = None,
    programme: ProgrammeQuery = None,
    disclosure: DisclosureQuery = False,
) -> Response:
    """The same report, one figure per row: scope, group, measure, value."""
    report = await _report(request, principal, start, end, quarter, programme, disclosure)
    if isinstance(report, Response):
        return report
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="programme-report.csv"'},
    )


@router.get("/programme.html", summary="Programme report (HTML with charts)", response_class=HTMLResponse)
async def programme_report_html(
    request: Request,
    principal: Reader,
    start: StartQuery = None,
    end: EndQuery = None,
    quarter: QuarterQuery = None,
    programme: ProgrammeQuery = None,
    disclosure: DisclosureQuery = False,
) -> Response:
    """A self-contained page (inline SVG charts, no external resources) to open or e-mail."""
    report = await _report(request, principal, start, end, quarter, programme, disclosure)
    if isinstance(report, Response):
        return report
    return HTMLResponse(report_html(report))
