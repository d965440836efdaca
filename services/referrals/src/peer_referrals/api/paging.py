"""Keyset pagination of referral lists: opaque cursors, read from the `cursor` query parameter."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException

from peer_referrals.store.referrals_repo import Cursor
from peer_shared.http.problems import problem_responses

BAD_CURSOR = problem_responses(400, s400="A cursor this API did not make")
"""The OpenAPI `responses` of a paginated list."""


def encode_cursor(received_at: datetime, referral_id: str) -> str:
    """An opaque cursor for keyset pagination."""
    raw = json.dumps([received_at.isoformat(), referral_id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> Cursor:
    """The position an opaque cursor stands for; ValueError if it was not made by `encode_cursor`."""
    try:
        at, referral_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return Cursor(datetime.fromisoformat(at), str(referral_id))
    except Exception as exc:
        raise ValueError("not a cursor from this API") from exc


async def after_cursor(cursor: str | None = None) -> Cursor | None:
    """Where the page starts: after the position `cursor` stands for (None: from the start).

    A cursor this API did not make is a request it cannot read (400, code `invalid-cursor`), as before
    the problem details; it is not a refusal under the rules.
    """
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError as exc:
        raise HTTPException(400, detail={"code": "invalid-cursor", "message": str(exc)}) from None


After = Annotated[Cursor | None, Depends(after_cursor)]
