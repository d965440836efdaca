"""A coordinator's decisions on proposals (`suggest` mode): confirm the proposed mentor, or override it
with another eligible mentor and a reason. Either publishes `MentorMatched` through the outbox.
"""

from __future__ import annotations

from typing import Any

from peer_events.events.matching import ConfirmedBy, MatchMode, MatchReason
from peer_matching.domain.eligibility import ineligibility
from peer_matching.domain.match import MatchStatus
from peer_matching.domain.matching import Proposal
from peer_matching.domain.mentee import MenteeState
from peer_matching.domain.scoring import score_pair
from peer_matching.events_out import mentor_matched, staff_id
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches_repo, mentees_repo, mentors_repo
from peer_matching.use_cases.rounds import match_values, run_round
from peer_shared.auth import Principal
from peer_shared.clock import uk_today
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import Conflict, Invalid, NotFound


async def confirm(uow: UnitOfWork, match_id: str, principal: Principal) -> dict[str, Any]:
    """Confirm a proposal as it stands."""
    proposal = await _open_proposal(uow, match_id)
    now = uow.clock.now()
    coordinator_id = staff_id(principal.subject)
    await matches_repo.confirm(uow.session, match_id, now, principal.subject, coordinator_id)
    await mentees_repo.set_state(uow.session, proposal["referral_id"], MenteeState.MATCHED, now)
    confirmed = {**proposal, "confirmed_by": ConfirmedBy.COORDINATOR.value, "coordinator_id": coordinator_id}
    await uow.emit(mentor_matched(confirmed, await _flow(uow, proposal["referral_id"]), uow.clock))
    return {**proposal, "status": MatchStatus.CONFIRMED.value, "decided_by": principal.subject}


async def override(
    uow: UnitOfWork,
    settings: MatchingSettings,
    match_id: str,
    mentor_id: str,
    reason: str,
    principal: Principal,
) -> dict[str, Any]:
    """Match the mentee with another mentor instead; the mentor must pass every hard constraint."""
    proposal = await _open_proposal(uow, match_id)
    if mentor_id == proposal["mentor_id"]:
        raise Conflict("same-mentor", "that is the proposed mentor: confirm the proposal instead")
    chosen = await mentors_repo.get(uow.session, mentor_id)
    if chosen is None:
        raise Invalid("unknown-mentor", f"no mentor {mentor_id}")
    row = await mentees_repo.get(uow.session, proposal["referral_id"], for_update=True)
    assert row is not None  # a match's mentee row always exists (foreign key)
    mentee = mentees_repo.as_mentee(row)
    load = (await matches_repo.loads(uow.session, [mentor_id])).get(mentor_id, 0)
    context = settings.eligibility_context(uk_today(uow.clock))
    problems = ineligibility(chosen, mentee, chosen.capacity - load, context)
    if problems:
        listed = ", ".join(problems)
        raise Conflict("mentor-ineligible", f"mentor {mentor_id} cannot take this mentee: {listed}")
    now = uow.clock.now()
    breakdown = score_pair(chosen, mentee, load, settings.scoring_for(mentee.programme))
    await matches_repo.finish(uow.session, match_id, MatchStatus.OVERRIDDEN, now, "coordinator-override")
    coordinator_id = staff_id(principal.subject)
    values = match_values(
        Proposal(mentee, chosen, breakdown, proposal["priority"], ()), MatchMode.SUGGEST, now
    )
    values |= {
        "status": MatchStatus.CONFIRMED.value,
        "reasons": [*values["reasons"], MatchReason.COORDINATOR_CHOICE.value],
        "decided_at": now,
        "decided_by": principal.subject,
        "coordinator_id": coordinator_id,
        "override_of": match_id,
        "override_reason": reason,
    }
    await matches_repo.add(uow.session, values)
    await mentees_repo.set_state(uow.session, mentee.referral_id, MenteeState.MATCHED, now)
    confirmed = {**values, "confirmed_by": ConfirmedBy.COORDINATOR.value}
    await uow.emit(mentor_matched(confirmed, row.correlation_id, uow.clock))
    # The proposed mentor's place is free again: someone waiting may take it.
    await run_round(uow, settings, proposal["condition"])
    return values


async def _open_proposal(uow: UnitOfWork, match_id: str) -> dict[str, Any]:
    found = await matches_repo.get(uow.session, match_id)
    if found is None:
        raise NotFound("unknown-match", f"no match {match_id}")
    await matches_repo.lock_condition(uow.session, found.condition)
    found = await matches_repo.get(uow.session, match_id, for_update=True)
    assert found is not None
    if found.status != MatchStatus.PROPOSED.value:
        raise Conflict("not-proposed", f"match {match_id} is {found.status}, not awaiting a decision")
    return dict(found._mapping)


async def _flow(uow: UnitOfWork, referral_id: str) -> Any:
    row = await mentees_repo.get(uow.session, referral_id)
    return row.correlation_id if row else None
