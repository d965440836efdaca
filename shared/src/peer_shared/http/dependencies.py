"""Request dependencies every service's routes share: the runtime, the admitted roles, today, paging.

A route takes `runtime: Runtime`, `principal: Coordinator` or `today: Today` instead of reaching into
`request.app.state` itself. Every dependency is `async` although it awaits nothing: FastAPI runs a plain
`def` dependency in a worker thread, a thread hand-off on every request.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from peer_shared.auth import Principal, Role, require_roles
from peer_shared.clock import uk_today
from peer_shared.runtime import ServiceRuntime


async def runtime(request: Request) -> ServiceRuntime:
    """The running service (settings, database, clock, bus), set by its lifespan."""
    found: ServiceRuntime = request.app.state.runtime
    return found


async def today(request: Request) -> date:
    """Today's date in the UK, on the service's clock."""
    found: ServiceRuntime = request.app.state.runtime
    return uk_today(found.clock)


Runtime = Annotated[ServiceRuntime, Depends(runtime)]
Today = Annotated[date, Depends(today)]

Coordinator = Annotated[Principal, Depends(require_roles(Role.COORDINATOR))]
Mentor = Annotated[Principal, Depends(require_roles(Role.MENTOR))]
MentorOrCoordinator = Annotated[Principal, Depends(require_roles(Role.MENTOR, Role.COORDINATOR))]
ReferrerOrCoordinator = Annotated[Principal, Depends(require_roles(Role.REFERRER, Role.COORDINATOR))]
CoordinatorOrCommissioner = Annotated[Principal, Depends(require_roles(Role.COORDINATOR, Role.COMMISSIONER))]

Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
