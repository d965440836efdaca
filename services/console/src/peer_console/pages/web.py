"""What every page shares: templates, the console's runtime, the signed-in account and CSRF checks.

The session lives in a signed cookie (Starlette's SessionMiddleware: HttpOnly, SameSite=Lax) holding the
account id and the CSRF token; the account is read again on every request, so a lock or a role change
takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.pages import HOME, Area, may_open
from peer_console.runtime import ConsoleRuntime
from peer_console.service_apis import ServiceApis
from peer_console.store import accounts_repo
from peer_shared.clock import to_london

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


def _london(moment: datetime | str | None) -> str:
    """A time as UK local time, e.g. `14 May 2026 10:30` (the APIs send ISO 8601 text)."""
    if not moment:
        return ""
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return to_london(at).strftime("%d %b %Y %H:%M")


TEMPLATES.env.filters["london"] = _london
TEMPLATES.env.filters["label"] = lambda code: str(code or "").replace("-", " ").capitalize()
TEMPLATES.env.globals["home_of"] = lambda role: HOME[role]


def console_of(request: Request) -> ConsoleRuntime:
    """The console's runtime: settings, clock, account sessions and the services' client."""
    runtime: ConsoleRuntime = request.app.state.runtime
    return runtime


def apis_of(request: Request) -> ServiceApis:
    """The console's client for the services."""
    return console_of(request).apis


class SignInRequired(Exception):
    """No one (or a locked account) is signed in: go to the sign-in page."""


class Forbidden(Exception):
    """The signed-in account's role may not open this page or take this action."""


class CsrfRejected(Exception):
    """A form came without the session's CSRF token."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the session's."""
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRejected
    return form


class SignedIn:
    """Dependency: the signed-in account, if its role may open `area`."""

    def __init__(self, area: Area) -> None:
        self.area = area

    async def __call__(self, request: Request) -> Account:
        """The account, or SignInRequired / Forbidden."""
        account = await current_account(request)
        if account is None:
            raise SignInRequired
        if not may_open(account.role, self.area):
            raise Forbidden
        return account


async def current_account(request: Request) -> Account | None:
    """The signed-in account, or None (no session, unknown account, or locked since it signed in)."""
    account_id = request.session.get("account_id")
    if not isinstance(account_id, str):
        return None
    console = console_of(request)
    async with console.sessions() as session:
        account = await accounts_repo.by_id(session, account_id)
    if account is None or account.is_locked(console.clock.now()):
        request.session.clear()
        return None
    request.state.account = account
    return account


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A page, with the account and CSRF token every layout needs."""
    context.setdefault("account", getattr(request.state, "account", None))
    context["csrf_token"] = csrf_token(request)
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
