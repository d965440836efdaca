"""Reading the log-a-session form: field errors in the NHS.UK pattern, and the sessions API's body.

The form sets at most one new goal and reviews each open goal of the pairing (one row per goal: progress,
the mentee's confidence now, and the restated goal when it is revised). A goal row left at "not reviewed"
is not sent. The sessions service owns the rules; its refusals are placed next to the field they concern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from peer_events.codes import SessionMode, Topic
from peer_events.events.sessions import Attendance, GoalProgress

LONDON = ZoneInfo("Europe/London")
PAIRING_ID = re.compile(r"^pai_[0-9a-f]{32}$")
REVIEWS = "reviews"
"""Where refusals about the reviews as a whole are shown (the reviews' heading)."""

# How far a goal has got: the sessions service's `GoalProgress` codes (a test keeps them equal). The first
# choice, "not reviewed", sends nothing for the goal.
PROGRESS: tuple[tuple[str, str], ...] = (
    ("", "Not reviewed this time"),
    (GoalProgress.NOT_STARTED.value, "Not started"),
    (GoalProgress.PARTLY.value, "Partly done"),
    (GoalProgress.DONE.value, "Done"),
    (GoalProgress.REVISED.value, "Changed: restate the goal below"),
)
CONFIDENCE: tuple[tuple[str, str], ...] = (("", "Choose"), *((str(n), str(n)) for n in range(11)))

# Where each of the sessions service's refusal codes is shown; any other beside the date.
REFUSAL_FIELD = {
    "session-in-future": "date",
    "session-before-pairing": "date",
    "session-overlaps": "date",
    "start-time-without-timezone": "time",
    "duration-required": "duration",
    "duration-not-applicable": "duration",
    "duration-out-of-range": "duration",
    "content-without-attendance": "attendance",
    "notes-too-long": "notes",
    "goal-without-wording": "goal_what",
    "goal-text-too-long": "goal_what",
    "too-many-goals": "goal_what",
    "confidence-out-of-range": "confidence",
    "goal-not-in-pairing": REVIEWS,
    "goal-reviewed-twice": REVIEWS,
    "revised-goal-missing": REVIEWS,
    "revised-goal-unexpected": REVIEWS,
}


@dataclass
class SessionForm:
    """What was typed (kept for re-display), the errors by field, and the body to send if none."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def review_field(goal_id: str, part: str) -> str:
    """The name (and id) of a goal review's field: `progress`, `confidence` or `what`."""
    return f"review_{goal_id}_{part}"


def open_goals(goals: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The goals a session may review: not done, and not erased after a withdrawal."""
    return [g for g in goals if g.get("what") and g.get("progress") != GoalProgress.DONE.value]


def read_session_form(form: Any, goals: Sequence[Mapping[str, Any]] = ()) -> SessionForm:
    """Check the form; `form` is a multi-dict (topics may repeat); `goals` are the open goals shown for
    review (each with its `id` and `topic`)."""
    values: dict[str, Any] = {k: str(v).strip() for k, v in form.items() if k not in ("csrf_token", "topics")}
    values["topics"] = [str(t) for t in form.getlist("topics")]
    result = SessionForm(values)
    errors = result.errors
    starts_at = _starts_at(values, errors)
    attendance = values.get("attendance", "")
    if attendance not in {a.value for a in Attendance}:
        errors["attendance"] = "Choose whether the session took place"
    if values.get("mode", "") not in {m.value for m in SessionMode}:
        errors["mode"] = "Choose where or how you met"
    took_place = attendance == Attendance.ATTENDED.value
    duration = _whole(values.get("duration", ""), 1, 240) if took_place else None
    if took_place and duration is None:
        errors["duration"] = "Enter how long the session lasted, in minutes (1 to 240)"
    topics = [t for t in values["topics"] if t in {x.value for x in Topic}]
    goals_set = _goal(values, errors)
    reviews = [_review(values, errors, goal, took_place) for goal in goals]
    if errors:
        return result
    result.body = {
        "starts_at": starts_at.isoformat() if starts_at else None,
        "duration_minutes": duration,
        "mode": values["mode"],
        "attendance": attendance,
        "topics": topics if took_place else [],
        "notes": values.get("notes") or None,
        "new_goals": goals_set,
        "goal_reviews": [review for review in reviews if review],
    }
    return result


def _starts_at(values: Mapping[str, str], errors: dict[str, str]) -> datetime | None:
    try:
        day = date.fromisoformat(values.get("date", ""))
    except ValueError:
        errors["date"] = "Enter the date of the session, for example 2026-05-14"
        return None
    try:
        at = time.fromisoformat(values.get("time", ""))
    except ValueError:
        errors["time"] = "Enter the time the session started, for example 10:30"
        return None
    return datetime.combine(day, at, LONDON)


def _whole(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def _goal(values: Mapping[str, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    what = values.get("goal_what", "")
    if not what:
        return []
    topic = values.get("goal_topic", "")
    if topic not in {t.value for t in Topic}:
        errors["goal_topic"] = "Choose what the goal is about"
    confidence = _whole(values.get("confidence", ""), 0, 10)
    if confidence is None:
        errors["confidence"] = "Enter the mentee's confidence from 0 to 10"
    return [{"topic": topic, "what": what, "when": values.get("goal_when") or None, "confidence": confidence}]


def _review(
    values: Mapping[str, str], errors: dict[str, str], goal: Mapping[str, Any], took_place: bool
) -> dict[str, Any] | None:
    """One goal's review row: None when left at "not reviewed" (and nothing else typed in it)."""
    progress_field, confidence_field, what_field = (
        review_field(goal["id"], part) for part in ("progress", "confidence", "what")
    )
    progress = values.get(progress_field, "")
    what = values.get(what_field, "")
    confidence_text = values.get(confidence_field, "")
    if not progress:
        if confidence_text or what:
            errors[progress_field] = "Choose how far the goal has got, or empty its other answers"
        return None
    if progress not in {p.value for p in GoalProgress}:
        errors[progress_field] = "Choose how far the goal has got"
        return None
    if not took_place:
        errors[progress_field] = (
            "Goals are reviewed only in a session that took place: choose not reviewed this time"
        )
        return None
    confidence = _whole(confidence_text, 0, 10)
    if confidence is None:
        errors[confidence_field] = "Choose the mentee's confidence now, from 0 to 10"
    revising = progress == GoalProgress.REVISED.value
    if revising and not what:
        errors[what_field] = "Say what the mentee will do now the goal has changed"
    if not revising and what:
        errors[what_field] = "Choose changed to restate the goal, or empty this box"
    review: dict[str, Any] = {"goal_id": goal["id"], "progress": progress, "confidence": confidence}
    if revising:
        review["revised_goal"] = {"topic": goal["topic"], "what": what}
    return review


def refusal_field(code: str | None) -> str:
    """Where the sessions service's refusal is shown."""
    return REFUSAL_FIELD.get(code or "", "date")
