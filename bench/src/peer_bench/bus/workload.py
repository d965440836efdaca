"""What flows through the bus under test: the events, and the consuming service's state and handlers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Column, Date, DateTime, MetaData, Table, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from peer_events.envelope import CloudEvent, new_event
from peer_events.events.matching import ConfirmedBy, MatchMode, MentorMatched
from peer_events.events.referrals import Consent, MenteePreferences, ReferralAccepted
from peer_shared.clock import SystemClock
from peer_shared.messaging.unit_of_work import UnitOfWork

CLOCK = SystemClock()
PROGRAMME = "t2d-one-to-one"
COMMITTED_KEY = "bench_committed"
"""`Session.info` key under which a transaction lists the events it holds (see `measure.CommitTimes`)."""

state_metadata = MetaData()
waitlist = Table(
    "bench_waitlist",
    state_metadata,
    Column("referral_id", Text, primary_key=True),
    Column("match_id", Text, nullable=False),
    Column("accepted_on", Date, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""The consuming service's state: a matching-style waitlist entry per accepted referral."""


def _pid(kind: str) -> str:
    return f"{kind}_{uuid.uuid4().hex}"


def accepted(condition: str) -> CloudEvent[ReferralAccepted]:
    """A realistic ReferralAccepted (about 800 bytes of JSON), what referrals publishes after triage."""
    data = ReferralAccepted(
        referral_id=_pid("ref"),
        accepted_on=date(2026, 11, 2),
        consent=Consent(peer_support=True, share_outcomes_with_referrer=True, contact_for_evaluation=False),
        preferences=MenteePreferences(languages=("en", "pa"), contact_modes=("in-person", "phone")),
    )
    return new_event(data, clock=CLOCK, condition=condition, programme=PROGRAMME)


def mentor_matched(event: CloudEvent[ReferralAccepted], clock: SystemClock) -> CloudEvent[MentorMatched]:
    """The event the consuming service raises for an accepted referral."""
    matched = MentorMatched(
        match_id=_pid("mat"),
        referral_id=event.data.referral_id,
        mentor_id=_pid("mnt"),
        score=0.82,
        mode=MatchMode.AUTO,
        confirmed_by=ConfirmedBy.SYSTEM,
    )
    return new_event(
        matched, clock=clock, condition=event.condition, programme=event.programme, caused_by=event
    )


_insert_waitlist = pg_insert(waitlist)
_UPSERT_WAITLIST = _insert_waitlist.on_conflict_do_update(
    index_elements=["referral_id"],
    set_={"match_id": _insert_waitlist.excluded.match_id, "updated_at": _insert_waitlist.excluded.updated_at},
)
"""One entry; built once and executed with parameters, so SQLAlchemy reuses its compiled form."""

_insert_waitlist_rows = pg_insert(waitlist).from_select(
    ["referral_id", "match_id", "accepted_on", "updated_at"],
    select(
        func.unnest(bindparam("referral_ids", type_=ARRAY(Text))),
        func.unnest(bindparam("match_ids", type_=ARRAY(Text))),
        func.unnest(bindparam("accepted_ons", type_=ARRAY(Date))),
        bindparam("updated_at", type_=DateTime(timezone=True)),
    ),
)
_UPSERT_WAITLIST_ROWS = _insert_waitlist_rows.on_conflict_do_update(
    index_elements=["referral_id"],
    set_={
        "match_id": _insert_waitlist_rows.excluded.match_id,
        "updated_at": _insert_waitlist_rows.excluded.updated_at,
    },
)
"""Many entries in one statement: the rows travel as arrays, one round trip for the whole batch."""


async def match_referral(event: CloudEvent[ReferralAccepted], uow: UnitOfWork) -> None:
    """The consuming service's handler: upsert its state and emit an event of its own, in one transaction."""
    matched = mentor_matched(event, CLOCK)
    await uow.session.execute(
        _UPSERT_WAITLIST,
        {
            "referral_id": event.data.referral_id,
            "match_id": matched.data.match_id,
            "accepted_on": event.data.accepted_on,
            "updated_at": uow.clock.now(),
        },
    )
    await uow.emit(matched)
    # Timed when the transaction commits (see CommitTimes): the handler only says which events it holds.
    uow.session.info.setdefault(COMMITTED_KEY, []).append(event.id)


async def match_referrals(events: Sequence[CloudEvent[ReferralAccepted]], uow: UnitOfWork) -> None:
    """The same as a batch handler: one upsert for every event in the fetched batch, then their events."""
    latest = {event.data.referral_id: event for event in events}  # one row may be upserted once only
    matched = {referral_id: mentor_matched(event, CLOCK) for referral_id, event in latest.items()}
    await uow.session.execute(
        _UPSERT_WAITLIST_ROWS,
        {
            "referral_ids": list(latest),
            "match_ids": [m.data.match_id for m in matched.values()],
            "accepted_ons": [e.data.accepted_on for e in latest.values()],
            "updated_at": uow.clock.now(),
        },
    )
    await uow.emit(*matched.values())
    uow.session.info.setdefault(COMMITTED_KEY, []).extend(event.id for event in events)
