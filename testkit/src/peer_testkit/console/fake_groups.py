"""A stand-in for the groups service's HTTP API (`peer_groups.api`: the same shapes, ids and refusal
codes), for the console's page tests: canned cohorts, waitlist, facilitators, follow-ups and concerns;
every request it gets is recorded, and a test can make the next call to a path answer a refusal
(problem details, with the field problems the service would name) instead.

The console reaches it through `httpx.MockTransport(fake.handle)`; calls to the other services answer
an empty list or page (the coordinator's and mentor's home pages' other sections).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx

COHORT_ID = "coh_" + "0c" * 16
CONCERN_ID = "sgc_" + "0d" * 16
SESSION_ID = "gss_" + "0e" * 16
MENTOR_A = "mnt_" + "a1" * 16
MENTOR_B = "mnt_" + "b2" * 16
REF_1 = "ref_" + "11" * 16
REF_2 = "ref_" + "22" * 16
REF_WAITING = "ref_" + "33" * 16


def cohort(status: str = "running", **changes: Any) -> dict[str, Any]:
    """A cohort's detail as GET /cohorts/{id} answers it: two members, one flagged for follow-up."""
    members: list[dict[str, Any]] = [
        {"referral_id": REF_1, "enrolled_on": "2026-05-01", "status": "enrolled", "left_reason": None}
        | {"attended": 2, "apologies": 0, "absent": 0, "consecutive_absences": 0, "follow_up": False},
        {"referral_id": REF_2, "enrolled_on": "2026-05-01", "status": "enrolled", "left_reason": None}
        | {"attended": 0, "apologies": 0, "absent": 2, "consecutive_absences": 2, "follow_up": True},
    ]
    schedule: list[dict[str, Any]] = [
        {"session_number": n, "planned_on": day, "status": status, "session_id": None}
        for n, day, status in (
            (1, "2026-06-02", "held"),
            (2, "2026-06-16", "held"),
            (3, "2026-06-30", "planned"),
        )
    ]
    found: dict[str, Any] = {
        "cohort_id": COHORT_ID,
        "programme": "long-covid-group",
        "condition": "long-covid",
        "name": "Leeds spring group",
        "status": status,
        "starts_on": "2026-06-02",
        "setting": "venue",
        "venue": "Chapeltown Library, LS7",
        "online_link": None,
        "max_size": 12,
        "min_size": 6,
        "members": members,
        "planned_sessions": 3,
        "cadence_days": 14,
        "sessions_held": 2,
        "facilitators": [MENTOR_A, MENTOR_B],
        "next_session_on": "2026-06-30",
        "schedule": schedule,
        "facilitator_checks": [
            {"mentor_id": MENTOR_A, "valid_on_next_session": False},
            {"mentor_id": MENTOR_B, "valid_on_next_session": False},
        ],
    }
    return found | changes


def summary(detail: dict[str, Any]) -> dict[str, Any]:
    """A cohort's summary as GET /cohorts lists it."""
    return {
        k: v for k, v in detail.items() if k not in ("venue", "online_link", "schedule", "facilitator_checks")
    } | {"members": len([m for m in detail["members"] if m["status"] == "enrolled"])}


@dataclass
class FakeGroups:
    """The groups API's answers, the requests it got, and refusals to give next."""

    detail: dict[str, Any] = field(default_factory=cohort)
    waitlist: dict[str, Any] = field(
        default_factory=lambda: {
            "programme": "long-covid-group",
            "items": [
                {"referral_id": REF_WAITING, "position": 1, "waitlisted_on": "2026-04-20"}
                | {"expected_start": None, "cohort_id": None},
            ],
            "total": 1,
            "proposal": {"needed": True, "waiting_without_place": 7, "suggested_starts_on": "2026-09-08"},
        }
    )
    facilitators: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"mentor_id": MENTOR_A, "status": "active", "active": True}
            | {"group_facilitator": True, "checks_valid_until": "2099-01-01"},
            {"mentor_id": MENTOR_B, "status": "active", "active": True}
            | {"group_facilitator": False, "checks_valid_until": None},
        ]
    )
    concerns: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {
                "concern_id": CONCERN_ID,
                "cohort_id": COHORT_ID,
                "referral_id": REF_2,
                "category": "risk-to-self",
            }
            | {"urgency": "within-24-hours", "details": "Spoke of feeling hopeless", "raised_by": "mentor"}
            | {"raised_at": "2026-06-02T11:00:00+00:00", "escalation_level": 0, "status": "open"}
            | {"acknowledged_at": None, "action": None}
        ]
    )
    requests: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)
    """(method, path with query, JSON body) of every call to the groups API."""
    refusals: dict[str, tuple[int, str, str, list[dict[str, str]]]] = field(default_factory=dict)
    """Path -> (status, code, detail, errors): the next call to the path is refused so (`errors` as the
    service names them: {"field": "body.register.ref_...", "message": ..., "code": ...})."""
    sessions: list[dict[str, Any]] = field(default_factory=list)
    """The sessions recorded through the stand-in, as GET /cohorts/{id}/sessions lists them."""

    def sent(self, method: str, prefix: str, *, exact: bool = False) -> list[dict[str, Any] | None]:
        """The bodies sent to paths starting with `prefix` (or, `exact`, to that path)."""
        return [
            body
            for m, path, body in self.requests
            if m == method and (path.split("?")[0] == prefix if exact else path.startswith(prefix))
        ]

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one call (the console's transport for every service)."""
        if request.url.path == "/readyz":
            return httpx.Response(200, json={"status": "ready", "dead_letters": 0})
        if request.url.host != "groups.test":
            listed = request.url.path.endswith(("/waitlist", "/matches", "/expiring", "/mentors"))
            return httpx.Response(200, json=[] if listed else {"items": [], "total": 0})
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.requests.append((request.method, f"{path}?{request.url.query.decode()}".rstrip("?"), body))
        if path in self.refusals:
            return _problem(*self.refusals.pop(path))
        return self._answer(request.method, path, body)

    def _answer(self, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        page = {"limit": 50, "offset": 0}
        cohort_path = f"/cohorts/{self.detail['cohort_id']}"
        if path.startswith("/cohorts/") and not path.startswith(cohort_path):
            return _problem(404, "cohort-not-found", f"no cohort {path.split('/')[2]}", [])
        if method == "GET" and path == "/cohorts":
            return httpx.Response(200, json={"items": [summary(self.detail)], "total": 1} | page)
        if method == "GET" and path == f"{cohort_path}/sessions":
            return httpx.Response(200, json=self.sessions)
        if method == "GET" and path == cohort_path:
            return httpx.Response(200, json=self.detail)
        if method == "GET" and path == "/waitlist":
            return httpx.Response(200, json=self.waitlist)
        if method == "GET" and path == "/facilitators":
            return httpx.Response(200, json=self.facilitators)
        if method == "GET" and path == "/follow-ups":
            flagged = [self._follow_up(m) for m in self.detail["members"] if m["follow_up"]]
            return httpx.Response(200, json={"items": flagged, "total": len(flagged)} | page)
        if method == "GET" and path == "/concerns":
            return httpx.Response(200, json={"items": self.concerns, "total": len(self.concerns)} | page)
        if method == "POST" and path == "/cohorts":
            return httpx.Response(201, json=self.detail)
        if method in ("POST", "PUT") and path.startswith(f"{cohort_path}/sessions") and body is not None:
            stored = self._session(body, revise=method == "PUT")
            return httpx.Response(201 if method == "POST" else 200, json=stored)
        if method == "POST":
            return httpx.Response(201 if path.endswith("/members") else 200, json=self.detail)
        return _problem(404, "not-found", f"no route {method} {path}", [])

    def _follow_up(self, member: dict[str, Any]) -> dict[str, Any]:
        counts = ("enrolled_on", "attended", "apologies", "absent", "consecutive_absences")
        found = {"cohort_id": self.detail["cohort_id"], "cohort_name": self.detail["name"]}
        return found | {"referral_id": member["referral_id"]} | {k: member[k] for k in counts}

    def _session(self, body: dict[str, Any], *, revise: bool) -> dict[str, Any]:
        """The session as the service answers it: the body with its id, number and revision."""
        number = self.detail["sessions_held"] + 1
        if revise and self.sessions:
            previous = self.sessions.pop()
            number, revision = previous["session_number"], previous["revision"] + 1
        else:
            revision = 1
        stored = {"session_id": SESSION_ID, "cohort_id": self.detail["cohort_id"]}
        stored |= {"session_number": number, "revision": revision, "register": {}} | body
        stored |= {"setting": body.get("setting") or self.detail["setting"]}
        self.sessions.append(stored)
        return stored


def _problem(status: int, code: str, detail: str, errors: list[dict[str, str]]) -> httpx.Response:
    """Problem details as `peer_shared.http.problems` renders them."""
    title = HTTPStatus(status).phrase
    problem = {"type": f"urn:peer-support:problem:{code}", "title": title, "status": status}
    problem |= {"detail": detail, "code": code}
    if errors:
        problem["errors"] = errors
    return httpx.Response(status, json=problem, headers={"Content-Type": "application/problem+json"})
