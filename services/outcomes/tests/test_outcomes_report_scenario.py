"""The programme report on real NATS and Postgres, from a seeded scenario of 48 mentees driven through
real events on the real streams (published out of order across streams, some twice, some sessions
corrected before their first version arrives) and PAM results entered over HTTP.

The expected figures are computed here, independently, from the scenario's own data with the standard
library (and scipy's t quantile); the report must match them for the whole and for every group. Then:
commissioner views are under disclosure control in JSON, CSV and HTML, and a rebuild of the projections
from the streams gives identical output.
"""

from __future__ import annotations

import csv
import io
import math
import random
import statistics
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from nats.aio.client import Client
from scipy.stats import t as student_t
from sqlalchemy import delete, func, select, update

from peer_events.codes import AgeBand, EthnicCategory, Gender, SessionMode
from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events import (
    MentorActivated,
    MentorLeft,
    MentorMatched,
    MentorRegistered,
    PairingCompleted,
    PairingEnded,
    PairingStarted,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
    SessionLogged,
)
from peer_events.events.matching import ConfirmedBy, MatchMode
from peer_events.events.referrals import (
    Consent,
    MenteePreferences,
    ReferralSource,
    RejectionReason,
    WithdrawalReason,
)
from peer_events.events.sessions import Attendance, PairingEndReason
from peer_outcomes.api.rendering.html_report import report_html
from peer_outcomes.consumers.subscriptions import subscriptions
from peer_outcomes.store.tables import rpt_pam, rpt_referrals, rpt_sessions
from peer_outcomes.use_cases.rebuild import rebuild_projections
from peer_shared.auth.tokens import Role
from peer_shared.bus import connect
from peer_shared.clock import FixedClock
from peer_testkit.harness import ServiceHarness
from peer_testkit.outcomes import start_outcomes
from peer_testkit.plugin import Infrastructure
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

PROGRAMME = "t2d-one-to-one"
TODAY = date(2026, 4, 20)
LOCALITY_OF = {"M1": "central", "M2": "central", "M8": "north", "M14": "south", "M20": "south"}
DISTRICTS = ("M1", "M2", "M8", "M14", "M20", "SK4", "OL1")
REFERRERS = ("A81001", "A81002", "B82005")
ETHNICITIES = ("A", "A", "A", "H", "J", "N", None)
MISSED = (Attendance.MENTEE_DID_NOT_ATTEND, Attendance.CANCELLED_BY_MENTEE)


def hid(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def level_of(score: float) -> int:
    """Hibbard's cut points, written out again here rather than borrowed from the service."""
    return 1 if score <= 47.0 else 2 if score <= 55.1 else 3 if score <= 67.0 else 4


@dataclass
class Pam:
    on: date
    score: float
    give_level: bool
    corrected_score: float | None = None

    @property
    def final(self) -> float:
        return self.score if self.corrected_score is None else self.corrected_score


@dataclass
class Mentee:
    referral_id: str
    received_on: date
    source: ReferralSource
    referrer: str
    district: str
    ethnic: str | None
    accepted_on: date | None = None
    rejected: tuple[date, RejectionReason] | None = None
    withdrawn: tuple[date, WithdrawalReason] | None = None
    matched_on: date | None = None
    mentor: str | None = None
    started_on: date | None = None
    sessions: list[tuple[str, date, Attendance]] = field(default_factory=list)
    corrected: dict[str, Attendance] = field(default_factory=dict)
    completed_on: date | None = None
    ended: tuple[date, PairingEndReason] | None = None
    baseline: Pam | None = None
    follow_ups: list[Pam] = field(default_factory=list)

    def attendance(self) -> list[tuple[date, Attendance, str]]:
        assert self.mentor is not None
        return [(d, self.corrected.get(sid, a), self.mentor) for sid, d, a in self.sessions]


def build_scenario(rng: random.Random, mentors: list[str]) -> list[Mentee]:
    mentees = []
    for _ in range(48):
        m = Mentee(
            hid("ref"),
            date(2025, 4, 1) + timedelta(days=rng.randint(0, 300)),
            rng.choice(list(ReferralSource)),
            rng.choice(REFERRERS),
            rng.choice(DISTRICTS),
            rng.choice(ETHNICITIES),
        )
        mentees.append(m)
        triage = rng.random()
        if triage < 0.15:
            m.rejected = (
                m.received_on + timedelta(days=rng.randint(1, 10)),
                rng.choice(list(RejectionReason)),
            )
            continue
        if triage < 0.2:
            continue  # still awaiting triage
        m.accepted_on = m.received_on + timedelta(days=rng.randint(1, 10))
        if rng.random() < 0.1:
            m.withdrawn = (
                m.accepted_on + timedelta(days=rng.randint(3, 20)),
                rng.choice(list(WithdrawalReason)),
            )
            continue
        m.matched_on = m.accepted_on + timedelta(days=rng.randint(1, 40))
        m.mentor = rng.choice(mentors)
        m.started_on = m.matched_on + timedelta(days=rng.randint(1, 5))
        for k in range(rng.randint(3, 12)):
            on = m.started_on + timedelta(days=7 * k)
            if on > TODAY:
                break
            attendance = Attendance.ATTENDED if k == 0 else rng.choices(list(Attendance), (75, 10, 8, 7))[0]
            m.sessions.append((hid("ses"), on, attendance))
        if len(m.sessions) > 1 and rng.random() < 0.25:
            sid, _, was = m.sessions[1]
            m.corrected[sid] = (
                Attendance.MENTEE_DID_NOT_ATTEND if was is Attendance.ATTENDED else Attendance.ATTENDED
            )
        finish = m.sessions[-1][1] + timedelta(days=1)
        ending = rng.random()
        if finish <= TODAY and ending < 0.6:
            m.completed_on = finish
        elif finish <= TODAY and ending < 0.85:
            m.ended = (finish, rng.choice(list(PairingEndReason)))
        if rng.random() < 0.9:
            m.baseline = Pam(m.started_on, round(rng.uniform(30, 70), 1), rng.random() < 0.5)
            finished = m.completed_on or (m.ended[0] if m.ended else None)
            if finished is not None and rng.random() < 0.75:
                first = Pam(
                    finished, round(min(100.0, m.baseline.score + rng.uniform(-5, 20)), 1), rng.random() < 0.5
                )
                m.follow_ups.append(first)
                if first.on + timedelta(days=30) <= TODAY and rng.random() < 0.3:
                    m.follow_ups.append(
                        Pam(first.on + timedelta(days=30), round(rng.uniform(40, 90), 1), False)
                    )
    # A few results are corrected after entry.
    for m in [m for m in mentees if m.baseline][:3]:
        assert m.baseline is not None
        m.baseline.corrected_score = round(m.baseline.score - 2.5, 1)
    return mentees


# ---------------------------------------------------------------------------------------------------------
# Events, as the producing services would publish them.


def at(day: date) -> FixedClock:
    return FixedClock(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC))


def wrap(data: EventData, condition: str, day: date) -> CloudEvent[Any]:
    return new_event(data, clock=at(day), condition=condition, programme=PROGRAMME)


def referral_events(m: Mentee, condition: str) -> list[CloudEvent[Any]]:
    ethnic = EthnicCategory(m.ethnic) if m.ethnic else None
    received = ReferralReceived(
        referral_id=m.referral_id,
        received_on=m.received_on,
        source=m.source,
        referrer_ods_code=m.referrer,
        age_band=AgeBand.AGE_45_54,
        gender=Gender.MALE,
        postcode_district=m.district,
        ethnic_category=ethnic,
    )
    events = [wrap(received, condition, m.received_on)]
    if m.rejected:
        events.append(
            wrap(
                ReferralRejected(referral_id=m.referral_id, rejected_on=m.rejected[0], reason=m.rejected[1]),
                condition,
                m.rejected[0],
            )
        )
    if m.accepted_on:
        consent = Consent(peer_support=True, share_outcomes_with_referrer=True, contact_for_evaluation=False)
        accepted = ReferralAccepted(
            referral_id=m.referral_id,
            accepted_on=m.accepted_on,
            consent=consent,
            preferences=MenteePreferences(),
        )
        events.append(wrap(accepted, condition, m.accepted_on))
    if m.withdrawn:
        withdrawn = ReferralWithdrawn(
            referral_id=m.referral_id,
            withdrawn_on=m.withdrawn[0],
            reason=m.withdrawn[1],
            erase_personal_data=False,
        )
        events.append(wrap(withdrawn, condition, m.withdrawn[0]))
    return events


def match_and_session_events(
    m: Mentee, condition: str
) -> tuple[list[CloudEvent[Any]], list[CloudEvent[Any]]]:
    if m.matched_on is None or m.mentor is None or m.started_on is None:
        return [], []
    match_id, pairing_id = hid("mat"), hid("pai")
    matched = MentorMatched(
        match_id=match_id,
        referral_id=m.referral_id,
        mentor_id=m.mentor,
        score=0.8,
        mode=MatchMode.AUTO,
        confirmed_by=ConfirmedBy.SYSTEM,
    )
    ids = {"pairing_id": pairing_id, "referral_id": m.referral_id, "mentor_id": m.mentor}
    started = PairingStarted(
        **ids, match_id=match_id, started_on=m.started_on, planned_end_on=m.started_on + timedelta(days=120)
    )
    sessions: list[CloudEvent[Any]] = [wrap(started, condition, m.started_on)]
    for number, (sid, on, attendance) in enumerate(m.sessions, start=1):
        versions = [attendance] + ([m.corrected[sid]] if sid in m.corrected else [])
        logged = [
            wrap(_session(ids, sid, revision, number, on, a), condition, on)
            for revision, a in enumerate(versions, start=1)
        ]
        sessions += reversed(logged)  # a correction may overtake the session it corrects
    attended = sum(1 for _, a, _ in m.attendance() if a is Attendance.ATTENDED)
    if m.completed_on:
        sessions.append(
            wrap(
                PairingCompleted(**ids, completed_on=m.completed_on, sessions_attended=attended),
                condition,
                m.completed_on,
            )
        )
    if m.ended:
        ended = PairingEnded(**ids, ended_on=m.ended[0], reason=m.ended[1], sessions_attended=attended)
        sessions.append(wrap(ended, condition, m.ended[0]))
    return [wrap(matched, condition, m.matched_on)], sessions


def _session(
    ids: dict[str, str], sid: str, revision: int, number: int, on: date, a: Attendance
) -> SessionLogged:
    attended = a is Attendance.ATTENDED
    return SessionLogged(
        **ids,
        session_id=sid,
        revision=revision,
        session_number=number,
        session_date=on,
        attendance=a,
        duration_minutes=60 if attended else None,
        mode=SessionMode.CAFE,
    )


def mentor_events(mentors: list[str], condition: str) -> list[CloudEvent[Any]]:
    events: list[CloudEvent[Any]] = []
    for i, mentor in enumerate(mentors):
        registered = date(2025, 3, 1) + timedelta(days=10 * i)
        events.append(
            wrap(
                MentorRegistered(
                    mentor_id=mentor,
                    registered_on=registered,
                    conditions=(condition,),
                    postcode_district="M1",
                    capacity=3,
                ),
                condition,
                registered,
            )
        )
        events.append(
            wrap(
                MentorActivated(mentor_id=mentor, activated_on=registered + timedelta(days=20), capacity=3),
                condition,
                registered + timedelta(days=20),
            )
        )
    events.append(
        wrap(
            MentorLeft(mentor_id=mentors[-1], left_on=date(2025, 12, 15), reason="moved-away"),
            condition,
            date(2025, 12, 15),
        )
    )
    return events


# ---------------------------------------------------------------------------------------------------------
# The expected figures, computed independently of the service's code.


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def has(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def r(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def quantile_90(values: list[int]) -> float | None:
    if not values:
        return None
    return float(values[0]) if len(values) == 1 else statistics.quantiles(values, n=10, method="inclusive")[8]


def waits(days: list[int], bands: bool) -> dict[str, Any]:
    block: dict[str, Any] = {
        "n": len(days),
        "median": r(float(statistics.median(days)), 1) if days else None,
        "p90": r(quantile_90(days), 1),
    }
    if bands:
        edges = {"0-7": (0, 7), "8-14": (8, 14), "15-28": (15, 28), "29-56": (29, 56), "57+": (57, 10**6)}
        block["distribution"] = {k: sum(1 for d in days if lo <= d <= hi) for k, (lo, hi) in edges.items()}
    return block


def tally(keys: Any, found: list[Any]) -> dict[str, int]:
    counted = Counter(found)
    return {k: counted[k] for k in keys}


def expected_figures(ms: list[Mentee], w: Window, referrers: list[str], months: list[str]) -> dict[str, Any]:
    received = [m for m in ms if w.has(m.received_on)]
    rejected = [m for m in ms if m.rejected and w.has(m.rejected[0])]
    withdrawn = [m for m in ms if m.withdrawn and w.has(m.withdrawn[0])]
    matched = [m for m in ms if w.has(m.matched_on)]
    in_window = [(m, d, a, mentor) for m in ms if m.mentor for d, a, mentor in m.attendance() if w.has(d)]
    attended = [(m, mentor) for m, _, a, mentor in in_window if a is Attendance.ATTENDED]
    missed = [1 for _, _, a, _ in in_window if a in MISSED]
    first_attended = {
        m.referral_id: min(d for d, a, _ in m.attendance() if a is Attendance.ATTENDED)
        for m in ms
        if m.sessions
    }
    started = [m for m in ms if w.has(first_attended.get(m.referral_id))]
    seen = {m.referral_id for m, _ in attended}
    ended = [m for m in ms if m.ended and w.has(m.ended[0])]
    delivered = len(attended)
    activity = {
        "referrals_received": len(received),
        "received_by_source": tally([s.value for s in ReferralSource], [m.source.value for m in received]),
        "received_by_referrer": tally(referrers, [m.referrer for m in received]),
        "received_by_month": tally(months, [m.received_on.strftime("%Y-%m") for m in received]),
        "accepted": sum(1 for m in ms if w.has(m.accepted_on)),
        "rejected": len(rejected),
        "rejected_by_reason": tally(
            [x.value for x in RejectionReason], [m.rejected[1].value for m in rejected if m.rejected]
        ),
        "withdrawn": len(withdrawn),
        "withdrawn_by_reason": tally(
            [x.value for x in WithdrawalReason], [m.withdrawn[1].value for m in withdrawn if m.withdrawn]
        ),
        "matched": len(matched),
        "time_to_match_days": waits(
            [(m.matched_on - m.received_on).days for m in matched if m.matched_on], True
        ),
        "time_to_first_session_days": waits(
            [(first_attended[m.referral_id] - m.received_on).days for m in started], False
        ),
        "mentors_active": len({mentor for _, mentor in attended}),
        "mentees_seen": len(seen),
        "sessions_delivered": delivered,
        "sessions_missed": len(missed),
        "attendance_rate": r(delivered / (delivered + len(missed)), 3) if delivered + len(missed) else None,
        "sessions_per_mentee": r(delivered / len(seen), 2) if seen else None,
        "completions": sum(1 for m in ms if w.has(m.completed_on)),
        "early_endings": len(ended),
        "early_endings_by_reason": tally(
            [x.value for x in PairingEndReason], [m.ended[1].value for m in ended if m.ended]
        ),
    }
    return {"activity": activity, "outcomes": expected_outcomes(ms, w)}


def expected_outcomes(ms: list[Mentee], w: Window) -> dict[str, Any]:
    pairs = []
    for m in ms:
        done = [f for f in m.follow_ups if f.on <= w.end]
        if m.baseline and m.baseline.on <= w.end and done and w.has(done[-1].on):
            pairs.append((m.baseline.final, done[-1].final))
    changes = [after - before for before, after in pairs]
    gained = sum(1 for c in changes if c >= 3.0 - 1e-9)
    ci = None
    if len(changes) >= 2:
        margin = student_t.ppf(0.975, len(changes) - 1) * statistics.stdev(changes) / math.sqrt(len(changes))
        ci = [r(statistics.mean(changes) - margin, 2), r(statistics.mean(changes) + margin, 2)]
    levels = ["1", "2", "3", "4"]
    before_levels = [str(level_of(b)) for b, _ in pairs]
    after_levels = [str(level_of(a)) for _, a in pairs]
    return {
        "baselines_recorded": sum(1 for m in ms if m.baseline and w.has(m.baseline.on)),
        "paired": len(pairs),
        "baseline_mean_level": r(statistics.fmean(map(int, before_levels)), 2) if pairs else None,
        "follow_up_mean_level": r(statistics.fmean(map(int, after_levels)), 2) if pairs else None,
        "baseline_mean_score": r(statistics.mean(b for b, _ in pairs), 2) if pairs else None,
        "follow_up_mean_score": r(statistics.mean(a for _, a in pairs), 2) if pairs else None,
        "mean_change": r(statistics.mean(changes), 2) if changes else None,
        "mean_change_ci95": ci,
        "gained_3_or_more": gained,
        "gained_under_3": len(pairs) - gained,
        "share_gained_3_or_more": r(gained / len(pairs), 3) if pairs else None,
        "baseline_by_level": tally(levels, before_levels),
        "follow_up_by_level": tally(levels, after_levels),
        "level_transitions": {
            row: tally(levels, [a for b, a in zip(before_levels, after_levels, strict=True) if b == row])
            for row in levels
        },
        "finished_without_follow_up": sum(
            1
            for m in ms
            if m.baseline
            and m.baseline.on <= w.end
            and not [f for f in m.follow_ups if f.on <= w.end]
            and w.has(m.completed_on or (m.ended[0] if m.ended else None))
        ),
    }


def expected_report(ms: list[Mentee], w: Window) -> dict[str, Any]:
    referrers = sorted({m.referrer for m in ms if w.has(m.received_on)})
    months = sorted(
        {
            f"{d.year:04d}-{d.month:02d}"
            for d in (w.start + timedelta(n) for n in range((w.end - w.start).days + 1))
        }
    )
    groups = {
        "locality": {
            g: [m for m in ms if LOCALITY_OF.get(m.district, "other") == g]
            for g in ("central", "north", "south", "other", "unknown")
        },
        "ethnic_category": {
            g: [m for m in ms if (m.ethnic or "not-recorded") == g]
            for g in [*(c.value for c in EthnicCategory), "not-recorded"]
        },
    }
    return {
        "total": expected_figures(ms, w, referrers, months),
        "breakdowns": {
            name: {g: expected_figures(members, w, referrers, months) for g, members in by.items()}
            for name, by in groups.items()
        },
    }


def expected_mentors(mentor_rows: list[tuple[str, date, date, date | None]], w: Window) -> dict[str, int]:
    return {
        "registered": sum(1 for _, reg, _, _ in mentor_rows if w.has(reg)),
        "activated": sum(1 for _, _, act, _ in mentor_rows if w.has(act)),
        "left": sum(1 for _, _, _, left in mentor_rows if w.has(left)),
        "available_at_end": sum(
            1 for _, _, act, left in mentor_rows if act <= w.end and not (left and left <= w.end)
        ),
    }


def assert_matches(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), f"{where}: {actual} != {expected}"
        for key, value in expected.items():
            assert_matches(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual} != {expected}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(a, e, f"{where}[{i}]")
    elif isinstance(expected, float):
        # Both sides round to 1-3 places; allow one unit of the last place for rounding at a boundary.
        assert actual == pytest.approx(expected, abs=0.0101), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected and type(actual) is type(expected), f"{where}: {actual!r} != {expected!r}"


# ---------------------------------------------------------------------------------------------------------
# The scenario, driven once through the real streams and the real HTTP API.


@dataclass
class Scenario:
    service: ServiceHarness
    mentees: list[Mentee]
    mentors: list[tuple[str, date, date, date | None]]
    condition: str
    published: int


async def _projection_counts(service: ServiceHarness) -> tuple[int, int, int]:
    async with service.runtime.sessions() as s:
        received = await s.scalar(select(func.count()).where(rpt_referrals.c.received_on.is_not(None)))
        sessions = await s.scalar(select(func.count()).select_from(rpt_sessions))
        revisions = await s.scalar(select(func.coalesce(func.sum(rpt_sessions.c.revision), 0)))
    return int(received or 0), int(sessions or 0), int(revisions or 0)


async def _enter_pam(service: ServiceHarness, mentees: list[Mentee]) -> int:
    coordinator = service.auth(Role.COORDINATOR)
    entered = 0
    for m in mentees:
        if m.baseline is None:
            continue
        results = [("baseline", None, m.baseline)] + [
            ("follow-up", n, f) for n, f in enumerate(m.follow_ups, start=1)
        ]
        for timepoint, number, result in results:
            body: dict[str, Any] = {
                "timepoint": timepoint,
                "follow_up_number": number,
                "assessed_on": result.on.isoformat(),
                "score": result.score,
                "administered_by": "mentor",
            }
            if result.give_level:
                body["level"] = level_of(result.score)
            response = await service.client.post(
                f"/referrals/{m.referral_id}/pam", json=body, headers=coordinator
            )
            assert response.status_code == 201, response.text
            entered += 1
            if result.corrected_score is not None:
                body |= {"score": result.corrected_score}
                body.pop("level", None)
                pam_id = response.json()["pam_id"]
                fixed = await service.client.put(f"/pam/{pam_id}", json=body, headers=coordinator)
                assert fixed.status_code == 200, fixed.text
                entered += 1
    return entered


@pytest.fixture(scope="module")
async def scenario(infra: Infrastructure, nc: Client) -> AsyncIterator[Scenario]:
    condition = f"t{uuid.uuid4().hex[:12]}"
    database_url = infra.create_database(f"t_{uuid.uuid4().hex[:16]}")
    rng = random.Random(20250401)
    mentor_ids = [hid("mnt") for _ in range(8)]
    mentees = build_scenario(rng, mentor_ids)
    mentors = [
        (
            mid,
            date(2025, 3, 1) + timedelta(days=10 * i),
            date(2025, 3, 21) + timedelta(days=10 * i),
            date(2025, 12, 15) if i == 7 else None,
        )
        for i, mid in enumerate(mentor_ids)
    ]
    js = nc.jetstream()
    referral_stream = [e for m in mentees for e in referral_events(m, condition)]
    matches, sessions = [], []
    for m in mentees:
        matched, logged = match_and_session_events(m, condition)
        matches += matched
        sessions += logged
    async with start_outcomes(infra, js, condition=condition, database_url=database_url) as service:
        # Across streams, in the worst order: sessions before the matches before the referrals.
        await service.publish(*sessions)
        await service.publish(*mentor_events(mentor_ids, condition), *matches)
        await service.publish(*referral_stream)
        # Some events twice, under new message ids (as after a re-publish beyond the duplicate window).
        await service.publish(*referral_stream[:10], *sessions[:10], msg_id_suffix="-again")
        published = len(sessions) + len(matches) + len(mentors) * 2 + 1 + len(referral_stream) + 20
        corrections = sum(len(m.corrected) for m in mentees)
        expected_counts = (len(mentees), sum(len(m.sessions) for m in mentees))
        expected_counts += (expected_counts[1] + corrections,)
        await eventually(lambda: _counts_are(service, expected_counts), timeout=60)
        pam_entries = await _enter_pam(service, mentees)

        async def pam_projected() -> bool:
            async with service.runtime.sessions() as s:
                return (
                    int(await s.scalar(select(func.coalesce(func.sum(rpt_pam.c.revision), 0))) or 0)
                    == pam_entries
                )

        await eventually(pam_projected, timeout=60)
        yield Scenario(service, mentees, mentors, condition, published + pam_entries)


async def _counts_are(service: ServiceHarness, expected: tuple[int, int, int]) -> bool:
    return await _projection_counts(service) == expected


async def fetch(scenario: Scenario, role: Role, params: dict[str, str], suffix: str = "") -> Any:
    response = await scenario.service.client.get(
        f"/reports/programme{suffix}", params=params, headers=scenario.service.auth(role)
    )
    assert response.status_code == 200, response.text
    return response.json() if suffix == "" else response.text


Q3 = ({"quarter": "2025-26-Q3"}, Window(date(2025, 10, 1), date(2025, 12, 31)))
YEAR = ({"start": "2025-04-01", "end": "2026-04-20"}, Window(date(2025, 4, 1), date(2026, 4, 20)))


@pytest.mark.parametrize(("params", "window"), [Q3, YEAR], ids=["quarter", "date-range"])
async def test_the_report_equals_the_figures_computed_from_the_scenario(
    scenario: Scenario, params: dict[str, str], window: Window
) -> None:
    report = await fetch(scenario, Role.COORDINATOR, params)
    expected = expected_report(scenario.mentees, window)

    assert report["disclosure"] == {"applied": False}
    assert_matches(report["total"], expected["total"], "total")
    for dimension, groups in expected["breakdowns"].items():
        assert_matches(report["breakdowns"][dimension], groups, dimension)
    assert report["breakdowns"]["programme"] == {PROGRAMME: report["total"]}
    assert report["breakdowns"]["condition"] == {scenario.condition: report["total"]}
    assert report["mentors"]["total"] == expected_mentors(scenario.mentors, window)
    # The scenario is rich enough to exercise every figure.
    outcomes = report["total"]["outcomes"]
    assert outcomes["paired"] >= 3 and outcomes["mean_change_ci95"] is not None
    assert report["total"]["activity"]["early_endings"] > 0 and report["total"]["activity"]["rejected"] > 0


async def test_a_quarter_reports_the_same_as_its_dates(scenario: Scenario) -> None:
    by_quarter = await fetch(scenario, Role.COORDINATOR, {"quarter": "2025-26-Q3"})
    by_dates = await fetch(scenario, Role.COORDINATOR, {"start": "2025-10-01", "end": "2025-12-31"})
    assert by_quarter["period"]["label"] == "2025/26 Q3"
    assert by_quarter | {"period": None} == by_dates | {"period": None}
    bad = await scenario.service.client.get(
        "/reports/programme",
        params={"quarter": "2025-26-Q5"},
        headers=scenario.service.auth(Role.COMMISSIONER),
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid-period")


def _leaves(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*path, key))]
    return [(path, node)]


def _at(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@pytest.mark.parametrize(("params", "window"), [Q3, YEAR], ids=["quarter", "date-range"])
async def test_commissioners_only_ever_see_figures_under_disclosure_control(
    scenario: Scenario, params: dict[str, str], window: Window
) -> None:
    full = await fetch(scenario, Role.COORDINATOR, params)
    shown = await fetch(scenario, Role.COMMISSIONER, params)
    assert await fetch(scenario, Role.COMMISSIONER, params | {"disclosure": "false"}) == shown
    assert shown["disclosure"]["applied"] is True and shown["disclosure"]["threshold"] == 5

    markers: Counter[str] = Counter()
    for path, value in _leaves({k: full[k] for k in ("total", "breakdowns", "mentors")}):
        seen = _at(shown, path)
        if isinstance(value, int):  # a count
            assert seen == "<5" if value < 5 else seen in (value, "*"), path
        else:  # a derived figure
            assert seen in (value, "withheld"), path
        markers[str(seen)] += isinstance(seen, str)
    assert markers["<5"] and markers["*"] and markers["withheld"]

    # No hidden count can be worked out by subtraction from a shown total.
    relations = [
        (
            ("total", "activity", "referrals_received"),
            [("total", "activity", "received_by_source", s.value) for s in ReferralSource],
        )
    ]
    for measure in (
        ("activity", "referrals_received"),
        ("activity", "sessions_delivered"),
        ("outcomes", "paired"),
    ):
        for dimension, groups in shown["breakdowns"].items():
            relations.append((("total", *measure), [("breakdowns", dimension, g, *measure) for g in groups]))
    for row in "1234":
        relations.append(
            (
                ("total", "outcomes", "baseline_by_level", row),
                [("total", "outcomes", "level_transitions", row, col) for col in "1234"],
            )
        )
    for total, parts in relations:
        hidden = [p for p in parts if isinstance(_at(shown, p), str)]
        if not isinstance(_at(shown, total), str):
            assert len(hidden) != 1, f"{hidden} = {total} minus the others"
    for dimension, groups in shown["breakdowns"].items():
        for group, block in groups.items():
            if isinstance(block["outcomes"]["paired"], str):
                assert block["outcomes"]["mean_change"] == "withheld", (dimension, group)

    # CSV and HTML are rendered from the shown figures only.
    rows = list(csv.DictReader(io.StringIO(await fetch(scenario, Role.COMMISSIONER, params, ".csv"))))
    assert {row["value"] for row in rows} >= {"<5", "*", "withheld"}
    scopes = {"total": ("total",), "mentors": ("mentors", "total")}
    for row in rows:
        where = scopes.get(row["scope"]) or (
            ("mentors", "by_condition", row["group"])
            if row["scope"] == "mentors-condition"
            else ("breakdowns", row["scope"], row["group"])
        )
        value = _at(shown, (*where, *row["measure"].split(".")))
        expected = (
            "" if value is None else " to ".join(map(str, value)) if isinstance(value, list) else str(value)
        )
        assert row["value"] == expected, row
    assert len(rows) == len(_leaves(shown["total"])) * (
        1 + sum(len(g) for g in shown["breakdowns"].values())
    ) + 4 * (1 + len(shown["mentors"]["by_condition"]))
    page = await fetch(scenario, Role.COMMISSIONER, params, ".html")
    assert page == report_html(shown)
    assert (
        "&lt;5" in page
        and "<svg" in page
        and "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert page != await fetch(scenario, Role.COORDINATOR, params, ".html")


async def test_rebuilding_the_projections_from_the_streams_gives_identical_output(scenario: Scenario) -> None:
    views = [
        (role, params, suffix)
        for role in (Role.COORDINATOR, Role.COMMISSIONER)
        for params, _ in (Q3, YEAR)
        for suffix in ("", ".csv", ".html")
    ]
    before = [await fetch(scenario, *view) for view in views]
    service = scenario.service
    async with service.runtime.sessions() as s, s.begin():
        # Damage the projections, so a rebuild that changed nothing would be caught.
        await s.execute(delete(rpt_sessions).where(rpt_sessions.c.session_id < "ses_8"))
        await s.execute(update(rpt_referrals).values(ethnic_category=None, received_on=date(2025, 4, 1)))
        await s.execute(delete(rpt_pam).where(rpt_pam.c.timepoint == "follow-up"))
    assert await fetch(scenario, *views[0]) != before[0]

    # With the service's own NATS identity, as `python -m peer_outcomes.commands` runs.
    client = await connect(service.settings, name="outcomes-rebuild-test")
    try:
        result = await rebuild_projections(
            client.jetstream(),
            service.runtime.sessions,
            subscriptions(service.settings),
            batch_size=100,
            consumer_prefix=f"{scenario.condition}-",
        )
    finally:
        await client.close()

    assert (result.events, result.skipped) == (scenario.published, 0)
    assert [await fetch(scenario, *view) for view in views] == before
