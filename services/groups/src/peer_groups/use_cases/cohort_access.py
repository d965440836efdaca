"""Finding a cohort for a request, and who may act on it: a coordinator on any, a mentor only on the
cohorts they facilitate (a mentor token's subject is the mentor id)."""

from __future__ import annotations

from collections.abc import Callable

from peer_groups.domain.cohort import Cohort
from peer_groups.domain.programme import ProgrammeRules
from peer_groups.store import cohorts_repo
from peer_shared.auth import Principal, Role
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import NotAllowed, NotFound

COHORT_NOT_FOUND = "cohort-not-found"
NOT_YOUR_COHORT = "not-your-cohort"

RulesOf = Callable[[str], ProgrammeRules]
"""The rules of a programme by its code (the settings' `rules_of`): a route knows the cohort id, not
its programme, until the use case has read it."""


def facilitator_of(principal: Principal) -> str | None:
    """The mentor id a mentor acts as; None for a coordinator, who sees every cohort."""
    return principal.subject if principal.role is Role.MENTOR else None


def require_access(principal: Principal, cohort: Cohort) -> None:
    """Refuse a mentor who does not facilitate the cohort."""
    mentor = facilitator_of(principal)
    if mentor is not None and mentor not in cohort.facilitators:
        raise NotAllowed(NOT_YOUR_COHORT, f"you do not facilitate cohort {cohort.id}")


async def cohort_for(
    uow: UnitOfWork, cohort_id: str, principal: Principal | None = None, *, for_update: bool = False
) -> Cohort:
    """The cohort, or 404; a mentor who does not facilitate it is refused (403)."""
    found = await cohorts_repo.get(uow.session, cohort_id, for_update=for_update)
    if found is None:
        raise NotFound(COHORT_NOT_FOUND, f"no cohort {cohort_id}")
    if principal is not None:
        require_access(principal, found)
    return found
