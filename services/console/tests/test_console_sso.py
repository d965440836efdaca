"""OpenID Connect single sign-on, against a real provider on a real port (peer_testkit.console.oidc_provider).

The console runs as in the other HTTP tests (in-process, its own fresh database); the test plays the
browser, carrying each redirect between the console and the provider by hand.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from click.testing import Result
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError
from typer.testing import CliRunner

from peer_console.commands import app as account_cli
from peer_console.commands import set_locked
from peer_console.domain.pages import HOME
from peer_console.pages.sso import REFUSED
from peer_console.settings import ConsoleSettings
from peer_shared.auth.tokens import Role
from peer_testkit.console.oidc_provider import CLIENT_ID, OidcProvider, new_key, serve
from peer_testkit.console.platform import Keys, Platform, console_settings, running_console
from peer_testkit.console.steps import csrf_of, sign_in
from peer_testkit.ports import free_port

CONSOLE = "https://console.test"
CALLBACK = f"{CONSOLE}/sign-in/sso/callback"
BUTTON = "Sign in with NHS mail"
MENTOR_ID = "mnt_" + "c3" * 16
# A page each role may not open: a 403 there (not a redirect to sign-in) shows who is signed in.
ELSEWHERE = {Role.COORDINATOR: "/mentor/concern", Role.MENTOR: "/report", Role.COMMISSIONER: "/coordinator"}


@dataclass
class Sso:
    """The console (as the browser sees it), its platform helpers and the provider behind it."""

    console: httpx.AsyncClient
    platform: Platform
    provider: OidcProvider

    async def provider_redirect(self, start: str = "/sign-in/sso") -> str:
        """Start at the console, visit the provider: the callback URL the provider sends the browser to."""
        begun = await self.console.get(start)
        assert begun.status_code == 302, begun.text
        assert begun.headers["location"].startswith(f"{self.provider.issuer}/authorize?")
        async with httpx.AsyncClient() as browser:  # the provider is on a real socket
            answer = await browser.get(begun.headers["location"])
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(CALLBACK + "?")
        return location

    async def sign_in(self, start: str = "/sign-in/sso") -> httpx.Response:
        """The whole round trip: the console's answer to the provider's redirect."""
        return await self.console.get(await self.provider_redirect(start))

    async def account(self, role: Role, identity: str | None) -> str:
        """An account linked to `identity`, added with the operator's command; its user name."""
        username = f"{role.value}-{uuid.uuid4().hex[:8]}"
        result = await self.cli(
            "add",
            username,
            "--role",
            role.value,
            "--name",
            f"Test {role.value.title()}",
            "--password-stdin",
            *(["--mentor-id", MENTOR_ID] if role is Role.MENTOR else []),
            *(["--sso-identity", identity] if identity else []),
            input="correct horse battery staple\n",
        )
        assert result.exit_code == 0, result.output
        return username

    async def cli(self, *args: str, input: str | None = None) -> Result:
        """`peer-support account ...` on the console's database (in a thread: it runs its own loop)."""
        env = {"PEER_DATABASE_URL": self.platform.settings.database_url.get_secret_value()}
        return await asyncio.to_thread(CliRunner().invoke, account_cli, list(args), input=input, env=env)


@pytest.fixture(scope="session")
def provider_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """The provider's signing key and another one (made once: RSA keys take a moment)."""
    return new_key(), new_key()


@pytest.fixture
async def provider(provider_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> AsyncIterator[OidcProvider]:
    """The test provider on a free port; the person it signs in is Jane Smith of NHS mail."""
    person = {
        "sub": "entra-0001",
        "email": "Jane.Smith@nhs.net",
        "email_verified": True,
        "name": "Jane Smith",
    }
    async with serve(OidcProvider(provider_keys[0], CALLBACK, person=person)) as running:
        yield running


@pytest.fixture
async def sso(console_keys: Keys, fresh_database_url: str, provider: OidcProvider) -> AsyncIterator[Sso]:
    """The console with single sign-on through the test provider."""
    settings = console_settings(
        console_keys,
        fresh_database_url,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=provider.client_secret,
        oidc_button_label=BUTTON,
    )
    async with running_console(settings, CONSOLE) as client:
        yield Sso(client, Platform(CONSOLE, settings), provider)


def _signed_in_as(page: httpx.Response, role: Role) -> None:
    assert page.status_code == 403 and "You cannot open this page" in page.text, page.text
    assert f"Test {role.value.title()} ({role.value})" in page.text


def _without_csrf(page: httpx.Response) -> str:
    return page.text.replace(csrf_of(page), "")


def test_single_sign_on_settings_must_be_complete() -> None:
    with pytest.raises(ValidationError, match="PEER_OIDC_CLIENT_ID and PEER_OIDC_CLIENT_SECRET"):
        ConsoleSettings(oidc_issuer="https://login.example.nhs.uk")
    with pytest.raises(ValidationError, match="PEER_OIDC_CLIENT_SECRET"):
        ConsoleSettings(oidc_issuer="https://login.example.nhs.uk", oidc_client_id="console")
    complete = {"oidc_client_id": "console", "oidc_client_secret": "s3cret"}
    with pytest.raises(ValidationError, match="https"):
        ConsoleSettings(oidc_issuer="http://login.example.nhs.uk", **complete)
    with pytest.raises(ValidationError, match="openid"):
        ConsoleSettings(oidc_issuer="https://login.example.nhs.uk", oidc_scopes="email profile", **complete)
    assert ConsoleSettings(oidc_issuer="https://login.example.nhs.uk", **complete).sso_enabled
    assert not ConsoleSettings().sso_enabled


@pytest.mark.integration
async def test_the_sign_in_page_offers_single_sign_on_only_when_configured(
    sso: Sso, console_alone: tuple[httpx.AsyncClient, Platform]
) -> None:
    page = await sso.console.get("/sign-in?next=/report")
    assert BUTTON in page.text and 'href="/sign-in/sso?next=/report"' in page.text
    assert 'name="password"' in page.text  # password sign-in is still offered

    plain, _ = console_alone
    assert "/sign-in/sso" not in (await plain.get("/sign-in")).text
    for path in ("/sign-in/sso", "/sign-in/sso/callback?code=x&state=y"):
        missing = await plain.get(path)
        assert missing.status_code == 404 and "Page not found" in missing.text


@pytest.mark.integration
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MENTOR, Role.COMMISSIONER])
async def test_a_linked_account_signs_in_with_a_fresh_session_and_lands_on_its_roles_home(
    sso: Sso, role: Role
) -> None:
    user = await sso.account(role, "jane.smith@NHS.net")  # matched without regard to case
    before = csrf_of(await sso.console.get("/sign-in"))

    landing = await sso.sign_in()
    assert landing.status_code == 303 and landing.headers["location"] == HOME[role]
    assert (await sso.console.get("/")).headers["location"] == HOME[role]
    page = await sso.console.get(ELSEWHERE[role])
    _signed_in_as(page, role)

    # The provider was asked with PKCE (S256), a state and a nonce, and gave out exactly one ID token.
    (asked,) = sso.provider.authorize_requests
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    assert sso.provider.tokens_issued == 1 and not sso.provider.grants
    # A fresh session: the CSRF token from before signing in no longer works, the new one does.
    assert csrf_of(page) != before
    stale = await sso.console.post("/sign-out", data={"csrf_token": before})
    assert stale.status_code == 403
    signed_out = await sso.console.post("/sign-out", data={"csrf_token": csrf_of(page)})
    assert signed_out.headers["location"] == "/sign-in"
    assert (await sso.console.get("/")).headers["location"] == "/sign-in"
    assert (await sso.platform.stored_account(user)).role is role  # type: ignore[union-attr]


@pytest.mark.integration
async def test_a_page_asked_for_before_signing_in_is_opened_after_and_never_another_site(sso: Sso) -> None:
    await sso.account(Role.COORDINATOR, "jane.smith@nhs.net")
    landing = await sso.sign_in("/sign-in/sso?next=/coordinator/pam")
    assert landing.headers["location"] == "/coordinator/pam"
    elsewhere = await sso.sign_in("/sign-in/sso?next=//evil.example/")
    assert elsewhere.headers["location"] == "/coordinator"


@pytest.mark.integration
async def test_no_linked_account_and_a_locked_account_get_the_same_refusal(sso: Sso) -> None:
    await sso.account(Role.COORDINATOR, "someone.else@nhs.net")
    unlinked = await sso.sign_in()
    assert unlinked.status_code == 401 and REFUSED in unlinked.text
    assert (await sso.console.get("/")).headers["location"] == "/sign-in"

    user = await sso.account(Role.COMMISSIONER, "jane.smith@nhs.net")
    assert await set_locked(sso.platform.settings.database_url.get_secret_value(), user, True)
    locked = await sso.sign_in()
    assert locked.status_code == 401 and REFUSED in locked.text
    assert (await sso.console.get("/")).headers["location"] == "/sign-in"
    assert _without_csrf(locked) == _without_csrf(unlinked)  # nothing tells the two apart

    assert await set_locked(sso.platform.settings.database_url.get_secret_value(), user, False)
    assert (await sso.sign_in()).headers["location"] == "/report"


@pytest.mark.integration
async def test_an_email_address_the_provider_has_not_verified_is_refused(sso: Sso) -> None:
    await sso.account(Role.COORDINATOR, "jane.smith@nhs.net")
    sso.provider.overrides = {"email_verified": False}
    refused = await sso.sign_in()
    assert refused.status_code == 401 and REFUSED in refused.text


@pytest.mark.integration
async def test_a_tampered_or_replayed_state_is_refused(sso: Sso) -> None:
    await sso.account(Role.COORDINATOR, "jane.smith@nhs.net")
    callback = urlsplit(await sso.provider_redirect())
    query = dict(parse_qsl(callback.query))
    tampered = urlunsplit(callback._replace(query=urlencode(query | {"state": query["state"][:-2] + "xx"})))
    refused = await sso.console.get(tampered)
    assert refused.status_code == 400 and "This sign-in has expired" in refused.text
    assert "Traceback" not in refused.text
    assert sso.provider.tokens_issued == 0  # the code was never exchanged
    assert (await sso.console.get("/")).headers["location"] == "/sign-in"

    good = await sso.provider_redirect()
    assert (await sso.console.get(good)).headers["location"] == "/coordinator"
    replayed = await sso.console.get(good)
    assert replayed.status_code == 400 and "This sign-in has expired" in replayed.text


@pytest.mark.integration
@pytest.mark.parametrize(
    "bad",
    [
        {"sign_with_other_key": True},
        {"nonce": "not-the-nonce-the-console-sent"},
        {"nonce": None},
        {"aud": "another-client"},
        {"aud": ["another-client"], "azp": CLIENT_ID},
        {"iss": "https://impostor.example"},
        {"exp": 1_000_000_000},
    ],
    ids=[
        "another-key",
        "wrong-nonce",
        "no-nonce",
        "wrong-audience",
        "wrong-audience-azp",
        "wrong-issuer",
        "expired",
    ],
)
async def test_an_id_token_that_does_not_verify_is_refused(
    sso: Sso, provider_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey], bad: dict[str, Any]
) -> None:
    await sso.account(Role.COORDINATOR, "jane.smith@nhs.net")
    bad = dict(bad)
    if bad.pop("sign_with_other_key", False):
        sso.provider.sign_with = provider_keys[1]
    sso.provider.overrides = bad
    refused = await sso.sign_in()
    assert refused.status_code == 401 and "Your sign-in could not be checked" in refused.text
    assert "Traceback" not in refused.text
    assert sso.provider.tokens_issued == 1  # refused after the exchange, on the token itself
    assert (await sso.console.get("/")).headers["location"] == "/sign-in"


@pytest.mark.integration
async def test_the_person_cancelling_at_the_provider_gets_a_clear_page(sso: Sso) -> None:
    await sso.account(Role.COORDINATOR, "jane.smith@nhs.net")
    sso.provider.deny = True
    cancelled = await sso.sign_in()
    assert cancelled.status_code == 401 and "Sign-in was cancelled" in cancelled.text
    assert 'href="/sign-in"' in cancelled.text
    assert (await sso.console.get("/")).headers["location"] == "/sign-in"


@pytest.mark.integration
async def test_an_unreachable_provider_gets_a_clear_page_and_passwords_still_work(
    console_keys: Keys, fresh_database_url: str
) -> None:
    settings = console_settings(
        console_keys,
        fresh_database_url,
        oidc_issuer=f"http://127.0.0.1:{free_port()}/realms/nhs",  # nothing listens there
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="s3cret",
    )
    async with running_console(settings, CONSOLE) as client:
        down = await client.get("/sign-in/sso")
        assert down.status_code == 502 and "The sign-in service is not available" in down.text
        platform = Platform(CONSOLE, settings)
        user = await platform.account(Role.COMMISSIONER)
        assert (await sign_in(client, user)).headers["location"] == "/report"


@pytest.mark.integration
async def test_the_operator_links_and_unlinks_identities(sso: Sso) -> None:
    user = await sso.account(Role.COORDINATOR, None)
    assert (await sso.sign_in()).status_code == 401

    assert (await sso.cli("link-sso", user, "Jane.Smith@nhs.net")).exit_code == 0
    assert (await sso.platform.stored_account(user)).sso_identity == "jane.smith@nhs.net"  # type: ignore[union-attr]
    assert (await sso.sign_in()).headers["location"] == "/coordinator"

    other = await sso.account(Role.COMMISSIONER, None)
    taken = await sso.cli("link-sso", other, "jane.smith@nhs.net")
    assert taken.exit_code == 2 and "already linked" in taken.output
    assert (await sso.cli("link-sso", "nobody-here", "x@nhs.net")).exit_code == 1
    assert (await sso.cli("link-sso", other, "two words")).exit_code == 2
    assert (await sso.platform.stored_account(other)).sso_identity is None  # type: ignore[union-attr]

    assert (await sso.cli("unlink-sso", user)).exit_code == 0
    assert (await sso.sign_in()).status_code == 401
