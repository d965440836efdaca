"""Reading the log-a-session form: field errors in the NHS.UK pattern, and the sessions API's body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from peer_shared.contracts.codes import SessionMode, Topic
from peer_shared.contracts.events.sessions import Attendance

LONDON = ZoneInfo("Europe/London")


@dataclass
class SessionForm:
    """What was typed (kept for re-display), the errors by field, and the body to send if none."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def read_session_form(form: Any) -> SessionForm:
    """Check the form; `form` is a multi-dict (topics may repeat)."""
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
    goals = _goal(values, errors)
    if errors:
        return result
    result.body = {
        "starts_at": starts_at.isoformat() if starts_at else None,
        "duration_minutes": duration,
        "mode": values["mode"],
        "attendance": attendance,
        "topics": topics if took_place else [],
        "notes": values.get("notes") or None,
        "new_goals": goals,
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
