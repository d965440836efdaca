"""Wires the web console: settings, its runtime (accounts database, services' client), pages and errors."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from peer_console.pages import (
    coordinator,
    facilitator,
    group_waitlist,
    groups,
    mentor,
    mentor_registry,
    pairings,
    pam_entry,
    reports,
    sign_in,
    sso,
    triage,
)
from peer_console.pages.web import CsrfRejected, Forbidden, SignInRequired, render
from peer_console.runtime import ConsoleRuntime
from peer_console.service_apis import ApiError
from peer_console.settings import ConsoleSettings
from peer_shared.clock import Clock
from peer_shared.http import health
from peer_shared.logging import get_logger

log = get_logger(__name__)
STATIC = Path(__file__).parent / "static"
PAGES = (
    sign_in,
    coordinator,
    triage,
    mentor,
    reports,
    pam_entry,
    mentor_registry,
    pairings,
    sso,
    group_waitlist,  # before groups: its /coordinator/groups/{cohort_id} would take /waitlist
    groups,
    facilitator,
)


def create_app(
    settings: ConsoleSettings | None = None,
    *,
    clock: Clock | None = None,
    api_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the console's ASGI app; nothing connects until the lifespan starts.

    `api_transport` replaces the network for calls to the services (tests run them in-process).
    """
    settings = settings or ConsoleSettings()
    secret = settings.session_secret.get_secret_value()
    if len(secret) < 32:
        raise ValueError("PEER_SESSION_SECRET must be at least 32 characters")
    runtime = ConsoleRuntime(settings, clock=clock, api_transport=api_transport)
    app = FastAPI(
        title="Peer support: web console",
        version="0.1.0",
        lifespan=runtime.lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="peer_console",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # The NHS.UK stylesheet refers to its images at /assets/images/.
    app.mount("/assets", StaticFiles(directory=STATIC / "nhsuk" / "assets"), name="assets")
    # Liveness and readiness (the database) as every service answers them; no /metrics, as before.
    app.add_api_route("/healthz", health.healthz, methods=["GET"], include_in_schema=False)
    app.add_api_route("/readyz", health.readyz, methods=["GET"], include_in_schema=False)
    for page in PAGES:
        app.include_router(page.router)
    # Single sign-on (None unless PEER_OIDC_ISSUER is set); it contacts the provider only when used.
    app.state.sso = sso.sso_client(settings)
    _install_error_pages(app)
    return app


def _install_error_pages(app: FastAPI) -> None:
    """The console answers people, so its errors are NHS-style pages rather than problem documents."""

    async def sign_in_required(request: Request, _: Exception) -> Response:
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)

    async def forbidden(request: Request, _: Exception) -> Response:
        return render(
            request,
            "error.html",
            403,
            title="You cannot open this page",
            message="Your account's role does not give access to this page.",
        )

    async def csrf_rejected(request: Request, _: Exception) -> Response:
        log.warning("form refused: CSRF token missing or wrong", path=request.url.path)
        return render(
            request,
            "error.html",
            403,
            title="This form has expired",
            message="Go back, reload the page and try again.",
        )

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        status = exc.status if exc.status in (403, 404, 409, 410, 422) else 502
        return render(request, "error.html", status, title="Something went wrong", message=exc.message)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code != 404:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return render(
            request,
            "error.html",
            404,
            title="Page not found",
            message="If you typed the web address, check it is correct.",
        )

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(CsrfRejected, csrf_rejected)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, not_found)
