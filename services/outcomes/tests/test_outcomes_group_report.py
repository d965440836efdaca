"""A group programme's report section on real NATS and Postgres: one cohort's events published on the
groups stream as its relay would (a corrected register and a corrected measure overtaking their first
versions, everything delivered again under new message ids), read back from the report in JSON, CSV and
HTML, for a coordinator and under disclosure control, and again after a rebuild from the streams.

The cohort (eight members, 2025-26 Q4): sessions on 19 January (seven of eight attend, after correction),
2 February (five of seven: r8 withdrew on 25 January), 16 February cancelled, 2 March and 16 March (five
of six: r7 stopped attending on 20 February); r1-r5 complete, r6 does not.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events.groups import (
    CancellationReason,
    CohortFinished,
    CohortOpened,
    CohortStarted,
    GroupSessionCancelled,
    GroupSessionHeld,
    GroupSetting,
    Instrument,
    LeaveReason,
    MeasureRecorded,
    MeasureTimepoint,
    MemberEnrolled,
    MemberLeft,
    Scale,
    ScaleScore,
)
from peer_outcomes.consumers.subscriptions import subscriptions
from peer_outcomes.store.tables import rpt_group_attendance, rpt_measures
from peer_outcomes.use_cases.rebuild import rebuild_projections
from peer_shared.auth.tokens import Role
from peer_shared.bus import connect
from peer_shared.clock import FixedClock
from peer_testkit.harness import ServiceHarness
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

PROGRAMME = "long-covid-group"
QUARTER = {"quarter": "2025-26-Q4"}


def hid(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


class Cohort:
    """The scenario's events, in the order a relay might publish them, and the stale ones kept aside."""

    def __init__(self, condition: str) -> None:
        self.condition = condition
        self.cohort_id = hid("coh")
        self.mentor = hid("mnt")
        self.r = {n: hid("ref") for n in range(1, 9)}
        self.events: list[CloudEvent[Any]] = []
        self.stale: list[CloudEvent[Any]] = []

    def add(self, data: EventData, on: date, *, stale: bool = False) -> None:
        clock = FixedClock(datetime(on.year, on.month, on.day, 12, tzinfo=UTC))
        event = new_event(data, clock=clock, condition=self.condition, programme=PROGRAMME)
        (self.stale if stale else self.events).append(event)

    def held(
        self, on: date, number: int, attended: list[int], apologies: list[int], absent: list[int], **kw: Any
    ) -> None:
        session = {"session_id": kw.pop("session_id", hid("gss")), "revision": kw.pop("revision", 1)}
        self.add(
            GroupSessionHeld(
                cohort_id=self.cohort_id,
                **session,
                session_number=number,
                held_on=on,
                duration_minutes=90,
                setting=GroupSetting.VENUE,
                facilitators=(self.mentor,),
                attended=tuple(self.r[n] for n in attended),
                apologies=tuple(self.r[n] for n in apologies),
                absent=tuple(self.r[n] for n in absent),
            ),
            on,
            **kw,
        )

    def left(self, n: int, on: date, reason: LeaveReason, attended: int, held: int) -> None:
        self.add(
            MemberLeft(
                cohort_id=self.cohort_id,
                referral_id=self.r[n],
                left_on=on,
                reason=reason,
                sessions_attended=attended,
                sessions_held=held,
            ),
            on,
        )

    def measure(
        self,
        n: int,
        instrument: Instrument,
        timepoint: MeasureTimepoint,
        on: date,
        scores: dict[Scale, int],
        **kw: Any,
    ) -> None:
        self.add(
            MeasureRecorded(
                measure_id=kw.pop("measure_id", hid("msr")),
                referral_id=self.r[n],
                cohort_id=self.cohort_id,
                revision=kw.pop("revision", 1),
                instrument=instrument,
                instrument_version="c19-yrsm-2022" if instrument is Instrument.C19_YRSM else "ons4-2011",
                timepoint=timepoint,
                assessed_on=on,
                scores=tuple(ScaleScore(scale=s, score=v) for s, v in scores.items()),
            ),
            on,
            **kw,
        )


WAITLISTED = {1: d(12, 1, 2025), 2: d(12, 10, 2025), 3: d(12, 20, 2025), 4: d(1, 2), 5: d(1, 5)}
WAITLISTED |= {6: d(11, 20, 2025), 7: d(12, 29, 2025), 8: d(12, 15, 2025)}
# Per member 1-5: (baseline, end) of symptom severity, functional ability, life satisfaction, anxiety.
C19 = {1: ((20, 16), (8, 7)), 2: ((18, 17), (6, 6)), 3: ((15, 15), (5, 3)), 4: ((22, 18), (9, 8))}
C19 |= {5: ((10, 12), (4, 5))}
ONS4 = {
    1: ((4, 6), (7, 5)),
    2: ((5, 5), (6, 6)),
    3: ((3, 4), (8, 9)),
    4: ((6, 5), (5, 4)),
    5: ((2, 5), (6, 6)),
}


def cohort_events(condition: str) -> Cohort:
    c = Cohort(condition)
    c.add(
        CohortOpened(
            cohort_id=c.cohort_id,
            opened_on=d(1, 5),
            starts_on=d(1, 19),
            max_size=8,
            min_size=6,
            planned_sessions=5,
            cadence_days=14,
            setting=GroupSetting.VENUE,
            facilitators=(c.mentor,),
        ),
        d(1, 5),
    )
    for n, waitlisted in WAITLISTED.items():
        c.add(
            MemberEnrolled(
                cohort_id=c.cohort_id, referral_id=c.r[n], enrolled_on=d(1, 6), waitlisted_on=waitlisted
            ),
            d(1, 6),
        )
    c.add(CohortStarted(cohort_id=c.cohort_id, started_on=d(1, 19), members=8), d(1, 19))
    first = hid("gss")
    # The corrected register goes first; its first version (r7 sent apologies) arrives last, stale.
    c.held(d(1, 19), 1, [1, 2, 3, 4, 5, 6, 7], [], [8], session_id=first, revision=2)
    c.held(d(1, 19), 1, [1, 2, 3, 4, 5, 6], [7], [8], session_id=first, revision=1, stale=True)
    c.left(8, d(1, 25), LeaveReason.WITHDREW, 0, 1)
    c.held(d(2, 2), 2, [1, 2, 3, 4, 5], [6], [7])
    c.add(
        GroupSessionCancelled(
            cohort_id=c.cohort_id, session_id=hid("gss"), planned_on=d(2, 16), reason=CancellationReason.OTHER
        ),
        d(2, 16),
    )
    c.left(7, d(2, 20), LeaveReason.STOPPED_ATTENDING, 1, 2)
    c.held(d(3, 2), 3, [1, 2, 3, 4, 5], [], [6])
    c.held(d(3, 16), 4, [1, 2, 3, 4, 5], [6], [])
    for n in range(1, 6):
        c.left(n, d(3, 16), LeaveReason.COMPLETED, 4, 4)
    c.left(6, d(3, 16), LeaveReason.NOT_COMPLETED, 1, 4)
    c.add(
        CohortFinished(
            cohort_id=c.cohort_id,
            finished_on=d(3, 16),
            sessions_held=4,
            sessions_cancelled=1,
            members_completed=5,
        ),
        d(3, 16),
    )
    c19 = Instrument.C19_YRSM
    severity, function = Scale.SYMPTOM_SEVERITY, Scale.FUNCTIONAL_ABILITY
    others = {Scale.OTHER_SYMPTOMS: 10, Scale.OVERALL_HEALTH: 5}
    for n, ((ss0, ss1), (fa0, fa1)) in C19.items():
        c.measure(n, c19, MeasureTimepoint.BASELINE, d(1, 12), {severity: ss0, function: fa0, **others})
        end = {severity: ss1, function: fa1, Scale.OTHER_SYMPTOMS: 9, Scale.OVERALL_HEALTH: 6}
        if n == 4:  # r4's end was corrected (severity 20 -> 18): the correction overtakes the first entry
            measure_id = hid("msr")
            c.measure(n, c19, MeasureTimepoint.END, d(3, 16), end, measure_id=measure_id, revision=2)
            wrong = end | {severity: 20}
            c.measure(
                n, c19, MeasureTimepoint.END, d(3, 16), wrong, measure_id=measure_id, revision=1, stale=True
            )
        else:
            c.measure(n, c19, MeasureTimepoint.END, d(3, 16), end)
    c.measure(6, c19, MeasureTimepoint.BASELINE, d(1, 12), {severity: 25, function: 12, **others})  # no end
    flat = {Scale.WORTHWHILE: 5, Scale.HAPPINESS: 5}
    for n, ((ls0, ls1), (ax0, ax1)) in ONS4.items():
        ons4 = Instrument.ONS4
        c.measure(
            n,
            ons4,
            MeasureTimepoint.BASELINE,
            d(1, 12),
            {Scale.LIFE_SATISFACTION: ls0, Scale.ANXIETY: ax0, **flat},
        )
        c.measure(
            n,
            ons4,
            MeasureTimepoint.END,
            d(3, 16),
            {Scale.LIFE_SATISFACTION: ls1, Scale.ANXIETY: ax1, **flat},
        )
    return c


def scale(
    better: str, mid: int | None, means: tuple[float, float, float], reached: int | None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "better": better,
        "mid": mid,
        "paired": 5,
        "baseline_mean": means[0],
        "end_mean": means[1],
        "mean_change": means[2],
    }
    if reached is None:
        return block | {"share_reached_mid": None}
    return block | {"reached_mid": reached, "not_reached_mid": 5 - reached, "share_reached_mid": reached / 5}


EXPECTED = {
    "title": "Group peer support for long Covid",
    "delivery": "group",
    "cohorts_started": 1,
    "cohorts_finished": 1,
    "people_enrolled": 8,
    # r1-r7 first attended on 19 January: 49, 40, 30, 17, 14, 60, 21 days after joining the waitlist.
    "wait_to_first_session_days": {"n": 7, "median": 30.0, "p90": 53.4},
    "sessions_held": 4,
    "sessions_cancelled": 1,
    "attendances": 22,
    "member_sessions": 27,
    "attendance_rate": round(22 / 27, 3),
    "leavers": 8,
    "leavers_by_reason": {
        "completed": 5,
        "not-completed": 1,
        "stopped-attending": 1,
        "withdrew": 1,
        "coordinator-decision": 0,
    },
    "completion_rate": 0.625,
    "dropped_out": 3,
    "drop_out_rate": 0.375,
    "measures": {
        "c19-yrsm": {
            "symptom-severity": scale("lower", 2, (17.0, 15.6, -1.4), 2),
            "functional-ability": scale("lower", 1, (6.4, 5.8, -0.6), 3),
            "other-symptoms": scale("lower", None, (10.0, 9.0, -1.0), None),
            "overall-health": scale("higher", None, (5.0, 6.0, 1.0), None),
        },
        "ons4": {
            "life-satisfaction": scale("higher", 1, (4.0, 5.0, 1.0), 3),
            "worthwhile": scale("higher", 1, (5.0, 5.0, 0.0), 0),
            "happiness": scale("higher", 1, (5.0, 5.0, 0.0), 0),
            "anxiety": scale("lower", 1, (6.4, 6.0, -0.4), 2),
        },
    },
}


async def report(service: ServiceHarness, role: Role, suffix: str = "", **params: str) -> Any:
    response = await service.client.get(
        f"/reports/programme{suffix}", params=QUARTER | params, headers=service.auth(role)
    )
    assert response.status_code == 200, response.text
    return response.json() if suffix == "" else response.text


async def all_consumed(service: ServiceHarness, events: int) -> bool:
    """Every distinct event claimed by the inbox, and nothing left pending on the groups consumer (so the
    copies under new message ids have been delivered and skipped too)."""
    if int(await service.scalar("SELECT count(*) FROM inbox")) < events:
        return False
    (groups,) = [s for s in subscriptions(service.settings) if s.stream == "PEER_GROUPS"]
    info = await service.js.consumer_info(groups.stream, groups.name)
    return (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_a_cohort_is_reported_in_its_programme_section(
    outcomes: ServiceHarness, condition: str
) -> None:
    cohort = cohort_events(condition)
    await outcomes.publish(*cohort.events)
    await outcomes.publish(*cohort.events, msg_id_suffix="-again")  # a redelivery changes nothing
    await outcomes.publish(*cohort.stale)  # older revisions after newer ones change nothing either
    published = len(cohort.events) + len(cohort.stale)
    await eventually(lambda: all_consumed(outcomes, published), timeout=60)
    assert await outcomes.dead_letters() == 0

    (groups,) = [s for s in subscriptions(outcomes.settings) if s.stream == "PEER_GROUPS"]
    assert groups.name.endswith("outcomes-projections-groups-v1")

    full = await report(outcomes, Role.COORDINATOR)
    assert list(full["group_programmes"]) == [PROGRAMME]
    assert full["group_programmes"][PROGRAMME] == EXPECTED
    # The one-to-one figures keep their shape; the group programme's referrals appear there as before.
    assert full["breakdowns"]["programme"][PROGRAMME]["activity"]["matched"] == 0
    assert (await report(outcomes, Role.COORDINATOR, programme="t2d-one-to-one"))["group_programmes"] == {}

    shown = (await report(outcomes, Role.COMMISSIONER))["group_programmes"][PROGRAMME]
    assert (shown["cohorts_started"], shown["people_enrolled"], shown["attendance_rate"]) == ("<5", 8, 0.815)
    # Four small reasons hiding only 3 between them: completed hides too, and with it the completion rate.
    assert shown["leavers_by_reason"] == {
        "completed": "*",
        "not-completed": "<5",
        "stopped-attending": "<5",
        "withdrew": "<5",
        "coordinator-decision": "<5",
    }
    assert (shown["leavers"], shown["completion_rate"], shown["drop_out_rate"]) == (8, "withheld", "withheld")
    severity = shown["measures"]["c19-yrsm"]["symptom-severity"]
    assert (severity["paired"], severity["mean_change"]) == (5, -1.4)
    assert (severity["reached_mid"], severity["not_reached_mid"], severity["share_reached_mid"]) == (
        "<5",
        "<5",
        "withheld",
    )

    rows = list(csv.DictReader(io.StringIO(await report(outcomes, Role.COMMISSIONER, ".csv"))))
    section = {
        r["measure"]: r["value"] for r in rows if (r["scope"], r["group"]) == ("group-programme", PROGRAMME)
    }
    assert section["leavers_by_reason.completed"] == "*"
    assert section["measures.ons4.anxiety.mean_change"] == "-0.4"
    assert (section["wait_to_first_session_days.median"], section["completion_rate"]) == ("30.0", "withheld")
    page = await report(outcomes, Role.COMMISSIONER, ".html")
    assert "Group peer support for long Covid (long-covid-group)" in page and "81.5%" in page


async def test_a_rebuild_restores_the_group_projections(outcomes: ServiceHarness, condition: str) -> None:
    cohort = cohort_events(condition)
    await outcomes.publish(*cohort.events, *cohort.stale)
    await eventually(lambda: all_consumed(outcomes, len(cohort.events) + len(cohort.stale)), timeout=60)
    before = await report(outcomes, Role.COORDINATOR)
    async with outcomes.runtime.sessions() as s, s.begin():
        await s.execute(delete(rpt_group_attendance))
        await s.execute(delete(rpt_measures).where(rpt_measures.c.timepoint == "end"))
    assert (await report(outcomes, Role.COORDINATOR))["group_programmes"] != before["group_programmes"]

    client = await connect(outcomes.settings, name="outcomes-rebuild-test")
    try:
        result = await rebuild_projections(
            client.jetstream(),
            outcomes.runtime.sessions,
            subscriptions(outcomes.settings),
            batch_size=100,
            consumer_prefix=f"{condition}-",
        )
    finally:
        await client.close()

    assert result.per_stream["PEER_GROUPS"] == len(cohort.events) + len(cohort.stale)
    async with outcomes.runtime.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(rpt_group_attendance)) == 8 + 7 + 6 + 6
    after = await report(outcomes, Role.COORDINATOR)
    assert after | {"generated_at": None} == before | {"generated_at": None}
    assert after["group_programmes"][PROGRAMME] == EXPECTED
