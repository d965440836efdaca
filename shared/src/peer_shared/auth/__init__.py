"""Authentication for every service's HTTP API: Ed25519 bearer tokens, roles, shared revocations."""

from peer_shared.auth.dependencies import (
    PUBLIC_PATHS,
    RoleRequirement,
    require_roles,
    unprotected_routes,
)
from peer_shared.auth.revocation import (
    BUCKET,
    REVOCATION_RETENTION,
    RevocationList,
    RevocationWatcher,
    open_revocation_bucket,
    revoke,
)
from peer_shared.auth.tokens import (
    ALGORITHM,
    AUDIENCE,
    MAX_TOKEN_TTL,
    AuthenticationError,
    AuthFailure,
    Principal,
    Role,
    TokenVerifier,
    generate_keypair,
    issue_token,
    load_private_key,
    load_public_key,
)

__all__ = [
    "ALGORITHM",
    "AUDIENCE",
    "BUCKET",
    "MAX_TOKEN_TTL",
    "PUBLIC_PATHS",
    "REVOCATION_RETENTION",
    "AuthFailure",
    "AuthenticationError",
    "Principal",
    "RevocationList",
    "RevocationWatcher",
    "Role",
    "RoleRequirement",
    "TokenVerifier",
    "generate_keypair",
    "issue_token",
    "load_private_key",
    "load_public_key",
    "open_revocation_bucket",
    "require_roles",
    "revoke",
    "unprotected_routes",
]
