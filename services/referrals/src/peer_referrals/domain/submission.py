"""A referral as a feed read it (FHIR, HL7 v2 or CSV), before any rule is applied.

Feeds fill in what they found and say where they found it (`locations`), so a problem found by the rules
can be reported in the feed's own terms: a FHIRPath, an HL7 field, a CSV column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from peer_events.codes import Gender
from peer_events.events.referrals import ReferralSource
from peer_referrals.domain.conditions import ReasonCode


@dataclass(frozen=True)
class Submission:
    """Everything a feed can tell about a referral; a missing item is None or empty."""

    source: ReferralSource
    source_key: str | None
    """The feed's own identifier for this referral (UBRN, control id, row key): resending it is a no-op."""
    nhs_number: str | None = None
    given_names: tuple[str, ...] = ()
    family_name: str | None = None
    birth_date: date | None = None
    gender: Gender = Gender.NOT_KNOWN
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_contact: str | None = None
    referrer_ods_code: str | None = None
    requester: str | None = None
    authored_on: date | None = None
    reasons: tuple[ReasonCode, ...] = ()
    ubrn: str | None = None
    notes: str | None = None
    ethnic_category: str | None = None
    language: str | None = None
    preference_codes: tuple[str, ...] = ()
    locations: dict[str, str] = field(default_factory=dict)
    """Field name -> where the feed holds it; fields not listed are reported by their own name."""

    def where(self, name: str) -> str:
        """The feed's location of a field, for error reports."""
        return self.locations.get(name, name)
