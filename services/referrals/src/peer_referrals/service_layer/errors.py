"""Errors the use cases raise, which the HTTP layer turns into 404 and 409 answers."""

from __future__ import annotations


class ReferralNotFound(LookupError):
    """No referral has this id (or the caller may not know that it exists)."""

    def __init__(self, referral_id: str) -> None:
        super().__init__(f"no referral {referral_id}")
        self.referral_id = referral_id


class PersonErased(LookupError):
    """The person's identifiable details were erased: only the pseudonymous record remains."""

    def __init__(self, referral_id: str) -> None:
        super().__init__(f"the identifiable details of referral {referral_id} were erased")
        self.referral_id = referral_id
