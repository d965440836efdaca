"""Bearer tokens: issuing, verifying, and each reason a token is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from peer_shared.auth import (
    MAX_TOKEN_TTL,
    AuthenticationError,
    AuthFailure,
    Principal,
    RevocationList,
    Role,
    TokenVerifier,
    generate_keypair,
    issue_token,
    load_private_key,
    load_public_key,
    tokens,
)
from peer_shared.clock import FixedClock

ISSUER = "peer-support-operator"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def revocations() -> RevocationList:
    return RevocationList()


@pytest.fixture
def verifier(key: Ed25519PrivateKey, clock: FixedClock, revocations: RevocationList) -> TokenVerifier:
    return TokenVerifier({ISSUER: key.public_key()}, revocations, clock)


def _issue(key: Ed25519PrivateKey, clock: FixedClock, **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "issuer": ISSUER,
        "role": Role.COORDINATOR,
        "subject": "coordinator.jones",
        "ttl": timedelta(hours=8),
        "clock": clock,
    }
    return issue_token(key, **(arguments | overrides))


def _sign(key: Ed25519PrivateKey, claims: dict[str, Any]) -> str:
    """Sign arbitrary claims with the trusted key, as a buggy or future issuer might."""
    now = int(START.timestamp())
    base = {"iss": ISSUER, "sub": "x", "role": "mentor", "iat": now, "exp": now + 600, "jti": "j-1"}
    return jwt.encode({k: v for k, v in (base | claims).items() if v is not None}, key, algorithm="EdDSA")


def _reason(verifier: TokenVerifier, token: str) -> AuthFailure:
    with pytest.raises(AuthenticationError) as caught:
        verifier.verify(token)
    return caught.value.reason


def test_round_trip_gives_the_principal(
    key: Ed25519PrivateKey, clock: FixedClock, verifier: TokenVerifier
) -> None:
    principal = verifier.verify(_issue(key, clock, role=Role.MENTOR, subject="M-0042"))

    assert principal == Principal(
        role=Role.MENTOR,
        subject="M-0042",
        issuer=ISSUER,
        token_id=principal.token_id,
        expires_at=START + timedelta(hours=8),
    )
    assert len(principal.token_id) == 36


def test_keys_load_from_files(tmp_path: Path, clock: FixedClock) -> None:
    private_pem, public_pem = generate_keypair()
    (tmp_path / "operator.pem").write_text(private_pem)
    (tmp_path / "operator.pub").write_text(public_pem)
    token = issue_token(
        load_private_key(tmp_path / "operator.pem"),
        issuer=ISSUER,
        role=Role.REFERRER,
        subject="A81001",
        ttl=timedelta(minutes=5),
        clock=clock,
    )
    verifier = TokenVerifier(
        {ISSUER: load_public_key(str(tmp_path / "operator.pub"))}, RevocationList(), clock
    )

    assert verifier.verify(token).subject == "A81001"


def test_loading_a_key_of_another_type_fails() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    public_pem = p256.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="expected an Ed25519 public key"):
        load_public_key(public_pem)


def test_expiry_follows_the_injected_clock(
    key: Ed25519PrivateKey, clock: FixedClock, verifier: TokenVerifier
) -> None:
    token = _issue(key, clock, ttl=timedelta(hours=1))
    clock.advance(timedelta(hours=1))
    assert verifier.verify(token).role is Role.COORDINATOR  # within the leeway

    clock.advance(timedelta(minutes=1))
    with pytest.raises(AuthenticationError, match="token expired at 2025-03-03T10:00:00Z") as caught:
        verifier.verify(token)
    assert caught.value.reason is AuthFailure.EXPIRED


def test_a_token_from_the_future_is_not_yet_valid(
    key: Ed25519PrivateKey, clock: FixedClock, verifier: TokenVerifier
) -> None:
    token = _issue(key, FixedClock(START + timedelta(minutes=5)))
    assert _reason(verifier, token) is AuthFailure.NOT_YET_VALID
    assert _reason(verifier, _sign(key, {"nbf": int(START.timestamp()) + 300})) is AuthFailure.NOT_YET_VALID

    clock.advance(timedelta(minutes=5))
    assert verifier.verify(token).subject == "coordinator.jones"


def test_a_signature_by_another_key_is_refused(clock: FixedClock, verifier: TokenVerifier) -> None:
    impostor = Ed25519PrivateKey.generate()
    assert _reason(verifier, _issue(impostor, clock)) is AuthFailure.BAD_SIGNATURE


def test_a_tampered_token_is_refused(
    key: Ed25519PrivateKey, clock: FixedClock, verifier: TokenVerifier
) -> None:
    header, payload, signature = _issue(key, clock, role=Role.MENTOR).split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"mentor"', b'"coordinator"')
    ).decode()
    assert _reason(verifier, f"{header}.{forged}.{signature}") is AuthFailure.BAD_SIGNATURE


def test_an_unknown_issuer_is_refused(key: Ed25519PrivateKey, clock: FixedClock) -> None:
    verifier = TokenVerifier({"peer-support-console": key.public_key()}, RevocationList(), clock)
    with pytest.raises(AuthenticationError, match="'peer-support-operator' is not trusted") as caught:
        verifier.verify(_issue(key, clock))
    assert caught.value.reason is AuthFailure.UNKNOWN_ISSUER


def test_several_issuers_are_trusted_each_with_its_own_key(clock: FixedClock) -> None:
    operator, console = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    verifier = TokenVerifier(
        {ISSUER: operator.public_key(), "peer-support-console": console.public_key()}, RevocationList(), clock
    )
    assert (
        verifier.verify(_issue(console, clock, issuer="peer-support-console")).issuer
        == "peer-support-console"
    )
    # The console's key cannot speak for the operator.
    assert _reason(verifier, _issue(console, clock)) is AuthFailure.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"role": None}, AuthFailure.BAD_ROLE),
        ({"role": "superuser"}, AuthFailure.BAD_ROLE),
        ({"role": ["coordinator"]}, AuthFailure.BAD_ROLE),
        ({"aud": "someone-else"}, AuthFailure.WRONG_AUDIENCE),
        ({"jti": None}, AuthFailure.MALFORMED),
        ({"sub": ""}, AuthFailure.MALFORMED),
        ({"exp": "tomorrow"}, AuthFailure.MALFORMED),
        ({"iat": None}, AuthFailure.MALFORMED),
        ({"iss": None}, AuthFailure.UNKNOWN_ISSUER),
        ({"exp": int(START.timestamp()) + int(MAX_TOKEN_TTL.total_seconds()) + 60}, AuthFailure.MALFORMED),
    ],
)
def test_bad_claims_are_refused(
    key: Ed25519PrivateKey, verifier: TokenVerifier, claims: dict[str, Any], reason: AuthFailure
) -> None:
    assert _reason(verifier, _sign(key, claims)) is reason


def test_audience_may_be_absent_or_a_list(key: Ed25519PrivateKey, verifier: TokenVerifier) -> None:
    assert verifier.verify(_sign(key, {})).role is Role.MENTOR
    assert verifier.verify(_sign(key, {"aud": ["other", "peer-support"]})).role is Role.MENTOR


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.bm90IGpzb24."])
def test_garbage_is_malformed(verifier: TokenVerifier, token: str) -> None:
    assert _reason(verifier, token) is AuthFailure.MALFORMED


def test_an_unsigned_token_naming_a_trusted_issuer_is_refused(verifier: TokenVerifier) -> None:
    unsigned = jwt.encode({"iss": ISSUER, "sub": "x", "role": "coordinator"}, None, algorithm="none")
    assert _reason(verifier, unsigned) is AuthFailure.MALFORMED


def test_a_revoked_token_is_refused(
    key: Ed25519PrivateKey, clock: FixedClock, verifier: TokenVerifier, revocations: RevocationList
) -> None:
    token = _issue(key, clock)
    revocations.add(verifier.verify(token).token_id)

    assert _reason(verifier, token) is AuthFailure.REVOKED
    assert verifier.verify(_issue(key, clock)).subject == "coordinator.jones"


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(seconds=-1), MAX_TOKEN_TTL + timedelta(seconds=1)])
def test_issuing_refuses_lifetimes_outside_the_bounds(
    key: Ed25519PrivateKey, clock: FixedClock, ttl: timedelta
) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        _issue(key, clock, ttl=ttl)


def test_a_good_signature_is_checked_once_per_token_and_the_oldest_is_forgotten(
    key: Ed25519PrivateKey, clock: FixedClock, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    signed_claims = TokenVerifier._signed_claims

    def counting(self: TokenVerifier, token: str) -> dict[str, Any]:
        checked.append(token)
        return signed_claims(self, token)

    monkeypatch.setattr(TokenVerifier, "_signed_claims", counting)
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS_KEPT", 2)
    first, second, third = (_issue(key, clock, subject=f"M-{n}") for n in range(3))
    impostor = _issue(Ed25519PrivateKey.generate(), clock)

    for token in (first, first, second, first):
        verifier.verify(token)
    for _ in range(2):
        assert _reason(verifier, impostor) is AuthFailure.BAD_SIGNATURE
    assert checked == [first, second, impostor, impostor]  # a bad signature is never remembered

    verifier.verify(third)  # a third good token: `second` was the least recently used
    verifier.verify(first)
    verifier.verify(second)
    assert checked[4:] == [third, second]
