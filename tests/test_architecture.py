"""The skeleton every service shares (docs/architecture.md), checked: folder names, imports, sizes, errors.

Unit tier: the apps are built but never started, so no server is needed. Every route is called with no
token, with a token of a role it does not admit, and with malformed input; each answer must be RFC 9457
problem details (or an OperationOutcome on the FHIR routes), as its OpenAPI entry says.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from peer_shared.auth import RevocationList, RoleRequirement, TokenVerifier, generate_keypair
from peer_shared.auth.tokens import Role, issue_token, load_private_key, load_public_key
from peer_shared.clock import SystemClock
from peer_shared.http.problems import PROBLEM_JSON
from peer_shared.service import ServiceDescriptor
from peer_support_cli.services import CONSOLE, SERVICES

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_FOLDERS = {"domain", "use_cases", "api", "consumers", "store"}
OPTIONAL_FOLDERS = {"feeds"}
TOP_LEVEL_MODULES = {"__init__", "__main__", "app", "service", "settings", "events_out", "commands"}
MAX_MODULE_LINES = 300
FHIR_JSON = "application/fhir+json"
ISSUER = "architecture-test"
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "nats", "asyncpg", "httpx", "alembic")
SERVICE_PACKAGES = {d.module for d in (*SERVICES, CONSOLE)}


def package_dir(service: ServiceDescriptor) -> Path:
    """The folder of a service's Python package."""
    return Path(importlib.import_module(service.module).__path__[0])


def modules_of(folder: Path) -> Iterator[Path]:
    """Every Python module below a folder."""
    yield from (p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    """The absolute module names a module imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_service_has_the_same_folders(service: ServiceDescriptor) -> None:
    folder = package_dir(service)
    subpackages = {p.name for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__"}
    modules = {p.stem for p in folder.glob("*.py")}
    assert subpackages >= REQUIRED_FOLDERS, f"{service.name} lacks {sorted(REQUIRED_FOLDERS - subpackages)}"
    extra = subpackages - REQUIRED_FOLDERS - OPTIONAL_FOLDERS
    assert not extra, f"{service.name} has folders outside the skeleton: {sorted(extra)}"
    assert modules <= TOP_LEVEL_MODULES, (
        f"{service.name}: unexpected modules {sorted(modules - TOP_LEVEL_MODULES)}"
    )


@pytest.mark.parametrize("service", (*SERVICES, CONSOLE), ids=lambda s: s.name)
def test_no_module_over_the_size_limit(service: ServiceDescriptor) -> None:
    sizes = {p: len(p.read_text().splitlines()) for p in modules_of(package_dir(service))}
    too_long = {str(p.relative_to(ROOT)): n for p, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not too_long


@pytest.mark.parametrize("service", (*SERVICES, CONSOLE), ids=lambda s: s.name)
def test_domain_knows_no_framework_and_no_service_imports_another(service: ServiceDescriptor) -> None:
    folder = package_dir(service)
    others = SERVICE_PACKAGES - {service.module}
    for path in modules_of(folder):
        imports = imported_modules(path)
        roots = {name.split(".")[0] for name in imports}
        assert not roots & others, f"{path.relative_to(ROOT)} imports another service: {roots & others}"
        if "domain" in path.relative_to(folder).parts:
            assert not roots & set(FRAMEWORKS), f"{path.relative_to(ROOT)} imports {roots & set(FRAMEWORKS)}"


def test_shared_package_imports_no_service() -> None:
    for path in modules_of(ROOT / "shared" / "src"):
        roots = {name.split(".")[0] for name in imported_modules(path)}
        assert not roots & (SERVICE_PACKAGES | {"peer_support_cli"}), path


# --- Every HTTP error is problem details ---------------------------------------------------------------


def app_of(service: ServiceDescriptor, public_pem: str) -> FastAPI:
    """The service's app, built but not started, trusting the test's own token issuer."""
    app = service.create_app(service.settings(auth_public_keys={ISSUER: public_pem}))
    app.state.token_verifier = TokenVerifier(
        {ISSUER: load_public_key(public_pem)}, RevocationList(), SystemClock()
    )
    return app


def admitted_roles(dependant: Dependant) -> frozenset[Role]:
    """The roles a route admits (from its RoleRequirement)."""
    if isinstance(dependant.call, RoleRequirement):
        return dependant.call.roles
    found: frozenset[Role] = frozenset()
    for sub in dependant.dependencies:
        found |= admitted_roles(sub)
    return found


def routes_of(app: FastAPI) -> list[tuple[str, str, frozenset[Role], bool]]:
    """(method, path, admitted roles, takes a body) for every protected route."""
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        roles = admitted_roles(route.dependant)
        if not roles:
            continue
        takes_body = bool(route.dependant.body_params) or "requestBody" in (route.openapi_extra or {})
        found += [(method, str(route.path), roles, takes_body) for method in sorted(route.methods or ())]
    return found


def concrete(path: str, value: str) -> str:
    """The path with every parameter replaced by `value`."""
    return re.sub(r"\{[^}]+\}", value, path)


def expected_media_type(path: str) -> str:
    """What an error on this path must be answered as."""
    return FHIR_JSON if path.startswith("/fhir") else PROBLEM_JSON


def check_error(response: httpx.Response, path: str) -> dict[str, Any]:
    """The error answer is problem details (or an OperationOutcome on /fhir) with a reason."""
    assert response.status_code >= 400, f"{path}: {response.status_code}"
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type == expected_media_type(path), f"{path}: {media_type} {response.text[:200]}"
    body: dict[str, Any] = response.json()
    if media_type == PROBLEM_JSON:
        assert body["status"] == response.status_code
        assert body["code"] and body["detail"] and body["type"].endswith(body["code"])
    else:
        assert body["resourceType"] == "OperationOutcome" and body["issue"]
    return body


@pytest.fixture(scope="module")
def issuer_keys() -> tuple[str, str]:
    return generate_keypair()


def token(private_pem: str, role: Role) -> dict[str, str]:
    key = load_private_key(private_pem)
    signed = issue_token(
        key,
        issuer=ISSUER,
        role=role,
        subject="usr_" + "a" * 32,
        ttl=timedelta(minutes=5),
        clock=SystemClock(),
    )
    return {"Authorization": f"Bearer {signed}"}


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
async def test_every_route_answers_its_errors_as_problem_details(
    service: ServiceDescriptor, issuer_keys: tuple[str, str]
) -> None:
    private_pem, public_pem = issuer_keys
    app = app_of(service, public_pem)
    routes = routes_of(app)
    assert routes
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for method, path, roles, takes_body in routes:
            url = concrete(path, "x")
            no_token = await client.request(method, url)
            assert no_token.status_code == 401, f"{method} {path}"
            check_error(no_token, path)
            outsider = next((r for r in Role if r not in roles), None)
            if outsider is not None:
                refused = await client.request(method, url, headers=token(private_pem, outsider))
                assert refused.status_code == 403, f"{method} {path}"
                check_error(refused, path)
            if takes_body:
                headers = token(private_pem, next(iter(roles))) | {"Content-Type": "application/json"}
                malformed = await client.request(method, url, headers=headers, content=b"{not json")
                assert 400 <= malformed.status_code < 500, f"{method} {path}: {malformed.status_code}"
                check_error(malformed, path)
        unknown = await client.get("/no-such-route")
        assert unknown.status_code == 404
        check_error(unknown, "/no-such-route")


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_openapi_documents_every_error_as_problem_details(
    service: ServiceDescriptor, issuer_keys: tuple[str, str]
) -> None:
    schema = app_of(service, issuer_keys[1]).openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.isdigit() or int(status) < 400:
                    continue
                media_types = set(response.get("content", {}))
                assert media_types, f"{method} {path} {status} has no documented body"
                assert media_types <= {PROBLEM_JSON, FHIR_JSON}, f"{method} {path} {status}: {media_types}"
                if not path.startswith("/fhir"):
                    assert PROBLEM_JSON in media_types, f"{method} {path} {status}: {media_types}"
