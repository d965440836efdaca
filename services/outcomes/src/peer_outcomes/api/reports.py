"""HTTP API for programme reports: JSON, CSV and a self-contained HTML page.

The three formats take the same query and show the same figures: the report is one dependency, so a
commissioner's CSV or HTML cannot show more than their JSON.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from peer_events.programmes import ProgrammeCode
from peer_outcomes.api.dependencies import Settings
from peer_outcomes.api.rendering.csv_export import report_csv
from peer_outcomes.api.rendering.html_report import report_html
from peer_outcomes.domain.periods import requested_period
from peer_outcomes.use_cases.reports import programme_figures
from peer_shared.http.dependencies import CoordinatorOrCommissioner, Runtime
from peer_shared.http.problems import problem_responses

router = APIRouter(
    prefix="/reports",
    tags=["reports"],
    responses=problem_responses(422, s422="The period cannot be reported on (`code`: invalid-period)"),
)

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


async def report_figures(
    principal: CoordinatorOrCommissioner,
    runtime: Runtime,
    settings: Settings,
    start: StartQuery = None,
    end: EndQuery = None,
    quarter: QuarterQuery = None,
    programme: ProgrammeQuery = None,
    disclosure: DisclosureQuery = False,
) -> dict[str, Any]:
    """The report the query asks for, as the caller may see it."""
    period = requested_period(start, end, quarter)
    async with runtime.sessions() as session:
        return await programme_figures(
            session,
            settings,
            period,
            programme=programme,
            reader=principal.role,
            disclosure=disclosure,
            now=runtime.clock.now(),
        )


Report = Annotated[dict[str, Any], Depends(report_figures)]


@router.get("/programme", summary="Programme report (JSON)")
async def programme_report(report: Report) -> Any:
    """Activity and outcome figures for the period, overall and by programme, condition, locality and
    ethnic category; and `group_programmes`: a section per group programme (cohorts, attendance,
    completion and drop-out, C19-YRSm and ONS4 change against the minimal important differences)."""
    return report


@router.get("/programme.csv", summary="Programme report (CSV)", response_class=Response)
async def programme_report_csv(report: Report) -> Response:
    """The same report, one figure per row: scope, group, measure, value."""
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="programme-report.csv"'},
    )


@router.get("/programme.html", summary="Programme report (HTML with charts)", response_class=HTMLResponse)
async def programme_report_html(report: Report) -> Response:
    """A self-contained page (inline SVG charts, no external resources) to open or e-mail."""
    return HTMLResponse(report_html(report))
