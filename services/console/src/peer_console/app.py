"""Wires the web console: settings, its accounts database, the service API client, pages and errors."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from peer_console.handlers import (
    coordinator,
    mentor,
    mentor_registry,
    pairings,
    pam_entry,
    reports,
    sign_in,
    sso,
    triage,
)
from peer_console.handlers.service_apis import ApiError, ServiceApis
from peer_console.handlers.web import CsrfRejected, Forbidden, SignInRequired, render
from peer_console.settings import ConsoleSettings
from peer_console.store import MIGRATIONS
from peer_shared.auth.tokens import load_private_key
from peer_shared.clock import Clock, clock_from_setting
from peer_shared.db import SessionFactory, make_engine, make_session_factory, migrate
from peer_shared.logging import configure_logging, get_logger

log = get_logger(__name__)
STATIC = Path(__file__).parent / "static"


@dataclass
class Console:
    """The live parts of the console, on `app.state.console`."""

    settings: ConsoleSettings
    clock: Clock
    sessions: SessionFactory
    apis: ServiceApis


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
    if settings.signing_key_path is None:
        raise ValueError("PEER_SIGNING_KEY_PATH must name the console's Ed25519 private key")
    key = load_private_key(settings.signing_key_path)
    the_clock = clock or clock_from_setting(settings.clock_start, settings.clock_file)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
        url = settings.database_url.get_secret_value()
        engine = make_engine(url, pool_size=5)
        await migrate(MIGRATIONS, url)
        async with httpx.AsyncClient(timeout=settings.api_timeout_seconds, transport=api_transport) as client:
            apis = ServiceApis(settings, key, the_clock, client)
            app.state.console = Console(settings, the_clock, make_session_factory(engine), apis)
            log.info("console started", http_port=settings.http_port)
            try:
                yield
            finally:
                await engine.dispose()
                log.info("console stopped")

    app = FastAPI(
        title="Peer support: web console",
        version="0.1.0",
        lifespan=lifespan,
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
    for module in (sign_in, coordinator, triage, mentor, reports, pam_entry, mentor_registry, pairings):
        app.include_router(module.router)
    app.include_router(sso.router)
    # Single sign-on (None unless PEER_OIDC_ISSUER is set); it contacts the provider only when used.
    app.state.sso = sso.sso_client(settings)
    _install_error_pages(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        try:
            async with request.app.state.console.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            return JSONResponse({"status": "not ready", "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready", "database": "ok"})

    return app


def _install_error_pages(app: FastAPI) -> None:
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
