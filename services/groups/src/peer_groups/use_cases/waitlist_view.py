"""A programme's waitlist as a coordinator sees it: everyone waiting or holding a place in a cohort
not yet started, in order, with the start they can expect; and whether a next cohort should be planned.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from peer_groups.domain import waitlist
from peer_groups.domain.cohort import CohortStatus
from peer_groups.domain.programme import ProgrammeRules
from peer_groups.domain.waitlist import EntryStatus, Opening, Position, Proposal
from peer_groups.store import cohorts_repo, waitlist_repo

_NOT_STARTED = (CohortStatus.PLANNED, CohortStatus.OPEN)


@dataclass(frozen=True)
class Waitlist:
    """The numbered line and the proposal."""

    programme: str
    positions: list[Position]
    proposal: Proposal


async def waitlist_of(session: AsyncSession, programme: str, rules: ProgrammeRules) -> Waitlist:
    """The programme's line: people enrolled in a cohort that has not started keep its start; each
    waiting person is offered the next free place of the earliest planned or open cohort."""
    cohorts = await cohorts_repo.of_programme(session, programme, _NOT_STARTED)
    counts = await cohorts_repo.member_counts(session, [c.id for c in cohorts])
    openings = [Opening(c.id, c.starts_on, max(c.max_size - counts[c.id], 0)) for c in cohorts]
    starts = {c.id: c.starts_on for c in cohorts}
    waiting = await waitlist_repo.of_programme(session, programme, [EntryStatus.WAITING])
    enrolled = [
        (entry, starts[entry.cohort_id])
        for entry in await waitlist_repo.of_programme(session, programme, [EntryStatus.ENROLLED])
        if entry.cohort_id in starts
    ]
    lines = waitlist.positions(waiting, enrolled, openings)
    proposal = waitlist.proposal(
        lines,
        propose_at=rules.propose_next_cohort_at,
        latest_start=await cohorts_repo.latest_start(session, programme),
        planned_sessions=rules.planned_sessions,
        cadence_days=rules.cadence_days,
    )
    return Waitlist(programme, lines, proposal)
