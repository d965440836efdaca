"""Dependencies the routes share: the runtime, the admitted roles, pagination."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from peer_shared.auth import Principal, Role, require_roles
from peer_shared.runtime import ServiceRuntime

T = TypeVar("T")


async def runtime(request: Request) -> ServiceRuntime:
    """The running service (database, clock).

    `async` although it awaits nothing: FastAPI runs a plain `def` dependency in a worker thread,
    a thread hand-off on every request.
    """
    found: ServiceRuntime = request.app.state.runtime
    return found


Runtime = Annotated[ServiceRuntime, Depends(runtime)]
Coordinator = Annotated[Principal, Depends(require_roles(Role.COORDINATOR))]
MentorOrCoordinator = Annotated[Principal, Depends(require_roles(Role.MENTOR, Role.COORDINATOR))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int
