"""Placing the matching service's refusals on the mentor registration and change forms.

A request the service could not read names its fields (`contact.email`, `training.1.completed_on`); a
refusal under the registry's rules is placed by its code. Either way its words are shown next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peer_console.domain.mentor_form import (
    FRIENDLY,
    GENERAL,
    LISTS,
    TEXTS,
    TRAINING_MODULES,
    training_field,
)


def refusal_errors(
    code: str | None,
    message: str,
    fields: Mapping[str, str],
    *,
    registering: bool,
    sent: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The matching service's refusal as errors by form field (its own words where they help)."""
    if fields:
        errors: dict[str, str] = {}
        for path, text in fields.items():
            name = _field_of(path.split("."), sent or {})
            errors.setdefault(name, FRIENDLY.get(name, _sentence(text)))
        return errors
    name = GENERAL
    if code in ("not-ready", "invalid-initial-status"):
        name = "status" if registering else "training"
    elif code == "capacity-below-load":
        name = "capacity"
    elif code == "not-an-applicant":
        name = "in_training"
    elif code == "date-in-future":
        name = _future_field(message)
    return {name: _sentence(message)}


def _field_of(path: list[str], sent: Mapping[str, Any]) -> str:
    head = path[0] if path else ""
    if head == "contact" and len(path) > 1 and path[1] in ("full_name", "email", "phone"):
        return path[1]
    if head == "training":
        records = sent.get("training") or []
        if len(path) > 1 and path[1].isdigit() and int(path[1]) < len(records):
            return training_field(str(records[int(path[1])]["module"]))
        if len(path) > 1 and path[1] in TRAINING_MODULES:
            return training_field(path[1])
        if records and len(path) == 1:
            return training_field(str(records[0]["module"]))
        return "training"
    if head in TEXTS or head in LISTS:
        return head
    return GENERAL


def _future_field(message: str) -> str:
    # The registry names the date it refused first: `dbs_checked_on is ...`, `training.mentoring is ...`.
    named = message.split(" ", 1)[0]
    if named.startswith("training."):
        module = named.partition(".")[2]
        return training_field(module) if module in TRAINING_MODULES else "training"
    return named if named in TEXTS else GENERAL


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "The matching service refused this change"
