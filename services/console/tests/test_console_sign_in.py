"""Sign-in, lockout, CSRF and role refusals, over HTTP against the console (no browser needed)."""

from __future__ import annotations

import pytest

from peer_console.commands import add_account, set_locked
from peer_console.domain.accounts import AccountError
from peer_shared.auth.tokens import Role
from peer_testkit.console.platform import PASSWORD
from peer_testkit.console.platform import ConsoleAlone as Console
from peer_testkit.console.steps import csrf_of, sign_in

pytestmark = pytest.mark.integration
MENTOR_ID = "mnt_" + "a1" * 16


async def test_a_good_password_signs_in_with_a_safe_cookie(console_alone: Console) -> None:
    client, platform = console_alone
    user = await platform.account(Role.COMMISSIONER)
    response = await sign_in(client, user)
    assert response.status_code == 303 and response.headers["location"] == "/report"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    assert PASSWORD not in str(await platform.stored_account(user))  # only the argon2 hash is kept
    assert (await platform.stored_account(user)).password_hash.startswith("$argon2id$")  # type: ignore[union-attr]


async def test_repeated_failures_lock_the_account_until_the_operator_unlocks_it(
    console_alone: Console,
) -> None:
    client, platform = console_alone
    user = await platform.account(Role.COORDINATOR)
    for _ in range(platform.settings.lockout_failures):
        refused = await sign_in(client, user, "wrong password!!")
        assert refused.status_code == 401 and "Enter a correct username and password" in refused.text
    assert (await platform.stored_account(user)).disabled  # type: ignore[union-attr]
    locked = await sign_in(client, user)
    assert locked.status_code == 401
    assert (await client.get("/coordinator")).status_code == 303  # still not signed in

    assert await set_locked(platform.settings.database_url.get_secret_value(), user, False)
    assert (await sign_in(client, user)).headers["location"] == "/coordinator"
    assert (await platform.stored_account(user)).failed_attempts == 0  # type: ignore[union-attr]


async def test_an_unknown_user_is_refused_with_the_same_words(console_alone: Console) -> None:
    client, _ = console_alone
    refused = await sign_in(client, "nobody-here")
    assert refused.status_code == 401 and "Enter a correct username and password" in refused.text


async def test_forms_without_the_sessions_csrf_token_are_refused(console_alone: Console) -> None:
    client, platform = console_alone
    user = await platform.account(Role.COORDINATOR)
    no_token = await client.post("/sign-in", data={"username": user, "password": PASSWORD})
    assert no_token.status_code == 403 and "This form has expired" in no_token.text
    await client.get("/sign-in")
    wrong = await client.post("/sign-in", data={"username": user, "password": PASSWORD, "csrf_token": "x"})
    assert wrong.status_code == 403
    assert (await client.get("/coordinator")).status_code == 303  # neither signed in

    await sign_in(client, user)
    action = "/coordinator/concerns/sgc_1/acknowledge"
    refused = await client.post(action, data={"action": "monitoring", "csrf_token": "forged"})
    assert refused.status_code == 403 and "This form has expired" in refused.text


@pytest.mark.parametrize(
    ("role", "refused"),
    [
        (Role.COMMISSIONER, ["/coordinator", "/coordinator/referrals/ref_1", "/mentor", "/mentor/concern"]),
        (Role.MENTOR, ["/coordinator", "/coordinator/matches/mat_1", "/report", "/report.csv"]),
        (Role.COORDINATOR, ["/mentor", "/mentor/pairings/pai_1", "/mentor/concern"]),
    ],
)
async def test_each_role_is_refused_pages_outside_it(
    console_alone: Console, role: Role, refused: list[str]
) -> None:
    client, platform = console_alone
    user = await platform.account_in_role(role)
    await sign_in(client, user)
    for path in refused:
        page = await client.get(path)
        assert page.status_code == 403 and "You cannot open this page" in page.text, path


@pytest.mark.parametrize(
    ("role", "action"),
    [
        (Role.COMMISSIONER, "/coordinator/matches/mat_1/confirm"),
        (Role.MENTOR, "/coordinator/referrals/ref_1/accept"),
        (Role.COORDINATOR, "/mentor/concern"),
    ],
)
async def test_each_role_is_refused_actions_outside_it(
    console_alone: Console, role: Role, action: str
) -> None:
    client, platform = console_alone
    user = await platform.account_in_role(role)
    home = await client.get((await sign_in(client, user)).headers["location"])
    refused = await client.post(action, data={"csrf_token": csrf_of(home)})
    assert refused.status_code == 403 and "You cannot open this page" in refused.text


async def test_signed_out_visitors_are_sent_to_sign_in(console_alone: Console) -> None:
    client, _ = console_alone
    for path in ("/coordinator", "/mentor", "/report"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/sign-in?next={path}"


async def test_an_account_locked_by_the_operator_loses_its_open_session(console_alone: Console) -> None:
    client, platform = console_alone
    user = await platform.account(Role.COMMISSIONER)
    await sign_in(client, user)
    assert (await client.get("/report")).status_code != 303
    await set_locked(platform.settings.database_url.get_secret_value(), user, True)
    assert (await client.get("/report")).status_code == 303


async def test_bad_accounts_are_refused_and_nothing_is_stored(console_alone: Console) -> None:
    _, platform = console_alone
    url = platform.settings.database_url.get_secret_value()
    with pytest.raises(AccountError, match="mentor id"):
        await add_account(url, "mentor-one", "M", Role.MENTOR, PASSWORD)
    with pytest.raises(AccountError, match="only a mentor"):
        await add_account(url, "coord-one", "C", Role.COORDINATOR, PASSWORD, MENTOR_ID)
    with pytest.raises(AccountError, match="role"):
        await add_account(url, "ref-one", "R", Role.REFERRER, PASSWORD)
    with pytest.raises(ValueError, match="at least 12"):
        await add_account(url, "short-one", "S", Role.COMMISSIONER, "short")
    await add_account(url, "taken", "T", Role.COMMISSIONER, PASSWORD)
    with pytest.raises(AccountError, match="already"):
        await add_account(url, "TAKEN", "T", Role.COMMISSIONER, PASSWORD)
    for name in ("mentor-one", "coord-one", "ref-one", "short-one"):
        assert await platform.stored_account(name) is None
