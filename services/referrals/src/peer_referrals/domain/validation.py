"""Where a referral is validated: the rules every feed's input must pass before it is stored.

All problems are collected, not just the first, so a referrer can fix a referral in one go.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from nhs_number.validate import is_valid as nhs_number_is_valid

from peer_events.codes import AgeBand, EthnicCategory
from peer_events.events.referrals import MenteePreferences, ReferralSource
from peer_referrals.domain.age import age_band, age_on
from peer_referrals.domain.conditions import ConditionRouting, Route, condition_for
from peer_referrals.domain.person import ContactMethod, PersonDetails, default_contact_method
from peer_referrals.domain.postcode import parse_postcode
from peer_referrals.domain.preferences import PreferenceError, parse_preferences
from peer_referrals.domain.problems import InvalidReferral, Problem, ProblemCode
from peer_referrals.domain.submission import Submission

_ODS = re.compile(r"^(?=.*[A-Z])[A-Z0-9]{3,10}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

_Report = Callable[[ProblemCode, str, str], None]
"""Records a problem: its code, the field's name, and a message."""


@dataclass(frozen=True)
class ReferralPolicy:
    """The deployment's rules: where conditions go and how old a person must be."""

    routing: ConditionRouting
    minimum_age: int = 18


@dataclass(frozen=True)
class ValidReferral:
    """A referral that passed every rule: the person's details and the pseudonymous facts."""

    source: ReferralSource
    source_key: str | None
    person: PersonDetails
    route: Route
    age_band: AgeBand
    postcode_district: str
    referrer_ods_code: str
    requester: str | None
    authored_on: date | None
    ethnic_category: EthnicCategory | None
    preferred_language: str | None
    preferences: MenteePreferences


def validate(submission: Submission, policy: ReferralPolicy, today: date) -> ValidReferral:
    """Apply the referral rules; raise `InvalidReferral` listing every problem found."""
    s = submission
    problems: list[Problem] = []

    def problem(code: ProblemCode, name: str, message: str) -> None:
        problems.append(Problem(code, s.where(name), message))

    nhs = _nhs_number(s, problem)
    family_name = (s.family_name or "").strip()
    if not family_name:
        problem(ProblemCode.REQUIRED, "family_name", "the person's family name is required")
    postcode = parse_postcode(s.postcode) if s.postcode else None
    if not s.postcode:
        problem(ProblemCode.REQUIRED, "postcode", "the person's postcode is required")
    elif postcode is None:
        problem(ProblemCode.POSTCODE_INVALID, "postcode", f"{s.postcode!r} is not a valid UK postcode")
    band = _age_band(s, policy, today, problem)
    route = _route(s, policy, problem)
    ods = (s.referrer_ods_code or "").strip().upper()
    if not ods:
        problem(ProblemCode.REQUIRED, "referrer_ods_code", "the referrer's ODS code is required")
    elif not _ODS.match(ods):
        problem(ProblemCode.INVALID, "referrer_ods_code", f"{ods!r} is not an ODS organisation code")
    if s.authored_on is not None and s.authored_on > today:
        problem(ProblemCode.INVALID, "authored_on", "the referral date is in the future")
    if s.phone and not valid_phone(s.phone):
        problem(ProblemCode.INVALID, "phone", "the phone number has characters a phone number cannot have")
    if s.email and not valid_email(s.email):
        problem(ProblemCode.INVALID, "email", "the email address is not of the form name@domain")
    contact = _contact_method(s, problem)
    ethnic = _ethnic_category(s, problem)
    language = _language(s, problem)
    preferences = MenteePreferences()
    try:
        preferences = parse_preferences(s.preference_codes)
    except PreferenceError as exc:
        problem(ProblemCode.INVALID, "preferences", str(exc))
    if problems:
        raise InvalidReferral(problems)
    assert nhs and postcode and band and route and s.birth_date  # every None above added a problem
    person = PersonDetails(
        nhs_number=nhs,
        given_names=tuple(n.strip() for n in s.given_names if n.strip()),
        family_name=family_name,
        birth_date=s.birth_date,
        gender=s.gender,
        address_lines=tuple(line.strip() for line in s.address_lines if line.strip()),
        postcode=postcode.full,
        phone=s.phone.strip() if s.phone else None,
        email=s.email.strip() if s.email else None,
        preferred_contact=contact or default_contact_method(s.phone, s.email),
        ubrn=s.ubrn,
        notes=s.notes,
    )
    return ValidReferral(
        source=s.source,
        source_key=s.source_key,
        person=person,
        route=route,
        age_band=band,
        postcode_district=postcode.district,
        referrer_ods_code=ods,
        requester=s.requester,
        authored_on=s.authored_on,
        ethnic_category=ethnic,
        preferred_language=language if language != "en" else None,
        preferences=preferences,
    )


def valid_phone(text: str) -> bool:
    """Whether `text` looks like a phone number (digits, spaces, brackets, dashes, a leading +)."""
    return bool(_PHONE.match(text.strip()))


def valid_email(text: str) -> bool:
    """Whether `text` is of the form name@domain."""
    return bool(_EMAIL.match(text.strip()))


def _nhs_number(s: Submission, problem: _Report) -> str | None:
    if not s.nhs_number or not s.nhs_number.strip():
        problem(ProblemCode.REQUIRED, "nhs_number", "the person's NHS number is required")
        return None
    compact = re.sub(r"[\s-]", "", s.nhs_number)
    if not (compact.isdigit() and len(compact) == 10 and nhs_number_is_valid(compact)):
        problem(ProblemCode.NHS_NUMBER_INVALID, "nhs_number", "the NHS number fails the Modulus 11 check")
        return None
    return compact


def _age_band(s: Submission, policy: ReferralPolicy, today: date, problem: _Report) -> AgeBand | None:
    if s.birth_date is None:
        problem(ProblemCode.REQUIRED, "birth_date", "the person's date of birth is required")
        return None
    if s.birth_date > today:
        problem(ProblemCode.INVALID, "birth_date", "the date of birth is in the future")
        return None
    age = age_on(s.birth_date, min(s.authored_on or today, today))
    if age < policy.minimum_age:
        problem(ProblemCode.UNDER_AGE, "birth_date", f"the person must be {policy.minimum_age} or over")
        return None
    return age_band(age)


def _route(s: Submission, policy: ReferralPolicy, problem: _Report) -> Route | None:
    if not s.reasons:
        problem(ProblemCode.REQUIRED, "reasons", "a coded reason (SNOMED CT or ICD-10) is required")
        return None
    known = [c for c in (condition_for(r) for r in s.reasons) if c is not None]
    if not known:
        codes = ", ".join(f"{r.system.value} {r.code}" for r in s.reasons)
        problem(ProblemCode.CONDITION_UNKNOWN, "reasons", f"no known condition for reason {codes}")
        return None
    for condition in known:
        route = policy.routing.route(condition)
        if route is not None:
            return route
    names = ", ".join(c.title for c in known)
    problem(ProblemCode.CONDITION_NOT_SERVED, "reasons", f"this service takes no referrals for {names}")
    return None


def _contact_method(s: Submission, problem: _Report) -> ContactMethod | None:
    if not s.preferred_contact:
        return None
    try:
        method = ContactMethod(s.preferred_contact.strip().lower())
    except ValueError:
        options = ", ".join(ContactMethod)
        problem(ProblemCode.INVALID, "preferred_contact", f"preferred contact must be one of {options}")
        return None
    needs = {ContactMethod.PHONE: s.phone, ContactMethod.SMS: s.phone, ContactMethod.EMAIL: s.email}
    if method in needs and not needs[method]:
        problem(ProblemCode.INVALID, "preferred_contact", f"preferred contact is {method} but none is given")
    return method


def _ethnic_category(s: Submission, problem: _Report) -> EthnicCategory | None:
    if not s.ethnic_category:
        return None
    try:
        return EthnicCategory(s.ethnic_category.strip().upper())
    except ValueError:
        problem(ProblemCode.INVALID, "ethnic_category", "not an NHS Data Dictionary ethnic category code")
        return None


def _language(s: Submission, problem: _Report) -> str | None:
    if not s.language:
        return None
    primary = s.language.strip().lower().split("-")[0]
    if not _LANGUAGE.match(primary):
        problem(ProblemCode.INVALID, "language", f"{s.language!r} is not an ISO 639 language code")
        return None
    return primary
