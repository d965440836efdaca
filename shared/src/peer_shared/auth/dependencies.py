"""FastAPI integration: every endpoint declares the roles it admits; a test proves none forgot.

A service's lifespan puts a `TokenVerifier` on `app.state.token_verifier`; an endpoint takes
`principal: Principal = Depends(require_roles(Role.COORDINATOR))` (or lists it in the router's
`dependencies`). Failures follow RFC 6750: 401 with a `WWW-Authenticate: Bearer` challenge when
the token is missing or refused, 403 with `error="insufficient_scope"` when its role is not admitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from peer_shared.auth.tokens import AuthenticationError, Principal, Role, TokenVerifier

REALM = "peer-support"
# Paths that are public by design: probes, metrics and the API's own documentation.
PUBLIC_PATHS = frozenset(
    {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
)

_bearer = HTTPBearer(
    auto_error=False,
    description="An Ed25519-signed JWT from the operator CLI (`Authorization: Bearer <token>`).",
)


class RoleRequirement:
    """A dependency admitting bearer tokens whose role is one of `roles`; it yields the `Principal`.

    A class rather than a closure, so `unprotected_routes` can find it in a route's dependencies.
    """

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = frozenset(roles)
        if not self.roles:
            raise ValueError("an endpoint must admit at least one role")

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        """Verify the request's bearer token and check its role."""
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="missing bearer token",
                headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
            )
        verifier: TokenVerifier = request.app.state.token_verifier
        try:
            principal = verifier.verify(credentials.credentials)
        except AuthenticationError as error:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail=str(error),
                headers={"WWW-Authenticate": _challenge("invalid_token", str(error))},
            ) from error
        if principal.role not in self.roles:
            detail = (
                f"this endpoint admits role {_names(self.roles)}; the token's role is {principal.role.value}"
            )
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=detail,
                headers={"WWW-Authenticate": _challenge("insufficient_scope", detail)},
            )
        return principal


def require_roles(*roles: Role) -> RoleRequirement:
    """The dependency an endpoint uses to admit only tokens with one of `roles`.

    Use as `Depends(require_roles(Role.COORDINATOR, Role.MENTOR))`.
    """
    return RoleRequirement(roles)


def unprotected_routes(app: FastAPI, public_paths: Iterable[str] = PUBLIC_PATHS) -> list[str]:
    """List the app's routes (as "METHODS /path") that admit anyone, other than `public_paths`.

    A service's test asserts this is empty, so no endpoint ships without declaring its roles.
    """
    public = frozenset(public_paths)
    found = []
    # FastAPI keeps included routers lazily; their routes (with the router's prefix and dependencies
    # applied) are only visible through route contexts, not by walking `app.routes`.
    for route in iter_route_contexts(app.routes):
        if route.path in public:
            continue
        dependant: Dependant | None = getattr(route, "dependant", None)
        if dependant is None or not _declares_roles(dependant):
            found.append(f"{','.join(sorted(route.methods or ()))} {route.path}".strip())
    return found


def _declares_roles(dependant: Dependant) -> bool:
    return isinstance(dependant.call, RoleRequirement) or any(
        _declares_roles(sub) for sub in dependant.dependencies
    )


def _names(roles: Iterable[Role]) -> str:
    return " or ".join(sorted(role.value for role in roles))


def _challenge(error: str, description: str) -> str:
    # RFC 6750 allows neither double quotes nor backslashes inside error_description.
    safe = description.replace("\\", "/").replace('"', "'")
    return f'Bearer realm="{REALM}", error="{error}", error_description="{safe}"'
