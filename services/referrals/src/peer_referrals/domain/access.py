"""Access to identifiable data: why someone may look, and what the audit log records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Purpose(StrEnum):
    """Why identifiable data is being read (the caller must say; it goes in the audit log)."""

    TRIAGE = "triage"
    CORRECTION = "correction"
    SUBJECT_ACCESS_REQUEST = "subject-access-request"
    ARRANGE_FIRST_MEETING = "arrange-first-meeting"
    SAFEGUARDING = "safeguarding"
    COMPLAINT = "complaint"


class Action(StrEnum):
    """What was done with identifiable data."""

    READ_DETAILS = "read-details"
    READ_CONTACT_LOG = "read-contact-log"
    CORRECT_DETAILS = "correct-details"
    SUBJECT_ACCESS_EXPORT = "subject-access-export"
    OPEN_CONTACT_CARD = "open-contact-card"
    ERASE = "erase"


@dataclass(frozen=True)
class AccessRecord:
    """One audit log entry: who, when, what and why. It names the referral, never the person."""

    at: datetime
    actor_role: str
    actor: str
    action: Action
    referral_id: str | None
    purpose: str
    detail: dict[str, Any] = field(default_factory=dict)
