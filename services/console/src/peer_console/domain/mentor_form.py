"""Reading the mentor registration and change forms (the matching service's refusals are placed on them by
`mentor_refusals`).

The console checks only that what was typed can be read (dates, whole numbers); the registry's rules
(known postcode districts, training and checks needed to be active, capacity against current load, no
dates in the future) are the matching service's, and its words are shown next to the field they concern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from peer_events.codes import ContactMode, ExperienceTag, Gender
from peer_events.events.matching import MentorLeaveReason, MentorPauseReason

MENTOR_ID = re.compile(r"^mnt_[0-9a-f]{32}$")
# The matching service's `TrainingModule` codes, in course order (a test keeps them equal).
TRAINING_MODULES: tuple[str, ...] = (
    "mentoring",
    "motivational-interviewing",
    "goal-setting",
    "action-planning",
    "boundaries",
    "confidentiality",
    "safeguarding",
    "group-facilitation",
)
DAYS: tuple[tuple[str, str], ...] = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
PARTS_OF_DAY: tuple[str, ...] = ("morning", "afternoon", "evening")
STATUSES: tuple[str, ...] = ("applicant", "in-training", "active", "paused", "left")
START_STATUSES: tuple[tuple[str, str], ...] = (
    ("applicant", "Applicant: not trained yet"),
    ("in-training", "In training"),
    ("active", "Active: trained and checked, ready to be matched now"),
)
LISTS = ("conditions", "availability", "experience", "contact_modes")
TEXTS = (
    "full_name",
    "email",
    "phone",
    "dbs_checked_on",
    "safeguarding_refreshed_on",
    "capacity",
    "postcode_district",
    "travel_km",
    "gender",
    "languages",
    "interests",
    "status",
    "in_training",
)
FRIENDLY: dict[str, str] = {
    "full_name": "Enter the mentor's full name",
    "email": "Enter an email address in the correct format, like name@example.com",
    "phone": "Enter a phone number using digits and spaces, like 07700 900123",
    "postcode_district": "Enter a UK postcode district (the first half of the postcode), like LS8",
    "capacity": "Enter how many mentees the mentor can support at once, from 1 to 20",
    "travel_km": "Enter how far the mentor will travel, from 0 to 200 km",
    "gender": "Choose the mentor's gender",
    "languages": "Enter language codes such as en, pa or bfi, separated by commas",
    "interests": "Enter interests as lower-case codes such as gardening, separated by commas",
    "conditions": "Choose at least one condition the mentor supports people with",
    "contact_modes": "Choose at least one way the mentor can meet",
    "availability": "Choose when the mentor can meet",
    "experience": "Choose the mentor's lived experience from the list",
    "status": "Choose the status the mentor starts in",
    "dbs_checked_on": "Enter the date of the DBS check, for example 2026-05-14",
    "safeguarding_refreshed_on": "Enter the date of the safeguarding refresher, for example 2026-05-14",
}
GENERAL = "mentor-form"
"""Error key of a refusal that concerns the whole form (linked to the form itself)."""


@dataclass
class MentorForm:
    """What was typed (kept for re-display), the errors by field, and the matching API's body if none."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def training_field(module: str) -> str:
    """The form field holding a training module's completion date."""
    return f"training_{module.replace('-', '_')}"


def availability_slots() -> list[tuple[str, str]]:
    """Every slot code with its label, e.g. (`tue-evening`, `Tuesday evening`)."""
    return [(f"{day}-{part}", f"{name} {part}") for day, name in DAYS for part in PARTS_OF_DAY]


def read_mentor_form(form: Any, *, registering: bool) -> MentorForm:
    """Check the form can be read; `form` is a multi-dict (the checkbox groups repeat)."""
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXTS}
    for name in LISTS:
        values[name] = [str(v) for v in form.getlist(name)]
    for module in TRAINING_MODULES:
        values[training_field(module)] = str(form.get(training_field(module), "")).strip()
    result = MentorForm(values)
    errors = result.errors
    if not values["full_name"]:
        errors["full_name"] = FRIENDLY["full_name"]
    if not values["conditions"]:
        errors["conditions"] = FRIENDLY["conditions"]
    training = []
    for module in TRAINING_MODULES:
        name = training_field(module)
        message = (
            f"Enter the date the {module.replace('-', ' ')} module was completed, "
            "for example 2026-05-14, or leave it empty"
        )
        done = _date(values[name], name, errors, message)
        if done:
            training.append({"module": module, "completed_on": done})
    dbs = _date(values["dbs_checked_on"], "dbs_checked_on", errors, FRIENDLY["dbs_checked_on"])
    refresher = _date(
        values["safeguarding_refreshed_on"],
        "safeguarding_refreshed_on",
        errors,
        FRIENDLY["safeguarding_refreshed_on"],
    )
    if not values["capacity"].isdigit():
        errors["capacity"] = FRIENDLY["capacity"]
    travel = _number(values["travel_km"])
    if travel is None:
        errors["travel_km"] = FRIENDLY["travel_km"]
    if not values["postcode_district"]:
        errors["postcode_district"] = FRIENDLY["postcode_district"]
    if values["gender"] not in {g.value for g in Gender}:
        errors["gender"] = FRIENDLY["gender"]
    if not values["contact_modes"]:
        errors["contact_modes"] = FRIENDLY["contact_modes"]
    if registering and values["status"] not in {code for code, _ in START_STATUSES}:
        errors["status"] = FRIENDLY["status"]
    if errors:
        return result
    result.body = {
        "contact": {
            "full_name": values["full_name"],
            "email": values["email"] or None,
            "phone": values["phone"] or None,
        },
        "conditions": values["conditions"],
        "training": training,
        "dbs_checked_on": dbs,
        "safeguarding_refreshed_on": refresher,
        "capacity": int(values["capacity"]),
        "postcode_district": values["postcode_district"].upper(),
        "travel_km": travel,
        "gender": values["gender"],
        "languages": _codes(values["languages"]) or ["en"],
        "availability": values["availability"],
        "experience": values["experience"],
        "interests": _codes(values["interests"]),
        "contact_modes": values["contact_modes"],
    }
    if registering:
        result.body["status"] = values["status"]
    elif values["in_training"] == "yes":
        result.body["in_training"] = True
    return result


def values_of(mentor: Mapping[str, Any]) -> dict[str, Any]:
    """A mentor (the matching API's view) as form values, to change their details."""
    contact = mentor.get("contact") or {}
    done = {t["module"]: str(t["completed_on"]) for t in mentor.get("training", [])}
    values: dict[str, Any] = {
        "full_name": contact.get("full_name") or "",
        "email": contact.get("email") or "",
        "phone": contact.get("phone") or "",
        "dbs_checked_on": mentor.get("dbs_checked_on") or "",
        "safeguarding_refreshed_on": mentor.get("safeguarding_refreshed_on") or "",
        "capacity": str(mentor["capacity"]),
        "postcode_district": mentor["postcode_district"],
        "travel_km": f"{float(mentor['travel_km']):g}",
        "gender": mentor["gender"],
        "languages": ", ".join(mentor.get("languages", [])),
        "interests": ", ".join(mentor.get("interests", [])),
        "status": mentor["status"],
        "in_training": "",
    }
    for name in LISTS:
        values[name] = list(mentor.get(name, []))
    for module in TRAINING_MODULES:
        values[training_field(module)] = done.get(module, "")
    return values


def blank_values(conditions: Iterable[str]) -> dict[str, Any]:
    """The registration form's first values."""
    values: dict[str, Any] = {name: "" for name in TEXTS}
    values |= {name: [] for name in LISTS}
    values |= {training_field(m): "" for m in TRAINING_MODULES}
    conditions = list(conditions)
    values |= {
        "capacity": "2",
        "travel_km": "10",
        "languages": "en",
        "status": "applicant",
        "conditions": conditions[:1] if len(conditions) == 1 else [],
        "contact_modes": [m.value for m in ContactMode],
    }
    return values


def pause_reasons() -> list[str]:
    """Why a mentor may be paused (the contract's codes)."""
    return [r.value for r in MentorPauseReason]


def leave_reasons() -> list[str]:
    """Why a mentor may leave (the contract's codes)."""
    return [r.value for r in MentorLeaveReason]


def experience_tags() -> list[str]:
    """Lived experience codes."""
    return [x.value for x in ExperienceTag]


def _date(text: str, name: str, errors: dict[str, str], message: str) -> str | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        errors[name] = message
        return None


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _codes(text: str) -> list[str]:
    return [code.lower() for code in re.split(r"[\s,]+", text) if code]
