"""A stand-in for the outcomes service's programme report, for the console's report page tests: the report
a commissioner gets (under disclosure control) with one long Covid group programme section, in the shapes
of `peer_outcomes.domain.group_report` (a fast test checks the section has exactly the keys the outcomes
service builds). Its figures are fixed, so a test can look for each one on the page.

`answering_reports(otherwise)` is a transport handler: the report's JSON and HTML from the outcomes host,
every other call passed to `otherwise` (for example `FakeGroups.handle`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

GROUP_PROGRAMME = "long-covid-group"
OUTCOMES_HOST = "outcomes.test"
DISCLOSURE = {
    "applied": True,
    "threshold": 5,
    "markers": {
        "<5": "fewer than 5",
        "*": "hidden so that a smaller count cannot be worked out from a total",
        "withheld": "not shown because it rests on a hidden count",
    },
}


def _scale(better: str, mid: int | None, **figures: Any) -> dict[str, Any]:
    """A scale's block as disclosure control leaves a scale too few were measured on, unless `figures`
    say otherwise (a count of 0 is suppressed too)."""
    block: dict[str, Any] = {"better": better, "mid": mid, "paired": "<5"}
    block |= {"baseline_mean": "withheld", "end_mean": "withheld", "mean_change": "withheld"}
    if mid is not None:
        block |= {"reached_mid": "<5", "not_reached_mid": "<5"}
    return block | {"share_reached_mid": "withheld"} | figures


def group_section() -> dict[str, Any]:
    """The long Covid group programme's section as a commissioner gets it (threshold 5): small counts
    shown as `<5`, a count that would give a small one away from its total as `*`, and what rests on a
    hidden count `withheld`."""
    return {
        "title": "Long Covid peer support groups",
        "delivery": "group",
        "cohorts_started": "<5",
        "cohorts_finished": "<5",
        "people_enrolled": 31,
        "wait_to_first_session_days": {"n": 27, "median": 21.0, "p90": 38.5},
        "sessions_held": 18,
        "sessions_cancelled": "<5",
        "attendances": 176,
        "member_sessions": 214,
        "attendance_rate": 0.822,
        "leavers": 14,
        "leavers_by_reason": {
            "completed": 9,
            "not-completed": "<5",
            "stopped-attending": "<5",
            "withdrew": "<5",
            "coordinator-decision": "<5",
        },
        "completion_rate": 0.643,
        "dropped_out": 5,
        "drop_out_rate": 0.357,
        "measures": {
            "c19-yrsm": {
                # 9 of 12 reached the MID: the 3 who did not are hidden, so the 9 are too.
                "symptom-severity": _scale(
                    "lower", 2, paired=12, baseline_mean=18.5, end_mean=14.25, mean_change=-4.25
                )
                | {"reached_mid": "*"},
                "functional-ability": _scale("lower", 1),
                "other-symptoms": _scale("lower", None),
                "overall-health": _scale("higher", None),
            },
            "ons4": {
                "life-satisfaction": _scale(
                    "higher", 1, paired=11, baseline_mean=5.2, end_mean=6.9, mean_change=1.7
                )
                | {"reached_mid": 6, "not_reached_mid": 5, "share_reached_mid": 0.545},
                "worthwhile": _scale("higher", 1),
                "happiness": _scale("higher", 1),
                "anxiety": _scale("lower", 1),
            },
        },
    }


def programme_report(start: str = "2025-06-01", end: str = "2026-05-31") -> dict[str, Any]:
    """GET /reports/programme's answer with the group section (the one-to-one figures left out: the
    report page shows them only in the breakdown table and the embedded page)."""
    return {
        "report": "programme",
        "period": {"start": start, "end": end, "label": f"{start} to {end}"},
        "generated_at": f"{end}T09:00:00+00:00",
        "total": {},
        "breakdowns": {},
        "mentors": {},
        "group_programmes": {GROUP_PROGRAMME: group_section()},
        "disclosure": DISCLOSURE,
    }


def answering_reports(
    otherwise: Callable[[httpx.Request], httpx.Response], report: dict[str, Any] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering the outcomes service's report (JSON, and a small HTML page for the embedded
    view) and passing every other call to `otherwise`."""
    answer = programme_report() if report is None else report

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host != OUTCOMES_HOST:
            return otherwise(request)
        if request.url.path == "/reports/programme":
            return httpx.Response(200, json=answer)
        if request.url.path == "/reports/programme.html":
            page = '<!DOCTYPE html><html lang="en-GB"><head><title>Programme report</title></head>'
            return httpx.Response(200, text=page + "<body><h1>Programme report</h1></body></html>")
        return otherwise(request)

    return handle
