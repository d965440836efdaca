"""Pure rules of the console: lockout, accounts, the log-a-session form, and which pages need a role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.datastructures import FormData

from peer_console.domain.accounts import AccountError, LockoutPolicy, new_account
from peer_console.domain.session_form import read_session_form
from peer_shared.auth.tokens import Role

NOW = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)
MENTOR_ID = "mnt_" + "b2" * 16


def test_the_nth_failure_in_a_row_locks_for_the_policys_duration() -> None:
    account = new_account("casey", "Casey", Role.COORDINATOR, "hash")
    policy = LockoutPolicy(3, timedelta(minutes=15))
    for _ in range(2):
        account = account.after_failure(NOW, policy)
        assert not account.is_locked(NOW)
    account = account.after_failure(NOW, policy)
    assert account.is_locked(NOW) and account.is_locked(NOW + timedelta(minutes=14))
    assert not account.is_locked(NOW + timedelta(minutes=15))
    assert account.after_success().failed_attempts == 0


def test_a_lockout_without_duration_lasts_until_an_operator_unlocks() -> None:
    account = new_account("casey", "Casey", Role.COORDINATOR, "hash")
    locked = account.after_failure(NOW, LockoutPolicy(1, None))
    assert locked.disabled and locked.is_locked(NOW + timedelta(days=365))


def test_a_mentor_acts_as_their_mentor_id_and_staff_as_their_account() -> None:
    mentor = new_account("sam", "Sam", Role.MENTOR, "hash", MENTOR_ID)
    staff = new_account("Casey@Example.org ", "Casey", Role.COMMISSIONER, "hash")
    assert mentor.api_subject == MENTOR_ID
    assert staff.api_subject == staff.account_id and staff.account_id.startswith("usr_")
    assert staff.username == "casey@example.org"


@pytest.mark.parametrize(
    ("username", "role", "mentor_id", "problem"),
    [
        ("x", Role.COORDINATOR, None, "username"),
        ("sam", Role.MENTOR, None, "mentor id"),
        ("sam", Role.MENTOR, "mnt_123", "mentor id"),
        ("casey", Role.COORDINATOR, MENTOR_ID, "only a mentor"),
        ("riley", Role.REFERRER, None, "role"),
    ],
)
def test_bad_accounts_are_refused(username: str, role: Role, mentor_id: str | None, problem: str) -> None:
    with pytest.raises(AccountError, match=problem):
        new_account(username, "Name", role, "hash", mentor_id)


def _form(**fields: str | list[str]) -> FormData:
    items = []
    for name, value in fields.items():
        items += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return FormData(items)


def test_a_complete_session_form_becomes_the_sessions_apis_body() -> None:
    parsed = read_session_form(
        _form(
            date="2026-05-14",
            time="10:30",
            duration="45",
            mode="cafe",
            attendance="attended",
            topics=["diet", "foot-care", "not-a-topic"],
            goal_what="Walk daily",
            goal_topic="physical-activity",
            confidence="8",
            csrf_token="t",
        )
    )
    assert parsed.errors == {}
    assert parsed.body["starts_at"] == "2026-05-14T10:30:00+01:00"  # British Summer Time
    assert parsed.body["duration_minutes"] == 45 and parsed.body["topics"] == ["diet", "foot-care"]
    assert parsed.body["new_goals"] == [
        {"topic": "physical-activity", "what": "Walk daily", "when": None, "confidence": 8}
    ]


def test_form_errors_name_their_fields_and_keep_what_was_typed() -> None:
    parsed = read_session_form(
        _form(
            date="14/05/2026",
            time="10:30",
            duration="",
            mode="",
            attendance="attended",
            topics=["diet"],
            goal_what="Walk daily",
            confidence="11",
        )
    )
    assert set(parsed.errors) == {"date", "mode", "duration", "goal_topic", "confidence"}
    assert parsed.values["goal_what"] == "Walk daily" and parsed.values["topics"] == ["diet"]
    assert parsed.body == {}


def test_a_session_that_did_not_take_place_needs_no_duration_or_topics() -> None:
    parsed = read_session_form(
        _form(
            date="2026-01-14", time="10:00", mode="phone", attendance="mentee-did-not-attend", topics=["diet"]
        )
    )
    assert parsed.errors == {}
    assert parsed.body["duration_minutes"] is None and parsed.body["topics"] == []
    assert parsed.body["starts_at"] == "2026-01-14T10:00:00+00:00"
