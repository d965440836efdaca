"""Reading the group programme forms: create a cohort (coordinator) and take the register of a group
session (facilitator or coordinator); field errors in the NHS.UK pattern, and the groups API's bodies.

The groups service owns the rules (who may facilitate on the day, a register with every member once, the
cohort's state); the console checks only what it must to build a body, and places the service's refusals
next to the field they concern (`refusal_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from peer_events.codes import Topic
from peer_events.events.groups import CancellationReason, GroupSetting, Presence
from peer_events.programmes import KNOWN_PROGRAMMES, DeliveryFormat

COHORT_ID = re.compile(r"^coh_[0-9a-f]{32}$")
REFERRAL_ID = re.compile(r"^ref_[0-9a-f]{32}$")
MENTOR_ID = re.compile(r"^mnt_[0-9a-f]{32}$")
GROUP_PROGRAMMES: tuple[tuple[str, str], ...] = tuple(
    (p.code, p.title) for p in KNOWN_PROGRAMMES.values() if p.delivery is DeliveryFormat.GROUP
)
SETTINGS: tuple[tuple[str, str], ...] = (
    (GroupSetting.VENUE.value, "In a venue"),
    (GroupSetting.ONLINE.value, "Online"),
)
PRESENCE: tuple[tuple[str, str], ...] = (
    (Presence.ATTENDED.value, "Attended"),
    (Presence.APOLOGIES.value, "Sent apologies"),
    (Presence.ABSENT.value, "Absent"),
)
HELD = (("held", "It took place"), ("cancelled", "It was cancelled"))
CANCEL_REASONS: tuple[tuple[str, str], ...] = (
    ("", "Choose a reason"),
    *((r.value, r.value.replace("-", " ").capitalize()) for r in CancellationReason),
)
GROUP_TOPICS: tuple[tuple[str, str], ...] = tuple(
    (t.value, t.value.replace("-", " ").capitalize()) for t in Topic
)
SIZES = ("max_size", "min_size", "planned_sessions", "cadence_days")
"""Optional on the cohort form: empty takes the programme's default."""
SIZE_RANGES = {
    "max_size": (1, 100),
    "min_size": (1, 100),
    "planned_sessions": (1, 100),
    "cadence_days": (1, 31),
}
MAX_FACILITATORS = 2
DURATION_RANGE = (10, 480)
"""Minutes a held session may last, as the groups service takes them."""
REGISTER = "register"
"""Where refusals about the register as a whole are shown (its heading)."""
GENERAL = "general"
"""Where a refusal about the cohort as a whole is shown (above its actions)."""

# Where each of the groups service's refusal codes is shown on the register form (an `invalid-session` is
# placed by the fields it names: a register line next to its member); any other beside the date.
REGISTER_REFUSALS = {
    "no-valid-facilitator": "facilitators",
    "unknown-facilitator": "facilitators",
    "session-in-future": "held_on",
    "cohort-not-running": "status",
}
# ... and on the cohort form; any other beside the name.
COHORT_REFUSALS = {
    "unknown-programme": "programme",
    "unknown-facilitator": "facilitators",
    "sizes-out-of-order": "min_size",
}
ENROL_REFUSALS = frozenset(
    {"cohort-not-open", "cohort-full", "not-waiting", "left-this-cohort", "not-on-waitlist"}
)
"""Refusals of an enrolment, shown next to the person chosen (`not-on-waitlist` is the service's 404)."""
FOLLOW_UP_REFUSALS = frozenset({"no-follow-up-due", "member-not-enrolled", "cohort-over", "member-not-found"})
"""Refusals of a follow-up outcome, shown next to it (`member-not-found` is the service's 404)."""
COHORT_FIELDS = ("programme", "name", "starts_on", "setting", "venue", "online_link", "facilitators", *SIZES)


@dataclass
class GroupForm:
    """What was typed (kept for re-display), the errors by field, and the body to send if none."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def presence_field(referral_id: str) -> str:
    """The name of a member's attendance radios on the register."""
    return f"presence_{referral_id}"


def _values(form: Any, lists: Sequence[str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: str(v).strip() for k, v in form.items() if k != "csrf_token" and k not in lists
    }
    for name in lists:
        values[name] = [str(v) for v in form.getlist(name)]
    return values


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _whole(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def read_cohort_form(form: Any, facilitators: Sequence[str]) -> GroupForm:
    """Check the create-a-cohort form; `facilitators` are the mentor ids offered (from GET /facilitators)."""
    values = _values(form, ("facilitators",))
    result = GroupForm(values)
    errors = result.errors
    if values.get("programme", "") not in {code for code, _ in GROUP_PROGRAMMES}:
        errors["programme"] = "Choose the group programme"
    name = values.get("name", "")
    if not name or len(name) > 80:
        errors["name"] = "Enter a name for the cohort, up to 80 characters"
    starts_on = _day(values.get("starts_on", ""))
    if starts_on is None:
        errors["starts_on"] = "Enter the date of the first session, for example 2026-06-02"
    setting = values.get("setting", "")
    if setting not in {s.value for s in GroupSetting}:
        errors["setting"] = "Choose whether the group meets in a venue or online"
    elif setting == GroupSetting.VENUE.value and not values.get("venue"):
        errors["venue"] = "Enter where the group meets"
    elif setting == GroupSetting.ONLINE.value and not values.get("online_link", "").startswith("https://"):
        errors["online_link"] = "Enter the link to the online meeting, starting https://"
    chosen = [m for m in values["facilitators"] if m in facilitators]
    if not 1 <= len(chosen) <= MAX_FACILITATORS or len(chosen) != len(values["facilitators"]):
        errors["facilitators"] = "Choose one or two facilitators"
    sizes: dict[str, int] = {}
    for size in SIZES:
        text = values.get(size, "")
        if not text:
            continue
        low, high = SIZE_RANGES[size]
        number = _whole(text, low, high)
        if number is None:
            errors[size] = f"Enter a whole number from {low} to {high}, or leave it empty for the default"
        else:
            sizes[size] = number
    if errors:
        return result
    result.body = {
        "programme": values["programme"],
        "name": name,
        "starts_on": starts_on.isoformat() if starts_on else None,
        "setting": setting,
        "facilitators": chosen,
        **sizes,
    }
    if setting == GroupSetting.VENUE.value:
        result.body["venue"] = values["venue"]
    else:
        result.body["online_link"] = values["online_link"]
    return result


def read_register_form(form: Any, members: Sequence[str], facilitators: Sequence[str]) -> GroupForm:
    """Check the take-the-register form: `members` are the cohort's current members' referral ids,
    `facilitators` its facilitators' mentor ids."""
    values = _values(form, ("topics", "facilitators"))
    result = GroupForm(values)
    errors = result.errors
    status = values.get("status", "")
    if status not in {code for code, _ in HELD}:
        errors["status"] = "Choose whether the session took place"
    held = status == "held"
    held_on = _day(values.get("held_on", ""))
    if held_on is None:
        errors["held_on"] = "Enter the date of the session (if cancelled, the day it was planned)"
    minutes = values.get("duration_minutes", "") if held else ""
    # Empty: the groups service takes the programme's usual length.
    duration = _whole(minutes, *DURATION_RANGE) if minutes else None
    if minutes and duration is None:
        low, high = DURATION_RANGE
        errors["duration_minutes"] = f"Enter how long the session lasted, {low} to {high} minutes"
    setting = values.get("setting", "")
    if setting and setting not in {s.value for s in GroupSetting}:
        errors["setting"] = "Choose whether the session was in a venue or online"
    chosen = [m for m in values["facilitators"] if m in facilitators]
    # A cancelled session may have had nobody to run it (cancelled for want of a facilitator).
    if held and not chosen:
        errors["facilitators"] = "Choose who facilitated the session"
    register: dict[str, str] = {}
    if held:
        codes = {p.value for p in Presence}
        for referral_id in members:
            presence = values.get(presence_field(referral_id), "")
            if presence in codes:
                register[referral_id] = presence
            else:
                errors[presence_field(referral_id)] = "Choose attended, apologies or absent for this member"
    reason = values.get("cancel_reason", "")
    if status == "cancelled" and reason not in {r.value for r in CancellationReason}:
        errors["cancel_reason"] = "Choose why the session was cancelled"
    if errors:
        return result
    topics = [t for t in values["topics"] if t in {x.value for x in Topic}]
    result.body = {
        "status": status,
        "held_on": held_on.isoformat() if held_on else None,
        "duration_minutes": duration,
        "setting": setting or None,
        "topics": topics if held else [],
        "facilitators": chosen,
        "register": register,
        "cancel_reason": reason if status == "cancelled" else None,
        "notes": values.get("notes") or None,
    }
    return result


def refusal_errors(
    code: str | None, message: str, fields: Mapping[str, str], places: Mapping[str, str], default: str
) -> dict[str, str]:
    """The groups service's refusal as errors by form field, in its own words: a refusal under its rules
    by its code (`places`, e.g. REGISTER_REFUSALS); else by the fields it names (`fields`: a request it
    could not read, or a record breaking its rules, e.g. `register.ref_...`, `topics.0`); else beside
    `default`."""
    if code in places:
        return {places[code or ""]: _sentence(message)}
    if fields:
        errors: dict[str, str] = {}
        for path, text in fields.items():
            errors.setdefault(_field_of(path, default), _sentence(text))
        return errors
    return {default: _sentence(message)}


REGISTER_FIELDS = (
    "status",
    "held_on",
    "duration_minutes",
    "setting",
    "topics",
    "facilitators",
    "cancel_reason",
)


def _field_of(path: str, default: str) -> str:
    head, _, rest = path.partition(".")
    member = rest.split(".")[0]
    if head == REGISTER and REFERRAL_ID.match(member):
        return presence_field(member)
    known = (REGISTER, "notes", *REGISTER_FIELDS) if default in REGISTER_FIELDS else COHORT_FIELDS
    return head if head in known else default


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "The groups service refused this"
