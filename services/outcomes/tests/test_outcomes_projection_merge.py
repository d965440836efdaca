"""Projection rows merge in memory exactly as the upserts do in Postgres, whatever the order."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from peer_outcomes.store.projection_batch import (
    MATCHES,
    MENTORS,
    REFERRALS,
    SESSIONS,
    ProjectionBatch,
    Upsert,
)


def merged(upsert: Upsert, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The merged row for every order the rows could arrive in."""
    results = []
    for order in itertools.permutations(rows):
        batch = ProjectionBatch()
        for row in order:
            batch.put(upsert, row)
        (only,) = batch.rows[upsert.table.name].values()
        results.append(only)
    return results


def test_referral_columns_are_filled_in_by_whichever_event_brings_them() -> None:
    rows = [
        {"referral_id": "r", "condition": "t2d", "programme": "p"},
        {"referral_id": "r", "condition": "t2d", "programme": "p", "received_on": date(2025, 5, 1)},
        {"referral_id": "r", "condition": "t2d", "programme": "p", "accepted_on": date(2025, 5, 3)},
    ]
    assert all(
        r == {**rows[0], "received_on": date(2025, 5, 1), "accepted_on": date(2025, 5, 3)}
        for r in merged(REFERRALS, rows)
    )


def test_a_mentor_keeps_the_first_activation() -> None:
    rows = [{"mentor_id": "m", "condition": "t2d", "activated_on": date(2025, 5, d)} for d in (9, 1, 5)]
    assert {r["activated_on"] for r in merged(MENTORS, rows)} == {date(2025, 5, 1)}


def test_the_highest_revision_of_a_session_wins() -> None:
    rows = [{"session_id": "s", "revision": n, "attendance": f"v{n}"} for n in (1, 3, 2)]
    assert {r["attendance"] for r in merged(SESSIONS, rows)} == {"v3"}


def test_a_match_never_changes() -> None:
    rows = [{"match_id": "x", "referral_id": "r", "mentor_id": "m", "matched_on": date(2025, 5, 1)}] * 2
    assert merged(MATCHES, rows)[0] == rows[0]


def test_the_statements_follow_the_same_rules() -> None:
    assert "COALESCE(EXCLUDED.received_on, t.received_on)" in REFERRALS.statement()
    assert "LEAST(t.activated_on, EXCLUDED.activated_on)" in MENTORS.statement()
    assert SESSIONS.statement().endswith("WHERE EXCLUDED.revision > t.revision")
    assert MATCHES.statement().endswith("DO NOTHING")
