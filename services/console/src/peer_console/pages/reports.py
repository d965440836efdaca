"""The programme report for commissioners (and coordinators): the outcomes service's report with its
charts; filters for the period (any dates, or an NHS financial quarter), the programme, and one breakdown
(programme, condition, locality or ethnic category, optionally one group of it); a section per group
programme (cohorts, attendance, how places ended, outcome measures); and the CSV download,
which honours the same filters. Aggregates only: the outcomes service applies disclosure control to every
commissioner request, whatever is asked, and the console only ever drops figures from what it returns."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.pages import Area
from peer_console.domain.report_filters import (
    BREAKDOWNS,
    COLUMNS,
    PERIODS,
    ReportFilters,
    breakdown_rows,
    filter_csv,
    groups_of,
    quarter_choices,
    read_filters,
)
from peer_console.domain.report_groups import SCALE_COLUMNS, group_sections
from peer_console.pages.web import SignedIn, apis_of, console_of, render
from peer_console.service_apis import Api, ApiError
from peer_shared.clock import uk_today

router = APIRouter(prefix="/report")
Reader = Annotated[Account, Depends(SignedIn(Area.REPORTS))]


def _filters(request: Request) -> ReportFilters:
    today = uk_today(console_of(request).clock)
    return read_filters(request.query_params, today)


def _period_field(filters: ReportFilters) -> str:
    return "quarter" if "quarter" in filters.query else "start"


@router.get("")
async def report(request: Request, account: Reader) -> Response:
    """The report page: filters, the chosen breakdown, the report with charts (embedded), and the CSV."""
    filters = _filters(request)
    found: dict[str, Any] | None = None
    if not filters.errors:
        try:
            found = await apis_of(request).get(account, Api.OUTCOMES, "/reports/programme", **filters.query)
        except ApiError as exc:
            if exc.status != 422:
                raise
            about_programme = any(f.endswith("programme") for f in exc.fields)
            filters.errors["programme" if about_programme else _period_field(filters)] = exc.message
    groups: list[tuple[str, str]] = []
    rows: list[tuple[str, list[str]]] = []
    if found is not None and filters.breakdown:
        groups = groups_of(found, filters.breakdown)
        if filters.group and filters.group not in {code for code, _ in groups}:
            filters.errors["group"] = "Choose one of the breakdown's groups, or all of them"
        else:
            rows = breakdown_rows(found, filters.breakdown, filters.group)
    today = uk_today(console_of(request).clock)
    return render(
        request,
        "report.html",
        422 if filters.errors else 200,
        title="Programme report",
        errors=filters.errors,
        values=filters.values,
        periods=PERIODS,
        quarters=quarter_choices(today, filters.values.get("quarter", "")),
        breakdowns=BREAKDOWNS,
        breakdown_title=dict(BREAKDOWNS).get(filters.breakdown, ""),
        groups=[("", "All groups"), *groups],
        columns=[label for _, label in COLUMNS],
        rows=rows,
        disclosure=(found or {}).get("disclosure", {}),
        period_label=(found or {}).get("period", {}).get("label", ""),
        link=urlencode(filters.link_query()),
        group_sections=group_sections(found or {}),
        scale_columns=[label for _, label in SCALE_COLUMNS],
    )


@router.get("/view")
async def report_view(request: Request, account: Reader) -> Response:
    """The outcomes service's self-contained report page (inline SVG charts), shown in the report page."""
    filters = _filters(request)
    response = await apis_of(request).send(
        account, Api.OUTCOMES, "GET", "/reports/programme.html", params=filters.query
    )
    return HTMLResponse(
        response.text,
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"},
    )


@router.get(".csv")
async def report_csv(request: Request, account: Reader) -> Response:
    """The report as CSV, one figure per row; with a breakdown chosen, only the whole programme's rows and
    that breakdown's (or its one group's)."""
    filters = _filters(request)
    if filters.errors:
        message = " ".join(filters.errors.values()) + ". Go back to the report to change the filters."
        return render(request, "error.html", 422, title="The report cannot be downloaded", message=message)
    response = await apis_of(request).send(
        account, Api.OUTCOMES, "GET", "/reports/programme.csv", params=filters.query
    )
    text = filter_csv(response.text, filters.breakdown, filters.group)
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filters.csv_filename()}"'},
    )
