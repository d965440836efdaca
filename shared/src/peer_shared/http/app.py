"""The skeleton of every service's FastAPI app: title, lifespan, health, routes, problem details."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from peer_shared.http.health import router as health_router
from peer_shared.http.problems import PROBLEM_JSON, PROBLEM_SCHEMA, Renderer, install_problem_handlers
from peer_shared.runtime import DatabaseRuntime, Lifespan


def service_app(
    *,
    title: str,
    description: str,
    runtime: DatabaseRuntime,
    routers: Iterable[APIRouter],
    lifespan: Lifespan | None = None,
    renderers: Iterable[tuple[str, Renderer]] = (),
) -> FastAPI:
    """A service's ASGI app: `/healthz`, `/readyz`, `/metrics`, its routers, and every error as a problem.

    Nothing connects until the lifespan starts (`runtime.lifespan` unless a service wraps it with work of
    its own); engines and clients are built there, never at import time.
    """
    app = FastAPI(
        title=title, version="0.1.0", description=description, lifespan=lifespan or runtime.lifespan
    )
    # Known before the lifespan starts, so a request to an app that is not running yet is still
    # authenticated and validated (and refused) before it reaches for the database.
    app.state.runtime = runtime
    app.include_router(health_router)
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app, renderers=renderers)
    _document_problems(app)
    return app


def _document_problems(app: FastAPI) -> None:
    """Say in the OpenAPI document what the handlers do: every error answer is problem details.

    FastAPI documents its 422 (and any error response declared without content) as `application/json`
    with its own validation schema; the answers are `application/problem+json`.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for status, response in operation.get("responses", {}).items():
                        if status.isdigit() and int(status) >= 400:
                            _as_problem(response)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _as_problem(response: dict[str, Any]) -> None:
    content = response.setdefault("content", {})
    content.pop("application/json", None)
    if not content:
        content[PROBLEM_JSON] = {"schema": PROBLEM_SCHEMA}
