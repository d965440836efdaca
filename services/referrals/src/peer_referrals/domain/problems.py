"""Problems found in an incoming referral, each naming the field and where the feed put it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProblemCode(StrEnum):
    """A machine-readable reason a referral was refused; feeds map it to their own error vocabulary."""

    MALFORMED = "malformed"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too-large"
    REQUIRED = "required"
    INVALID = "invalid"
    NHS_NUMBER_INVALID = "nhs-number-invalid"
    POSTCODE_INVALID = "postcode-invalid"
    UNDER_AGE = "under-age"
    CONDITION_UNKNOWN = "condition-unknown"
    CONDITION_NOT_SERVED = "condition-not-served"
    NOT_AUTHORISED = "not-authorised"
    UNAVAILABLE = "unavailable"
    """Not the input's fault: the service could not store it just now; sending it again is safe."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: what, where (a FHIRPath, an HL7 field, a CSV column) and why."""

    code: ProblemCode
    location: str
    message: str


class InvalidReferral(Exception):
    """An input that cannot become a referral; it carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("an invalid referral has at least one problem")
        super().__init__("; ".join(f"{p.location}: {p.message}" for p in problems))
        self.problems = problems
