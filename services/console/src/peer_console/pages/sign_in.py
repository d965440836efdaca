"""Signing in and out: argon2 password check, lockout after repeated failures, a fresh session."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from peer_console.domain.accounts import Account, LockoutPolicy
from peer_console.domain.pages import HOME
from peer_console.domain.passwords import password_matches
from peer_console.pages.web import checked_form, console_of, current_account, render
from peer_console.settings import ConsoleSettings
from peer_console.store import accounts_repo
from peer_shared.logging import get_logger

log = get_logger(__name__)
router = APIRouter()
# One message for every refusal, so the page does not reveal which user names exist.
REFUSED = "Enter a correct username and password. Accounts lock after repeated failed attempts."


def lockout_policy(settings: ConsoleSettings) -> LockoutPolicy:
    """The configured lockout policy."""
    minutes = settings.lockout_minutes
    return LockoutPolicy(settings.lockout_failures, timedelta(minutes=minutes) if minutes else None)


@router.get("/")
async def start(request: Request) -> Response:
    """The signed-in person's home, or the sign-in page."""
    account = await current_account(request)
    return RedirectResponse(HOME[account.role] if account else "/sign-in", status_code=303)


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    return sign_in_form(request, 200, next_path=safe_next(next))


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """Check the password; on success start a new session, on failure count towards the lockout."""
    form = await checked_form(request)
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")))
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Enter your username"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return sign_in_form(request, 422, next_path=next_path, errors=errors, username=username)
    console = console_of(request)
    now = console.clock.now()
    async with console.sessions.begin() as session:
        account = await accounts_repo.by_username(session, username, for_update=True)
        matches = password_matches(account.password_hash if account else None, password)
        if account is None:
            signed_in = None
        elif account.is_locked(now):
            signed_in = None
            log.warning("sign-in refused: account locked", account_id=account.account_id)
        elif not matches:
            updated = account.after_failure(now, lockout_policy(console.settings))
            await accounts_repo.save_attempt(session, updated, None)
            if updated.is_locked(now):
                log.warning("account locked after failed sign-ins", account_id=account.account_id)
            signed_in = None
        else:
            signed_in = account.after_success()
            await accounts_repo.save_attempt(session, signed_in, now)
    if signed_in is None:
        errors["username"] = REFUSED
        return sign_in_form(request, 401, next_path=next_path, errors=errors, username=username)
    return start_session(request, signed_in, next_path, "password")


def start_session(request: Request, account: Account, next_path: str, method: str) -> Response:
    """A fresh session for the account (nothing of the one before is kept), and its home page."""
    request.session.clear()
    request.session["account_id"] = account.account_id
    request.session["csrf"] = secrets.token_urlsafe(32)
    log.info("signed in", account_id=account.account_id, role=account.role.value, method=method)
    return RedirectResponse(next_path or HOME[account.role], status_code=303)


def sign_in_form(
    request: Request,
    status_code: int,
    *,
    next_path: str = "",
    errors: dict[str, str] | None = None,
    username: str = "",
) -> Response:
    """The sign-in page, with the single sign-on button when it is configured."""
    settings = console_of(request).settings
    return render(
        request,
        "sign_in.html",
        status_code,
        title="Sign in",
        next=next_path,
        errors=errors or {},
        username=username,
        sso_label=settings.oidc_button_label if settings.sso_enabled else None,
    )


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """End the session."""
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


def safe_next(path: str) -> str:
    """`path` if it is a path on this site, else nothing."""
    # Only a path on this site, never another host (`//evil.example` or `https://...`).
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else ""
