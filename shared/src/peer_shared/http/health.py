"""`/healthz` (alive), `/readyz` (database reachable; broker and outbox reported) and `/metrics`.

A NATS outage does not make a service unready: accepting work while the broker is down is what the
outbox is for. The outbox lag and dead letters are reported so an operator can see the backlog. A
process without a bus (the web console) reports its database only.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from peer_shared.messaging.dead_letters import waiting_count
from peer_shared.messaging.outbox import pending_summary
from peer_shared.metrics import DEAD_LETTERS, OUTBOX_LAG, OUTBOX_PENDING
from peer_shared.runtime import DatabaseRuntime, ServiceRuntime

router = APIRouter(tags=["operations"])
DATABASE_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    """Liveness: answers while the event loop runs."""
    return {"status": "alive"}


@router.get("/readyz", summary="Ready to take work: database reachable")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when the database answers; NATS status and outbox lag are reported alongside."""
    runtime: DatabaseRuntime = request.app.state.runtime
    body: dict[str, Any] = {"service": runtime.settings.service_name}
    if isinstance(runtime, ServiceRuntime):
        body["nats"] = "connected" if runtime.bus is not None and runtime.bus.connected else "disconnected"
    try:
        body.update(await asyncio.wait_for(_backlog(runtime), DATABASE_TIMEOUT_SECONDS))
        body["database"] = "ok"
        status = 200
    except Exception as exc:
        body["database"] = f"unreachable: {type(exc).__name__}"
        status = 503
    body["status"] = "ready" if status == 200 else "not ready"
    return JSONResponse(body, status_code=status)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """Prometheus exposition; backlog gauges are read from the database at scrape time."""
    runtime: DatabaseRuntime = request.app.state.runtime
    # On a database outage the gauges keep their last value; /readyz reports the outage.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(_backlog(runtime), DATABASE_TIMEOUT_SECONDS)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _backlog(runtime: DatabaseRuntime) -> dict[str, Any]:
    async with runtime.sessions() as session:
        await session.execute(text("SELECT 1"))
        if not isinstance(runtime, ServiceRuntime):
            return {}
        pending, lag = await pending_summary(session)
        dead = await waiting_count(session)
    service = runtime.settings.service_name
    OUTBOX_PENDING.labels(service).set(pending)
    OUTBOX_LAG.labels(service).set(lag)
    DEAD_LETTERS.labels(service).set(dead)
    return {"outbox_pending": pending, "outbox_lag_seconds": round(lag, 3), "dead_letters": dead}
