"""Reading the PAM entry form, and placing the outcomes service's refusals next to the right field.

The console only checks that what was typed can be read (a date, a number); the PAM rules themselves
(score range and precision, a level that contradicts the score, dates in the future, the order of baseline
and follow-ups) are the outcomes service's, and its words are shown next to the field they concern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from peer_events.events.outcomes import Timepoint

REFERRAL_ID = re.compile(r"^ref_[0-9a-f]{32}$")
PAM_ID = re.compile(r"^pam_[0-9a-f]{32}$")
DEFAULT_TOOL = "pam-13"
FIELDS = ("timepoint", "follow_up_number", "assessed_on", "score", "level", "tool_version", "administered_by")

# Who administered the questionnaire: the outcomes service's `AdministeredBy` codes (a test keeps them equal).
ADMINISTERED_BY: tuple[tuple[str, str], ...] = (
    ("self-completed", "The person completed it themselves"),
    ("coordinator", "A coordinator"),
    ("mentor", "A mentor"),
    ("clinician", "A clinician"),
    ("other", "Someone else"),
)
TIMEPOINTS: tuple[tuple[str, str], ...] = (
    (Timepoint.BASELINE.value, "Baseline (before or at the first session)"),
    (Timepoint.FOLLOW_UP.value, "Follow-up"),
)
LEVELS: tuple[tuple[str, str], ...] = (
    ("", "Not given: work it out from the score"),
    ("1", "Level 1: disengaged and overwhelmed"),
    ("2", "Level 2: becoming aware, but still struggling"),
    ("3", "Level 3: taking action"),
    ("4", "Level 4: maintaining behaviours and pushing further"),
)

# The outcomes service's refusal codes (docs/outcomes.md), by the field the person should look at.
REFUSAL_FIELD: dict[str, str] = {
    "score-out-of-range": "score",
    "score-precision": "score",
    "level-out-of-range": "level",
    "level-contradicts-score": "level",
    "assessed-in-future": "assessed_on",
    "baseline-after-first-session": "assessed_on",
    "follow-up-out-of-order": "assessed_on",
    "follow-up-number": "follow_up_number",
    "follow-up-exists": "follow_up_number",
    "baseline-exists": "timepoint",
    "baseline-after-follow-up": "timepoint",
    "no-baseline": "timepoint",
    "follow-up-before-baseline": "timepoint",
    "too-many-corrections": "timepoint",
    "unknown-referral": "timepoint",
    "unknown-pam": "timepoint",
}
FRIENDLY: dict[str, str] = {
    "tool_version": "Enter the questionnaire and its version as a lower-case code, for example pam-13",
    "administered_by": "Choose who administered the questionnaire",
    "timepoint": "Choose baseline or follow-up",
}


@dataclass
class PamForm:
    """What was typed (kept for re-display), the errors by field, and the outcomes API's body if none."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def read_pam_form(form: Mapping[str, Any]) -> PamForm:
    """Check that the form can be read; the rules are left to the outcomes service."""
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    result = PamForm(values)
    errors = result.errors
    timepoint = values["timepoint"]
    if timepoint not in {t.value for t in Timepoint}:
        errors["timepoint"] = FRIENDLY["timepoint"]
    number: int | None = None
    if timepoint == Timepoint.FOLLOW_UP.value:
        if values["follow_up_number"].isdigit():
            number = int(values["follow_up_number"])
        else:
            errors["follow_up_number"] = "Enter which follow-up this is, for example 1 for the first"
    try:
        assessed_on = date.fromisoformat(values["assessed_on"])
    except ValueError:
        errors["assessed_on"] = "Enter the date the questionnaire was answered, for example 2026-05-14"
    score = _decimal(values["score"])
    if score is None:
        errors["score"] = "Enter the activation score, a number from 0 to 100, for example 55.2"
    if values["level"] not in {code for code, _ in LEVELS}:
        errors["level"] = "Choose the level the tool reported, or leave it to be worked out from the score"
    if values["administered_by"] not in {code for code, _ in ADMINISTERED_BY}:
        errors["administered_by"] = FRIENDLY["administered_by"]
    if errors:
        return result
    result.body = {
        "timepoint": timepoint,
        "follow_up_number": number,
        "assessed_on": assessed_on.isoformat(),
        "score": values["score"],  # as typed: the service judges its range and precision exactly
        "level": int(values["level"]) if values["level"] else None,
        "tool_version": values["tool_version"] or DEFAULT_TOOL,
        "administered_by": values["administered_by"],
    }
    return result


def refusal_errors(code: str | None, message: str, fields: Mapping[str, str]) -> dict[str, str]:
    """The outcomes service's refusal as errors by form field (its own words)."""
    if fields:
        errors: dict[str, str] = {}
        for path, text in fields.items():
            name = path.split(".")[0]
            name = name if name in FIELDS else "timepoint"
            errors.setdefault(name, FRIENDLY.get(name, _sentence(text)))
        return errors
    return {REFUSAL_FIELD.get(code or "", "timepoint"): _sentence(message)}


def values_of(result: Mapping[str, Any]) -> dict[str, str]:
    """A recorded result (the API's view) as form values, to correct it."""
    return {
        "timepoint": str(result["timepoint"]),
        "follow_up_number": "" if result.get("follow_up_number") is None else str(result["follow_up_number"]),
        "assessed_on": str(result["assessed_on"]),
        "score": f"{Decimal(str(result['score'])):.1f}",
        "level": "" if result.get("level_derived") else str(result["level"]),
        "tool_version": str(result.get("tool_version") or DEFAULT_TOOL),
        "administered_by": str(result.get("administered_by") or ""),
    }


def next_timepoint(results: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Sensible first values for a new entry: baseline if there is none yet, else the next follow-up."""
    if not any(r["timepoint"] == Timepoint.BASELINE.value for r in results):
        return {"timepoint": Timepoint.BASELINE.value}
    numbers = [int(r["follow_up_number"]) for r in results if r.get("follow_up_number")]
    return {"timepoint": Timepoint.FOLLOW_UP.value, "follow_up_number": str(max(numbers, default=0) + 1)}


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "The outcomes service refused this entry"
