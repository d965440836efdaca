"""Console accounts: who may sign in, as which role, and when repeated failures lock them out."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from peer_shared.auth.tokens import Role

MENTOR_ID = re.compile(r"^mnt_[0-9a-f]{32}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
CONSOLE_ROLES = (Role.COORDINATOR, Role.MENTOR, Role.COMMISSIONER)
SSO_IDENTITY_MAX = 320


class AccountError(ValueError):
    """An account that cannot be created as asked."""


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failed sign-ins in a row lock an account, and for how long (None: until unlocked)."""

    failures: int
    duration: timedelta | None


@dataclass(frozen=True)
class Account:
    """A person who signs in to the console. `account_id` (`usr_...`) is the subject of staff tokens."""

    account_id: str
    username: str
    display_name: str
    role: Role
    mentor_id: str | None
    password_hash: str
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None
    # The value of the single sign-on provider's account claim (e.g. an NHS mail address) that signs in
    # as this account; None: password only.
    sso_identity: str | None = None

    @property
    def api_subject(self) -> str:
        """Who the services see: a mentor acts as their mentor id, staff as their account id."""
        return self.mentor_id if self.role is Role.MENTOR and self.mentor_id else self.account_id

    def is_locked(self, now: datetime) -> bool:
        """Locked by an operator, or by failures until `locked_until` has passed."""
        return self.disabled or (self.locked_until is not None and now < self.locked_until)

    def after_failure(self, now: datetime, policy: LockoutPolicy) -> Account:
        """The account after a wrong password: the N-th failure in a row locks it."""
        failures = self.failed_attempts + 1
        if failures < policy.failures:
            return replace(self, failed_attempts=failures)
        if policy.duration is None:
            return replace(self, failed_attempts=failures, disabled=True)
        return replace(self, failed_attempts=failures, locked_until=now + policy.duration)

    def after_success(self) -> Account:
        """The account after a good sign-in: the failure count starts again."""
        return replace(self, failed_attempts=0, locked_until=None)


def sso_identity_of(value: str) -> str:
    """The stored form of a single sign-on identity: trimmed and lower-case (an email address or a
    provider's subject id is compared without regard to case). AccountError if it cannot be one."""
    identity = value.strip().lower()
    if not identity or len(identity) > SSO_IDENTITY_MAX or any(c.isspace() for c in identity):
        raise AccountError(f"sso identity: 1-{SSO_IDENTITY_MAX} characters without spaces")
    return identity


def new_account(
    username: str,
    display_name: str,
    role: Role,
    password_hash: str,
    mentor_id: str | None = None,
    sso_identity: str | None = None,
) -> Account:
    """A new account, checked: a mentor account must name its mentor id, other roles must not."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError("username: 3-64 characters, lower-case letters, digits and . _ @ -")
    if role not in CONSOLE_ROLES:
        raise AccountError(f"role: one of {', '.join(r.value for r in CONSOLE_ROLES)}")
    if role is Role.MENTOR:
        if mentor_id is None or not MENTOR_ID.fullmatch(mentor_id):
            raise AccountError("mentor id: a mentor account needs the mentor's id (mnt_ and 32 hex digits)")
    elif mentor_id is not None:
        raise AccountError("mentor id: only a mentor account is bound to a mentor")
    if not display_name.strip():
        raise AccountError("name: required")
    return Account(
        account_id=f"usr_{uuid.uuid4().hex}",
        username=username,
        display_name=display_name.strip(),
        role=role,
        mentor_id=mentor_id,
        password_hash=password_hash,
        sso_identity=sso_identity_of(sso_identity) if sso_identity is not None else None,
    )
