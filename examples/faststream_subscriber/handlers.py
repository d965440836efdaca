"""What this region does with the events it follows: a caseload table, one row per referral.

Each handler gets the open transaction and the typed event; the caller records the event id in the same
transaction. Events arrive at least once and in no guaranteed order (a PAM can come before its referral),
so every handler upserts, and a referral's status only moves forward.
Replace these with your own; keep them free of network calls (an effect that cannot be rolled back with
the transaction would be repeated on a redelivery).
"""

from __future__ import annotations

from sqlite3 import Connection

from .contracts import CloudEvent, events

READ_MODEL = """
CREATE TABLE IF NOT EXISTS caseload (
    referral_id       TEXT PRIMARY KEY,
    condition         TEXT NOT NULL,
    status            TEXT,
    received_on       TEXT,
    age_band          TEXT,
    postcode_district TEXT,
    mentor_id         TEXT,
    pairing_id        TEXT,
    cohort_id         TEXT,
    pam_level         INTEGER,
    pam_assessed_on   TEXT,
    erased            INTEGER NOT NULL DEFAULT 0
);
"""

STATUS_ORDER = {None: 0, "received": 1, "accepted": 2, "rejected": 3, "withdrawn": 3}
"""How far along a referral is: a late-arriving earlier event never moves it back."""


def referral_received(tx: Connection, event: CloudEvent[events.ReferralReceived]) -> None:
    """A new referral: its (pseudonymous) profile."""
    data = event.data
    _move_status(tx, data.referral_id, event.condition, "received")
    tx.execute(
        # Never after an erasure: the withdrawal may have been handled first.
        "UPDATE caseload SET received_on = ?, age_band = ?, postcode_district = ?"
        " WHERE referral_id = ? AND erased = 0",
        (data.received_on.isoformat(), data.age_band.value, data.postcode_district, data.referral_id),
    )


def referral_accepted(tx: Connection, event: CloudEvent[events.ReferralAccepted]) -> None:
    """Triage accepted the referral."""
    _move_status(tx, event.data.referral_id, event.condition, "accepted")


def referral_rejected(tx: Connection, event: CloudEvent[events.ReferralRejected]) -> None:
    """Triage turned the referral down."""
    _move_status(tx, event.data.referral_id, event.condition, "rejected")


def referral_withdrawn(tx: Connection, event: CloudEvent[events.ReferralWithdrawn]) -> None:
    """The person withdrew: stop contact, and erase what could identify them if they asked."""
    data = event.data
    _move_status(tx, data.referral_id, event.condition, "withdrawn")
    if data.erase_personal_data:
        tx.execute(
            "UPDATE caseload SET age_band = NULL, postcode_district = NULL, erased = 1 WHERE referral_id = ?",
            (data.referral_id,),
        )


def mentor_matched(tx: Connection, event: CloudEvent[events.MentorMatched]) -> None:
    """The mentee was matched with a mentor."""
    _upsert(tx, event.data.referral_id, event.condition)
    tx.execute(
        "UPDATE caseload SET mentor_id = ? WHERE referral_id = ?",
        (event.data.mentor_id, event.data.referral_id),
    )


def pairing_started(tx: Connection, event: CloudEvent[events.PairingStarted]) -> None:
    """Mentee and mentor can start meeting."""
    _upsert(tx, event.data.referral_id, event.condition)
    tx.execute(
        "UPDATE caseload SET pairing_id = ? WHERE referral_id = ?",
        (event.data.pairing_id, event.data.referral_id),
    )


def pam_recorded(tx: Connection, event: CloudEvent[events.PamRecorded]) -> None:
    """A PAM result: keep the most recent assessment's level."""
    data = event.data
    _upsert(tx, data.referral_id, event.condition)
    tx.execute(
        "UPDATE caseload SET pam_level = ?, pam_assessed_on = ?"
        " WHERE referral_id = ? AND (pam_assessed_on IS NULL OR pam_assessed_on <= ?)",
        (data.level, data.assessed_on.isoformat(), data.referral_id, data.assessed_on.isoformat()),
    )


def member_enrolled(tx: Connection, event: CloudEvent[events.MemberEnrolled]) -> None:
    """The person took a place in a group programme's cohort."""
    _upsert(tx, event.data.referral_id, event.condition)
    tx.execute(
        "UPDATE caseload SET cohort_id = ? WHERE referral_id = ?",
        (event.data.cohort_id, event.data.referral_id),
    )


def _upsert(tx: Connection, referral_id: str, condition: str) -> None:
    tx.execute(
        "INSERT INTO caseload (referral_id, condition) VALUES (?, ?) ON CONFLICT (referral_id) DO NOTHING",
        (referral_id, condition),
    )


def _move_status(tx: Connection, referral_id: str, condition: str, status: str) -> None:
    _upsert(tx, referral_id, condition)
    (current,) = tx.execute("SELECT status FROM caseload WHERE referral_id = ?", (referral_id,)).fetchone()
    if STATUS_ORDER[status] > STATUS_ORDER[current]:
        tx.execute("UPDATE caseload SET status = ? WHERE referral_id = ?", (status, referral_id))
