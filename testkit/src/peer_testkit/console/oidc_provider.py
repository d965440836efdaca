"""A small OpenID Connect provider for the console's single sign-on tests, served by uvicorn on a real port.

It offers a discovery document, a JWKS with an RSA key made for the test run, `/authorize` (which "signs
in" the configured person at once and redirects back with a code, or with `error=access_denied`) and
`/token` (which checks the client secret, the code, the redirect URI and the PKCE verifier, and answers
with an RS256-signed ID token carrying the nonce). It is strict on purpose: a console that left out PKCE,
the nonce or the state would be turned away at `/authorize`.

Its misbehaviours are switches a test sets: `deny` (the person cancels), `sign_with` (sign with another
key under the same key id) and `overrides` (claims of the ID token replaced, or removed with None).

It signs with `cryptography` directly, so the console's library (authlib and joserfc) is not checking
tokens it made itself.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import secrets
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import uvicorn
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "peer-console-test"
REALM = "/realms/nhs"  # the issuer has a path, as many providers' do


def new_key() -> rsa.RSAPrivateKey:
    """A 2048-bit RSA signing key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uint(number: int) -> str:
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


@dataclass
class Grant:
    """What /authorize promised, for /token to check."""

    redirect_uri: str
    code_challenge: str
    nonce: str


@dataclass
class OidcProvider:
    """The provider's state: its key, the person who signs in, the switches and what it was asked."""

    key: rsa.RSAPrivateKey
    redirect_uri: str
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    kid: str = "test-key-1"
    issuer: str = ""
    person: dict[str, Any] = field(default_factory=dict)
    deny: bool = False
    sign_with: rsa.RSAPrivateKey | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    tokens_issued: int = 0

    def app(self) -> Starlette:
        """The provider's HTTP interface."""
        return Starlette(
            routes=[
                Route(f"{REALM}/.well-known/openid-configuration", self.discovery),
                Route(f"{REALM}/jwks", self.jwks),
                Route(f"{REALM}/authorize", self.authorize),
                Route(f"{REALM}/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, _: Request) -> Response:
        """OpenID Connect Discovery 1.0."""
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    async def jwks(self, _: Request) -> Response:
        """The public half of the provider's key."""
        numbers = self.key.public_key().public_numbers()
        jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid}
        return JSONResponse({"keys": [jwk | {"n": _uint(numbers.n), "e": _uint(numbers.e)}]})

    async def authorize(self, request: Request) -> Response:
        """Sign the configured person in at once and send the browser back with a code."""
        query = dict(request.query_params)
        self.authorize_requests.append(query)
        problems = [
            name
            for name, ok in (
                ("response_type", query.get("response_type") == "code"),
                ("client_id", query.get("client_id") == CLIENT_ID),
                ("redirect_uri", query.get("redirect_uri") == self.redirect_uri),
                ("scope", "openid" in query.get("scope", "").split()),
                ("state", len(query.get("state", "")) >= 16),
                ("nonce", len(query.get("nonce", "")) >= 16),
                ("code_challenge", len(query.get("code_challenge", "")) >= 43),
                ("code_challenge_method", query.get("code_challenge_method") == "S256"),
            )
            if not ok
        ]
        if problems:
            return JSONResponse({"error": "invalid_request", "problems": problems}, status_code=400)
        if self.deny:
            back = {
                "error": "access_denied",
                "error_description": "The user cancelled",
                "state": query["state"],
            }
            return RedirectResponse(f"{self.redirect_uri}?{urlencode(back)}", status_code=302)
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(query["redirect_uri"], query["code_challenge"], query["nonce"])
        back = {"code": code, "state": query["state"]}
        return RedirectResponse(f"{self.redirect_uri}?{urlencode(back)}", status_code=302)

    async def token(self, request: Request) -> Response:
        """Exchange a code: client secret, code (once), redirect URI and PKCE verifier are all checked."""
        form = {key: str(value) for key, value in (await request.form()).items()}
        if _client_credentials(request, form) != (CLIENT_ID, self.client_secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant.code_challenge:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        if form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant", "error_description": "redirect"}, status_code=400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant.nonce}
        claims |= self.person
        for name, value in self.overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        self.tokens_issued += 1
        body = {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "openid email profile",
            "id_token": self.sign(claims),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS (RS256) of the claims, under the provider's key id."""
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = ".".join(b64url(json.dumps(part).encode()) for part in (header, claims))
        key = self.sign_with or self.key
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    # client_secret_basic (RFC 6749 2.3.1: each part form-encoded) or client_secret_post.
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("Basic "):
        user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        return unquote(user.replace("+", " ")), unquote(password.replace("+", " "))
    return form.get("client_id", ""), form.get("client_secret", "")


@contextlib.asynccontextmanager
async def serve(provider: OidcProvider) -> AsyncIterator[OidcProvider]:
    """Serve the provider on a free port in this event loop; its issuer URL is set before it is yielded.

    The socket is bound and listening before uvicorn starts, so a connection made at once waits in the
    backlog until uvicorn accepts it: nothing needs to wait for the server to come up.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}{REALM}"
    config = uvicorn.Config(provider.app(), log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield provider
    finally:
        server.should_exit = True
        await task
        sock.close()
