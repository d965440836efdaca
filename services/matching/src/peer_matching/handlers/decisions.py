"""A coordinator's decisions on proposals (`suggest` mode): confirm the proposed mentor, or override it
with another eligible mentor and a reason. Either publishes `MentorMatched` through the outbox.
"""

from __future__ import annotations

from typing import Any

from peer_matching.domain.eligibility import ineligibility
from peer_matching.domain.matching import Proposal
from peer_matching.domain.mentee import MenteeState
from peer_matching.domain.scoring import score_pair
from peer_matching.handlers.publishing import mentor_matched, staff_id
from peer_matching.handlers.registry import RegistryError, today
from peer_matching.handlers.rounds import lock_condition, match_values, run_round
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches, mentees, mentors
from peer_matching.store.matches import MatchStatus
from peer_shared.auth import Principal
from peer_shared.contracts.events.matching import ConfirmedBy, MatchMode, MatchReason
from peer_shared.messaging.unit_of_work import UnitOfWork


async def confirm(uow: UnitOfWork, match_id: str, principal: Principal) -> dict[str, Any]:
    """Confirm a proposal as it stands."""
    proposal = await _open_proposal(uow, match_id)
    now = uow.clock.now()
    coordinator_id = staff_id(principal.subject)
    await matches.confirm(uow.session, match_id, now, principal.subject, coordinator_id)
    await mentees.set_state(uow.session, proposal["referral_id"], MenteeState.MATCHED, now)
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
        raise RegistryError(409, "same-mentor", "that is the proposed mentor: confirm the proposal instead")
    chosen = await mentors.get(uow.session, mentor_id)
    if chosen is None:
        raise RegistryError(422, "unknown-mentor", f"no mentor {mentor_id}")
    row = await mentees.get(uow.session, proposal["referral_id"], for_update=True)
    assert row is not None  # a match's mentee row always exists (foreign key)
    mentee = mentees.as_mentee(row)
    load = (await matches.loads(uow.session, [mentor_id])).get(mentor_id, 0)
    problems = ineligibility(chosen, mentee, chosen.capacity - load, settings.eligibility_context(today(uow)))
    if problems:
        listed = ", ".join(problems)
        raise RegistryError(409, "mentor-ineligible", f"mentor {mentor_id} cannot take this mentee: {listed}")
    now = uow.clock.now()
    breakdown = score_pair(chosen, mentee, load, settings.scoring_for(mentee.programme))
    await matches.finish(uow.session, match_id, MatchStatus.OVERRIDDEN, now, "coordinator-override")
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
    await matches.add(uow.session, values)
    await mentees.set_state(uow.session, mentee.referral_id, MenteeState.MATCHED, now)
    confirmed = {**values, "confirmed_by": ConfirmedBy.COORDINATOR.value}
    await uow.emit(mentor_matched(confirmed, row.correlation_id, uow.clock))
    # The proposed mentor's place is free again: someone waiting may take it.
    await run_round(uow, settings, proposal["condition"])
    return values


async def _open_proposal(uow: UnitOfWork, match_id: str) -> dict[str, Any]:
    found = await matches.get(uow.session, match_id)
    if found is None:
        raise RegistryError(404, "unknown-match", f"no match {match_id}")
    await lock_condition(uow, found.condition)
    found = await matches.get(uow.session, match_id, for_update=True)
    assert found is not None
    if found.status != MatchStatus.PROPOSED.value:
        raise RegistryError(
            409, "not-proposed", f"match {match_id} is {found.status}, not awaiting a decision"
        )
    return dict(found._mapping)


async def _flow(uow: UnitOfWork, referral_id: str) -> Any:
    row = await mentees.get(uow.session, referral_id)
    return row.correlation_id if row else None
