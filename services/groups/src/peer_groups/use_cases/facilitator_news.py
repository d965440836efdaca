"""What groups learns of mentors from the matching service: whether each can facilitate, and when.

Every change is a partial update of one mentor's row, so news arriving in any order still lands.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from peer_groups.domain.facilitators import FacilitatorStatus
from peer_groups.store import facilitators_repo
from peer_shared.messaging.unit_of_work import UnitOfWork


async def mentor_registered(uow: UnitOfWork, mentor_id: str, conditions: Collection[str]) -> None:
    """A mentor signed up (not yet able to facilitate)."""
    await facilitators_repo.record(uow.session, mentor_id, at=uow.clock.now(), conditions=conditions)


async def mentor_status(uow: UnitOfWork, mentor_id: str, status: FacilitatorStatus) -> None:
    """A mentor paused or left."""
    await facilitators_repo.record(uow.session, mentor_id, at=uow.clock.now(), status=status)


async def mentor_activated(
    uow: UnitOfWork, mentor_id: str, *, credentials: dict[str, Any] | None = None
) -> None:
    """A mentor became active; `credentials` (group_facilitator, checks_valid_until) are changed only
    when the publisher sent them (older publishers do not)."""
    await facilitators_repo.record(
        uow.session, mentor_id, at=uow.clock.now(), status=FacilitatorStatus.ACTIVE, **(credentials or {})
    )


async def credentials_changed(
    uow: UnitOfWork, mentor_id: str, *, group_facilitator: bool, checks_valid_until: date | None
) -> None:
    """A mentor's training or checks were recorded."""
    await facilitators_repo.record(
        uow.session,
        mentor_id,
        at=uow.clock.now(),
        group_facilitator=group_facilitator,
        checks_valid_until=checks_valid_until,
    )
