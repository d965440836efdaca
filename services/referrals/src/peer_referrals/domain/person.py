"""The person referred: identity and contact details that never leave the referrals service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from peer_events.codes import Gender


class ContactMethod(StrEnum):
    """How the person prefers to be contacted."""

    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"


@dataclass(frozen=True)
class PersonDetails:
    """Identifiable data about the referred person, held only in this service's database."""

    nhs_number: str
    given_names: tuple[str, ...]
    family_name: str
    birth_date: date
    gender: Gender
    address_lines: tuple[str, ...]
    postcode: str
    phone: str | None
    email: str | None
    preferred_contact: ContactMethod
    ubrn: str | None = None
    notes: str | None = None

    @property
    def display_name(self) -> str:
        """The name as a mentor would say it: given names, then family name."""
        return " ".join([*self.given_names, self.family_name])


def default_contact_method(phone: str | None, email: str | None) -> ContactMethod:
    """Phone if there is a number, else email, else a letter to the address."""
    if phone:
        return ContactMethod.PHONE
    return ContactMethod.EMAIL if email else ContactMethod.LETTER
