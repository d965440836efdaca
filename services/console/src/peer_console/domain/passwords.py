"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Checked when the user name is unknown, so a wrong name takes as long as a wrong password.
_DECOY = _hasher.hash("not a real password")
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """An argon2id hash of `password`; refuses passwords shorter than MIN_LENGTH."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password: at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches the hash; with no hash, spend the same time and say no."""
    try:
        return _hasher.verify(password_hash or _DECOY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
