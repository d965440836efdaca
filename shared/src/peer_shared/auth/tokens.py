"""Ed25519-signed bearer tokens (JWT, `EdDSA`): keys, issuing and verification.

Only the operator CLI (and later the web console) holds a private key; every service holds only the
issuers' public keys, so a compromised service cannot mint tokens. Expiry is judged against the
injected clock, not wall time, so a scenario run at a chosen date meets the same token rules.
"""

from __future__ import annotations

import os
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from peer_shared.auth.revocation import REVOCATION_RETENTION, RevocationList
from peer_shared.clock import Clock

ALGORITHM = "EdDSA"
AUDIENCE = "peer-support"
# The bucket forgets a revocation after REVOCATION_RETENTION: no token may outlive its record.
MAX_TOKEN_TTL = REVOCATION_RETENTION - timedelta(days=1)


class Role(StrEnum):
    """What a token holder may do; each HTTP endpoint admits an explicit set of roles."""

    REFERRER = "referrer"
    COORDINATOR = "coordinator"
    MENTOR = "mentor"
    COMMISSIONER = "commissioner"


class AuthFailure(StrEnum):
    """Why a token was refused."""

    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_ISSUER = "unknown_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    BAD_ROLE = "bad_role"


class AuthenticationError(Exception):
    """A token was refused; `reason` says why and `str(error)` explains it to the caller."""

    def __init__(self, reason: AuthFailure, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    """Who a verified token speaks for."""

    role: Role
    subject: str
    issuer: str
    token_id: str
    expires_at: datetime


def generate_keypair() -> tuple[str, str]:
    """Make a new Ed25519 key pair as PEM text: (PKCS#8 private key, SPKI public key)."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode(), public_pem.decode()


def load_private_key(path_or_pem: str | bytes | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load an unencrypted Ed25519 private key from PEM text or from a PEM file's path."""
    key = serialization.load_pem_private_key(_pem_bytes(path_or_pem), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"expected an Ed25519 private key, got {type(key).__name__}")
    return key


def load_public_key(path_or_pem: str | bytes | os.PathLike[str]) -> Ed25519PublicKey:
    """Load an Ed25519 public key from PEM text or from a PEM file's path."""
    key = serialization.load_pem_public_key(_pem_bytes(path_or_pem))
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"expected an Ed25519 public key, got {type(key).__name__}")
    return key


def _pem_bytes(path_or_pem: str | bytes | os.PathLike[str]) -> bytes:
    if isinstance(path_or_pem, bytes):
        return path_or_pem
    if isinstance(path_or_pem, str) and path_or_pem.lstrip().startswith("-----BEGIN"):
        return path_or_pem.encode()
    return Path(path_or_pem).read_bytes()


def issue_token(
    private_key: Ed25519PrivateKey,
    *,
    issuer: str,
    role: Role,
    subject: str,
    ttl: timedelta,
    clock: Clock,
) -> str:
    """Sign a bearer token for `subject` acting as `role`, valid for `ttl` from the clock's now."""
    if not timedelta(0) < ttl <= MAX_TOKEN_TTL:
        raise ValueError(f"token lifetime must be positive and at most {MAX_TOKEN_TTL}")
    if not subject or not issuer:
        raise ValueError("issuer and subject must not be empty")
    issued_at = int(clock.now().timestamp())
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": AUDIENCE,
        "role": Role(role).value,
        "iat": issued_at,
        "exp": issued_at + int(ttl.total_seconds()),
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, private_key, algorithm=ALGORITHM)


VERIFIED_TOKENS_KEPT = 4096
"""How many verified tokens a verifier remembers (the least recently used are forgotten first)."""


class TokenVerifier:
    """Checks bearer tokens against the trusted issuers' keys, the clock and the revocations."""

    def __init__(
        self,
        trusted_issuers: Mapping[str, Ed25519PublicKey],
        revocations: RevocationList,
        clock: Clock,
        leeway: timedelta = timedelta(seconds=30),
    ) -> None:
        self._issuers = dict(trusted_issuers)
        self._revocations = revocations
        self._clock = clock
        self._leeway = leeway
        self._verified: OrderedDict[str, Mapping[str, Any]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        """Return the token's principal, or raise `AuthenticationError` saying why it is refused."""
        claims = self._verified_signature(token)
        expires_at = self._check_times(claims)
        audience = claims.get("aud", AUDIENCE)
        if AUDIENCE not in (audience if isinstance(audience, list) else [audience]):
            raise AuthenticationError(AuthFailure.WRONG_AUDIENCE, f"token audience is not {AUDIENCE}")
        try:
            role = Role(claims["role"])
        except (KeyError, ValueError):
            message = f"token role {claims.get('role')!r} is not one of {', '.join(Role)}"
            raise AuthenticationError(AuthFailure.BAD_ROLE, message) from None
        if not claims["sub"]:
            raise AuthenticationError(AuthFailure.MALFORMED, "token subject is empty")
        if claims["jti"] in self._revocations:
            raise AuthenticationError(AuthFailure.REVOKED, "token has been revoked")
        return Principal(role, claims["sub"], claims["iss"], claims["jti"], expires_at)

    def _check_times(self, claims: Mapping[str, Any]) -> datetime:
        now = self._clock.now()
        issued_at = _timestamp(claims, "iat")
        expires_at = _timestamp(claims, "exp")
        not_before = _timestamp(claims, "nbf") if "nbf" in claims else issued_at
        if now > expires_at + self._leeway:
            raise AuthenticationError(AuthFailure.EXPIRED, f"token expired at {_iso(expires_at)}")
        if now + self._leeway < not_before:
            raise AuthenticationError(AuthFailure.NOT_YET_VALID, f"token not valid before {_iso(not_before)}")
        if expires_at - issued_at > MAX_TOKEN_TTL:
            # Such a token would outlive its revocation record in the KV bucket.
            raise AuthenticationError(AuthFailure.MALFORMED, f"token lifetime exceeds {MAX_TOKEN_TTL}")
        return expires_at

    def _verified_signature(self, token: str) -> Mapping[str, Any]:
        """The claims of a token whose signature is good, remembered for the next request with it.

        A client sends the same token with every request, and checking an Ed25519 signature was about a
        tenth of the CPU a FHIR referral costs. Only the signature is remembered: times, audience, role
        and revocation are checked on every call, and a token that failed is checked afresh each time.
        """
        claims = self._verified.get(token)
        if claims is None:
            claims = self._signed_claims(token)
            self._verified[token] = claims
            if len(self._verified) > VERIFIED_TOKENS_KEPT:
                self._verified.popitem(last=False)
        else:
            self._verified.move_to_end(token)
        return claims

    def _signed_claims(self, token: str) -> dict[str, Any]:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.InvalidTokenError as error:
            raise AuthenticationError(AuthFailure.MALFORMED, "token is not a valid JWT") from error
        key = self._issuers.get(issuer) if isinstance(issuer, str) else None
        if key is None:
            raise AuthenticationError(AuthFailure.UNKNOWN_ISSUER, f"token issuer {issuer!r} is not trusted")
        try:
            # PyJWT would judge time claims by wall time; they are checked against the clock instead.
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                options={
                    "require": ["iss", "sub", "iat", "exp", "jti"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                },
            )
        except jwt.InvalidSignatureError as error:
            raise AuthenticationError(AuthFailure.BAD_SIGNATURE, "token signature is invalid") from error
        except jwt.InvalidTokenError as error:
            raise AuthenticationError(AuthFailure.MALFORMED, f"token is malformed: {error}") from error
        return claims


def _timestamp(claims: Mapping[str, Any], name: str) -> datetime:
    value = claims.get(name)
    # bool is an int subclass, but a JSON `true` is not a time.
    if not isinstance(value, bool) and isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    raise AuthenticationError(AuthFailure.MALFORMED, f"token claim {name!r} is not a NumericDate")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
