"""The HTTP API of the sessions service: every route declares the roles it admits."""

from __future__ import annotations

from fastapi import APIRouter

from peer_sessions.api import pairings, safeguarding, sessions

router = APIRouter()
router.include_router(pairings.router)
router.include_router(sessions.router)
router.include_router(safeguarding.router)
