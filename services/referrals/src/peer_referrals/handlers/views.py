"""Turning stored rows into API views, and use-case errors into HTTP answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from fastapi import HTTPException

from peer_referrals.domain.support import SupportStage, progress
from peer_referrals.domain.triage import TriageError
from peer_referrals.handlers.schemas import Page, PersonView, ReferralSummary, encode_cursor
from peer_referrals.service_layer.errors import PersonErased, ReferralNotFound


def summary(row: Any, today: date) -> ReferralSummary:
    """A referral row as a pseudonymous summary; a closed referral stopped waiting when it closed."""
    stage = SupportStage(row.support_stage) if row.support_stage else None
    waited_until: date = row.closed_on or row.accepted_on or today
    return ReferralSummary(
        referral_id=row.id,
        status=progress(row.triage_status, stage),
        triage_status=row.triage_status,
        condition=row.condition,
        programme=row.programme,
        source=row.source,
        received_at=row.received_at,
        days_waiting=max(0, (waited_until - row.received_on).days),
        referrer_ods_code=row.referrer_ods_code,
        age_band=row.age_band,
        gender=row.gender,
        postcode_district=row.postcode_district,
        needs_review=row.needs_review,
        duplicate_of=row.duplicate_of,
        rejection_reason=row.rejection_reason,
        withdrawal_reason=row.withdrawal_reason,
    )


def page(rows: list[Any], limit: int, today: date) -> Page:
    """A page of summaries with the cursor for the next one."""
    items = [summary(row, today) for row in rows]
    more = len(rows) == limit
    cursor = encode_cursor(rows[-1].received_at, rows[-1].id) if more else None
    return Page(items=items, next_cursor=cursor)


def person_view(row: Any) -> PersonView:
    """The `people` row as the API shows it."""
    values = dict(row._mapping)
    values.pop("referral_id")
    return PersonView(**values)


@asynccontextmanager
async def http_errors() -> AsyncIterator[None]:
    """Answer 404 for an unknown referral, 409 for a triage step its state forbids, 410 once erased."""
    try:
        yield
    except ReferralNotFound as exc:
        raise HTTPException(404, detail=str(exc)) from None
    except TriageError as exc:
        raise HTTPException(409, detail=str(exc)) from None
    except PersonErased as exc:
        raise HTTPException(410, detail=str(exc)) from None
