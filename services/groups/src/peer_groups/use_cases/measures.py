"""Recording and correcting a member's outcome measures, and listing them.

A coordinator, or a facilitator of the member's cohort, enters the scale totals the instrument produced
(never its questions or answers). The record, its revision row and `MeasureRecorded` commit together; a
correction is a new revision published again with the same `measure_id`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from peer_groups import events_out
from peer_groups.domain.measures import (
    Measure,
    MeasureEntry,
    MeasureProblem,
    MemberPlace,
    check_entry,
    check_one_baseline,
    next_revision,
)
from peer_groups.store import measures_repo
from peer_shared.auth import Principal, Role
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import FieldProblem, Invalid, NotAllowed, NotFound

log = get_logger(__name__)

NOT_YOUR_COHORT = "not-your-cohort"
COHORT_NOT_FOUND = "cohort-not-found"


def require_facilitator(principal: Principal, cohort_id: str, facilitators: Collection[str]) -> None:
    """Refuse a mentor who does not facilitate the cohort (a mentor token's subject is the mentor id)."""
    if principal.role is Role.MENTOR and principal.subject not in facilitators:
        raise NotAllowed(NOT_YOUR_COHORT, f"you do not facilitate cohort {cohort_id}")


def not_a_member(referral_id: str, cohort_id: str | None = None) -> Invalid:
    """The refusal for a referral that never held a place (in the cohort, when given)."""
    where = f"cohort {cohort_id}" if cohort_id else "any cohort"
    return Invalid(
        MeasureProblem.NOT_A_MEMBER,
        f"referral {referral_id} has never been enrolled in {where}",
        fields=[FieldProblem("body.referral_id", "not a member", MeasureProblem.NOT_A_MEMBER)],
    )


async def record_measure(
    uow: UnitOfWork, principal: Principal, referral_id: str, entry: MeasureEntry
) -> Measure:
    """Record a new measure for a current or former member, in the cohort they hold (or last held)."""
    await measures_repo.lock_referral_measures(uow.session, referral_id)
    places = await measures_repo.places_of(uow.session, referral_id)
    if not places:
        raise not_a_member(referral_id)
    place = places[0]
    require_facilitator(principal, place.cohort_id, place.facilitators)
    measure_id = f"msr_{uuid.uuid4().hex}"
    return await _save(uow, principal, place, measure_id, 1, entry)


async def correct_measure(
    uow: UnitOfWork, principal: Principal, measure_id: str, referral_id: str, entry: MeasureEntry
) -> Measure:
    """Replace a measure's values with a new revision (the earlier ones are kept) and publish it again."""
    existing = await measures_repo.get(uow.session, measure_id)
    if existing is None:
        raise NotFound(MeasureProblem.MEASURE_NOT_FOUND, f"no measure {measure_id}")
    if referral_id != existing.referral_id:
        raise Invalid(
            MeasureProblem.REFERRAL_CHANGED,
            f"measure {measure_id} is about referral {existing.referral_id}; record a new measure instead",
            fields=[FieldProblem("body.referral_id", "not the measure's referral")],
        )
    await measures_repo.lock_referral_measures(uow.session, referral_id)
    [place] = await measures_repo.places_of(uow.session, referral_id, cohort_id=existing.cohort_id)
    require_facilitator(principal, place.cohort_id, place.facilitators)
    current = await measures_repo.get(uow.session, measure_id, for_update=True)
    assert current is not None  # measures are never deleted
    return await _save(uow, principal, place, measure_id, next_revision(current.revision), entry)


async def list_measures(
    session: AsyncSession,
    principal: Principal,
    *,
    referral_id: str | None,
    cohort_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Measure], int]:
    """A member's or a cohort's measures; a facilitator sees only those of cohorts they facilitate."""
    if referral_id is None and cohort_id is None:
        raise Invalid("referral-or-cohort-required", "ask for the measures of a referral_id or a cohort_id")
    cohort_ids: list[str] | None = None
    if cohort_id is not None:
        facilitators = await measures_repo.facilitators_of(session, cohort_id)
        if facilitators is None:
            raise NotFound(COHORT_NOT_FOUND, f"no cohort {cohort_id}")
        require_facilitator(principal, cohort_id, facilitators)
        cohort_ids = [cohort_id]
    elif principal.role is Role.MENTOR:
        assert referral_id is not None
        places = await measures_repo.places_of(session, referral_id)
        cohort_ids = [p.cohort_id for p in places if principal.subject in p.facilitators]
        if not cohort_ids:
            raise NotAllowed(NOT_YOUR_COHORT, f"referral {referral_id} is in none of your cohorts")
    return await measures_repo.page(
        session, referral_id=referral_id, cohort_ids=cohort_ids, limit=limit, offset=offset
    )


async def _save(
    uow: UnitOfWork,
    principal: Principal,
    place: MemberPlace,
    measure_id: str,
    revision: int,
    entry: MeasureEntry,
) -> Measure:
    scores = check_entry(entry, uk_today(uow.clock))
    others = await measures_repo.of_referral(uow.session, place.referral_id)
    check_one_baseline(entry, others, correcting=measure_id)
    measure = Measure(
        measure_id=measure_id,
        referral_id=place.referral_id,
        cohort_id=place.cohort_id,
        revision=revision,
        instrument=entry.instrument,
        instrument_version=entry.instrument_version,
        timepoint=entry.timepoint,
        assessed_on=entry.assessed_on,
        scores=scores,
    )
    event = events_out.measure_recorded(measure, place, uow.clock)
    await measures_repo.save(
        uow.session, measure, entered_by=principal.subject, entered_at=uow.clock.now(), event_id=event.id
    )
    await uow.emit(event)
    log.info("measure recorded", measure_id=measure_id, revision=revision, instrument=entry.instrument.value)
    return measure
