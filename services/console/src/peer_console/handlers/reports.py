"""The programme report for commissioners (and coordinators): the outcomes service's report with its
charts, period and programme filters, and the CSV download. Aggregates only: the outcomes service
applies disclosure control to every commissioner request, whatever is asked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.pages import Area
from peer_console.handlers.coordinator import apis_of
from peer_console.handlers.service_apis import Api, ApiError
from peer_console.handlers.web import SignedIn, render
from peer_shared.clock import to_london

router = APIRouter(prefix="/report")
Reader = Annotated[Account, Depends(SignedIn(Area.REPORTS))]


def _filters(request: Request, start: str, end: str, programme: str) -> tuple[dict[str, str], dict[str, str]]:
    """The query for the outcomes API, and errors by field (dates are YYYY-MM-DD)."""
    today = to_london(request.app.state.console.clock.now()).date()
    query = {"start": start or (today - timedelta(days=365)).isoformat(), "end": end or today.isoformat()}
    errors = {}
    for name in ("start", "end"):
        try:
            date.fromisoformat(query[name])
        except ValueError:
            errors[name] = f"Enter the {name} date as YYYY-MM-DD"
    if programme:
        query["programme"] = programme
    return query, errors


@router.get("")
async def report(
    request: Request, account: Reader, start: str = "", end: str = "", programme: str = ""
) -> Response:
    """The report page: filters, the report with charts (embedded), and the CSV download link."""
    query, errors = _filters(request, start, end, programme)
    if not errors:
        try:
            await apis_of(request).get(account, Api.OUTCOMES, "/reports/programme", **query)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors["start"] = exc.message
    status = 422 if errors else 200
    return render(
        request,
        "report.html",
        status,
        title="Programme report",
        query=query,
        errors=errors,
        programme=programme,
    )


@router.get("/view")
async def report_view(
    request: Request, account: Reader, start: str = "", end: str = "", programme: str = ""
) -> Response:
    """The outcomes service's self-contained report page (inline SVG charts), shown in the report page."""
    query, _ = _filters(request, start, end, programme)
    response = await apis_of(request).send(
        account, Api.OUTCOMES, "GET", "/reports/programme.html", params=query
    )
    return HTMLResponse(
        response.text,
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"},
    )


@router.get(".csv")
async def report_csv(
    request: Request, account: Reader, start: str = "", end: str = "", programme: str = ""
) -> Response:
    """The report as CSV, one figure per row."""
    query: dict[str, Any]
    query, _ = _filters(request, start, end, programme)
    response = await apis_of(request).send(
        account, Api.OUTCOMES, "GET", "/reports/programme.csv", params=query
    )
    filename = f"programme-report-{query['start']}-to-{query['end']}.csv"
    return Response(
        response.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
