"""The HTTP API of the groups service: every route declares the roles it admits."""

from __future__ import annotations

from fastapi import APIRouter

from peer_groups.api import cohorts, concerns, facilitators, group_sessions, measures, members, waitlist

ROUTERS: tuple[APIRouter, ...] = (
    cohorts.router,
    members.router,
    group_sessions.router,
    waitlist.router,
    facilitators.router,
    measures.router,
    concerns.router,
)
"""The routers, in the order the OpenAPI document lists them."""
