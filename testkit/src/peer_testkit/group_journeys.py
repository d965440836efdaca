"""A long Covid group programme's journey through the platform, step by step.

The steps run on a `peer_testkit.platform.Platform` wired to a group programme (`programme=GROUP_PROGRAMME`):
register a trained group facilitator in matching, see who waits for a group, plan and open a cohort, take the
register of a group session, record a member's C19-YRSm scores. Referring and accepting people is the same
as for one-to-one support (`peer_testkit.journeys.refer(..., reason=LONG_COVID_SNOMED)` and `accept`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from peer_shared.auth.tokens import Role
from peer_testkit.journeys import TRAINING, mentor_body
from peer_testkit.platform import Platform
from peer_testkit.waiting import eventually

GROUP_PROGRAMME = "long-covid-group"
GROUP_FACILITATION = "group-facilitation"
"""The training module that makes a mentor a group facilitator (optional for one-to-one mentoring)."""
C19_YRSM = "c19-yrsm-2022"


async def register_facilitator(p: Platform, contact: dict[str, str], trained_on: date) -> str:
    """Register a mentor trained in group facilitation (checks done on `trained_on`) and activate them."""
    body = mentor_body(p.condition, trained_on, contact, capacity=1)
    body["training"] = [
        {"module": module, "completed_on": trained_on.isoformat()}
        for module in (*TRAINING, GROUP_FACILITATION)
    ]
    mentor = await p.call("matching", "POST", "/mentors", json=body, expect=201)
    activated = await p.call("matching", "POST", f"/mentors/{mentor['mentor_id']}/activate")
    assert activated["status"] == "active"
    return str(mentor["mentor_id"])


async def waitlist(p: Platform) -> dict[str, Any]:
    """The programme's waitlist as the coordinator sees it."""
    found: dict[str, Any] = await p.call("groups", "GET", "/waitlist", params={"programme": GROUP_PROGRAMME})
    return found


async def wait_for_waitlist(p: Platform, referral_ids: Sequence[str]) -> dict[str, Any]:
    """Wait until every referral is on the waitlist (groups learns of acceptances from the bus)."""

    async def everyone() -> bool:
        waiting = {item["referral_id"] for item in (await waitlist(p))["items"]}
        return waiting >= set(referral_ids)

    await eventually(everyone, timeout=30)
    return await waitlist(p)


async def wait_for_facilitators(p: Platform, mentor_ids: Sequence[str]) -> None:
    """Wait until groups has learnt from matching's events that the mentors facilitate groups."""

    async def known() -> bool:
        listed = await p.call("groups", "GET", "/facilitators")
        rows = listed["items"] if isinstance(listed, dict) else listed
        able = {row["mentor_id"] for row in rows if row["group_facilitator"] and row["active"]}
        return able >= set(mentor_ids)

    await eventually(known, timeout=30)


async def plan_cohort(
    p: Platform, name: str, starts_on: date, facilitators: Sequence[str], **rhythm: int
) -> dict[str, Any]:
    """Plan a cohort meeting in a community venue; `rhythm` overrides sizes, sessions and cadence."""
    body = {
        "programme": GROUP_PROGRAMME,
        "name": name,
        "starts_on": starts_on.isoformat(),
        "setting": "venue",
        "venue": "Harehills Community Centre, room 2",
        "facilitators": list(facilitators),
        **rhythm,
    }
    cohort: dict[str, Any] = await p.call("groups", "POST", "/cohorts", json=body, expect=201)
    return cohort


async def cohort_action(p: Platform, cohort_id: str, action: str, *, expect: int = 200) -> dict[str, Any]:
    """Open, start, finish or cancel a cohort as the coordinator."""
    done: dict[str, Any] = await p.call("groups", "POST", f"/cohorts/{cohort_id}/{action}", expect=expect)
    return done


async def cohort(p: Platform, cohort_id: str, *, facilitator: str | None = None) -> dict[str, Any]:
    """The cohort's detail, as the coordinator (or as one of its facilitators) sees it."""
    who: dict[str, Any] = {"role": Role.MENTOR, "subject": facilitator} if facilitator else {}
    found: dict[str, Any] = await p.call("groups", "GET", f"/cohorts/{cohort_id}", **who)
    return found


async def take_register(
    p: Platform,
    cohort_id: str,
    facilitator: str,
    held_on: date,
    register: Mapping[str, str],
    topics: Sequence[str] = ("fatigue-and-pacing",),
    *,
    notes: str | None = None,
    expect: int = 201,
) -> dict[str, Any]:
    """The facilitator logs a session held on `held_on` with everyone's attendance (and notes, which stay
    in the groups service)."""
    body = {
        "status": "held",
        "held_on": held_on.isoformat(),
        "duration_minutes": 90,
        "setting": "venue",
        "topics": list(topics),
        "facilitators": [facilitator],
        "register": dict(register),
        "notes": notes,
    }
    logged: dict[str, Any] = await p.call(
        "groups",
        "POST",
        f"/cohorts/{cohort_id}/sessions",
        role=Role.MENTOR,
        subject=facilitator,
        json=body,
        expect=expect,
    )
    return logged


async def record_c19_yrsm(
    p: Platform, referral_id: str, timepoint: str, assessed_on: date, severity: int, function: int
) -> dict[str, Any]:
    """The coordinator records a member's C19-YRSm totals (the other scales held steady at mid-range)."""
    body = {
        "referral_id": referral_id,
        "instrument": "c19-yrsm",
        "instrument_version": C19_YRSM,
        "timepoint": timepoint,
        "assessed_on": assessed_on.isoformat(),
        "scores": {
            "symptom-severity": severity,
            "functional-ability": function,
            "other-symptoms": 10,
            "overall-health": 5,
        },
    }
    recorded: dict[str, Any] = await p.call("groups", "POST", "/measures", json=body, expect=201)
    return recorded
