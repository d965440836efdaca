"""The HTTP API of the sessions service: every route declares the roles it admits."""

from __future__ import annotations

from fastapi import APIRouter

from peer_sessions.api import pairings, safeguarding, sessions

ROUTERS: tuple[APIRouter, ...] = (pairings.router, sessions.router, safeguarding.router)
"""The routers, in the order the OpenAPI document lists them."""
