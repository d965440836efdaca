"""Single sign-on with an NHS organisation's OpenID Connect provider (authlib), when configured.

The authorization code flow with PKCE (S256): `/sign-in/sso` sends the browser to the provider with a
fresh state and nonce (kept in the signed session cookie); `/sign-in/sso/callback` checks the state,
exchanges the code (with the client secret and the PKCE verifier) and verifies the ID token: its RS256
(or other advertised) signature against the provider's JWKS, and its issuer, audience, expiry and nonce.
The value of the configured claim (`PEER_OIDC_ACCOUNT_CLAIM`, e.g. `email`) is matched to an account's
`sso_identity`, which the operator links; the role comes from the account, never from the provider. No
linked account, or a locked one, gets the sign-in page's one refusal, so nothing is learnt about which
accounts exist.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import httpx
from fastapi import APIRouter, Request
from joserfc.errors import JoseError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from peer_console.domain.accounts import AccountError, sso_identity_of
from peer_console.pages.sign_in import safe_next, sign_in_form, start_session
from peer_console.pages.web import console_of, render
from peer_console.settings import ConsoleSettings, secure_or_local
from peer_console.store import accounts_repo
from peer_shared.logging import get_logger

with warnings.catch_warnings():
    # authlib prefers the `httpx2` package and warns when it falls back to `httpx`, the HTTP client of the
    # whole platform; the fallback stays throughout authlib 1.x (pyproject keeps authlib below 2).
    # (Importing authlib.deprecate first: it sets its own "always" filter, which would come first.)
    from authlib.deprecate import AuthlibDeprecationWarning  # type: ignore[import-untyped]

    warnings.filterwarnings("ignore", "The httpx module is deprecated", AuthlibDeprecationWarning)
    from authlib.integrations.base_client.errors import MismatchingStateError  # type: ignore[import-untyped]
    from authlib.integrations.starlette_client import (  # type: ignore[import-untyped]
        OAuth,
        OAuthError,
        StarletteOAuth2App,
    )

log = get_logger(__name__)
router = APIRouter()
NEXT = "sso_next"
# One message for every person the provider vouched for but who may not sign in (no linked account, a
# locked account, no usable identity in the token), like the password form's one message.
REFUSED = (
    "Your organisation account cannot sign you in to this console. "
    "If you should have access, ask the administrator of this console."
)
# What the person is told when the sign-in itself did not work: (status, title, message).
PROBLEMS = {
    "cancelled": (
        401,
        "Sign-in was cancelled",
        "You did not finish signing in with your organisation account. Try again, or sign in with a "
        "username and password.",
    ),
    "expired": (
        400,
        "This sign-in has expired",
        "The sign-in was not started in this browser, or was already used. Start again from the sign-in "
        "page.",
    ),
    "unverified": (
        401,
        "Your sign-in could not be checked",
        "The console could not confirm who you are from your organisation's sign-in service. Try again; "
        "if this keeps happening, tell the administrator of this console.",
    ),
    "unavailable": (
        502,
        "The sign-in service is not available",
        "The console could not reach your organisation's sign-in service. Try again later, or sign in "
        "with a username and password.",
    ),
}


class ProviderMisconfigured(Exception):
    """The provider's discovery document does not fit the configured issuer."""


def sso_client(settings: ConsoleSettings) -> StarletteOAuth2App | None:
    """The OpenID Connect client, or None when single sign-on is not configured."""
    if not settings.sso_enabled or settings.oidc_issuer is None or settings.oidc_client_secret is None:
        return None
    oauth = OAuth()
    return oauth.register(
        "organisation",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=discovery_url(settings.oidc_issuer),
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "timeout": settings.api_timeout_seconds,
        },
    )


def discovery_url(issuer: str) -> str:
    """Where the issuer's discovery document is (OpenID Connect Discovery 1.0, section 4)."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


@router.get("/sign-in/sso")
async def sso_start(request: Request, next: str = "") -> Response:
    """Send the browser to the provider, with a new state, nonce and PKCE challenge."""
    client, settings = _configured(request)
    redirect_uri = settings.oidc_redirect_url or str(request.url_for("sso_callback"))
    try:
        await _metadata(client, settings)
        response = cast(Response, await client.authorize_redirect(request, redirect_uri))
    except Exception as exc:  # the provider unreachable, or its discovery document unusable
        log.error("single sign-on unavailable", error=_describe(exc))
        return _problem(request, "unavailable")
    request.session[NEXT] = safe_next(next)
    return response


@router.get("/sign-in/sso/callback", name="sso_callback")
async def sso_callback(request: Request) -> Response:
    """Finish the provider's sign-in: check it, find the linked account, start a fresh session."""
    client, settings = _configured(request)
    next_path = safe_next(str(request.session.pop(NEXT, "") or ""))
    try:
        metadata = await _metadata(client, settings)
        token = await client.authorize_access_token(
            request, claims_options=_claims_options(metadata["issuer"], str(settings.oidc_client_id))
        )
    except MismatchingStateError:
        log.warning("single sign-on refused: state unknown to this session")
        return _problem(request, "expired")
    except OAuthError as exc:
        if exc.error == "access_denied":
            log.info("single sign-on cancelled at the provider", error=_describe(exc))
            return _problem(request, "cancelled")
        log.warning("single sign-on refused by the provider", error=_describe(exc))
        return _problem(request, "unverified")
    except JoseError as exc:
        log.warning("single sign-on refused: ID token not valid", error=_describe(exc))
        return _problem(request, "unverified")
    except (httpx.HTTPError, ProviderMisconfigured) as exc:
        log.error("single sign-on unavailable", error=_describe(exc))
        return _problem(request, "unavailable")
    except Exception as exc:  # an answer that could not be read; never a stack trace for the person
        log.warning("single sign-on refused: unreadable answer from the provider", error=_describe(exc))
        return _problem(request, "unverified")
    claims = token.get("userinfo")
    if not claims:
        log.warning("single sign-on refused: the provider sent no ID token")
        return _problem(request, "unverified")
    identity = _identity(dict(claims), settings.oidc_account_claim)
    if identity is None:
        return sign_in_form(request, 401, next_path=next_path, errors={"sso": REFUSED})
    console = console_of(request)
    now = console.clock.now()
    async with console.sessions.begin() as session:
        account = await accounts_repo.by_sso_identity(session, identity, for_update=True)
        if account is None:
            log.warning("single sign-on refused: no account has this identity", sso_identity=identity)
            signed_in = None
        elif account.is_locked(now):
            log.warning("single sign-on refused: account locked", account_id=account.account_id)
            signed_in = None
        else:
            signed_in = account.after_success()
            await accounts_repo.save_attempt(session, signed_in, now)
    if signed_in is None:
        return sign_in_form(request, 401, next_path=next_path, errors={"sso": REFUSED})
    return start_session(request, signed_in, next_path, "sso")


def _configured(request: Request) -> tuple[StarletteOAuth2App, ConsoleSettings]:
    client = request.app.state.sso
    if client is None:
        raise HTTPException(404)
    return client, console_of(request).settings


async def _metadata(client: StarletteOAuth2App, settings: ConsoleSettings) -> dict[str, Any]:
    """The provider's discovery document (fetched once, then kept), checked against the settings."""
    metadata = cast(dict[str, Any], await client.load_server_metadata())
    issuer = metadata.get("issuer")
    if not isinstance(issuer, str) or issuer.rstrip("/") != str(settings.oidc_issuer).rstrip("/"):
        raise ProviderMisconfigured(f"discovery names issuer {issuer!r}, not PEER_OIDC_ISSUER")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        url = metadata.get(endpoint)
        if not isinstance(url, str) or not secure_or_local(url):
            raise ProviderMisconfigured(f"discovery: {endpoint} missing or not https")
    return metadata


def _claims_options(issuer: str, client_id: str) -> dict[str, Any]:
    # authlib checks the nonce and the expiry itself; the issuer and the audience only when asked.
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }


def _identity(claims: dict[str, Any], claim: str) -> str | None:
    """The account identity the ID token vouches for, or None (logged) if it has none usable."""
    value = claims.get(claim)
    if not isinstance(value, str):
        log.warning("single sign-on refused: the ID token has no usable account claim", claim=claim)
        return None
    if claim == "email" and claims.get("email_verified") is False:
        log.warning("single sign-on refused: the provider says the email address is not verified")
        return None
    try:
        return sso_identity_of(value)
    except AccountError:
        log.warning("single sign-on refused: the ID token has no usable account claim", claim=claim)
        return None


def _problem(request: Request, kind: str) -> Response:
    status, title, message = PROBLEMS[kind]
    return render(request, "error.html", status, title=title, message=message)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
