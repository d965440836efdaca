"""Reading an HL7 v2 referral (`REF^I12`: MSH, RF1, PRD, PID, DG1, NTE) into a feed-neutral submission.

Problems are located by HL7 position (`PID-3`, `DG1-3`), which the acknowledgement's ERR-2 repeats.
"""

from __future__ import annotations

from datetime import date

from peer_events.codes import Gender
from peer_events.events.referrals import ReferralSource
from peer_referrals.domain.conditions import CodeSystem, ReasonCode
from peer_referrals.domain.problems import InvalidReferral, Problem, ProblemCode
from peer_referrals.domain.submission import Submission
from peer_referrals.feeds.hl7.message import Header, Hl7Message

REQUIRED_SEGMENTS = ("RF1", "PRD", "PID", "DG1")
# DG1-3.3 coding systems: HL7 table 0396 names, and what NHS senders use in practice.
CODING_SYSTEMS = {
    "SCT": CodeSystem.SNOMED_CT,
    "SNOMEDCT": CodeSystem.SNOMED_CT,
    "SNM": CodeSystem.SNOMED_CT,
    "I10": CodeSystem.ICD10,
    "ICD10": CodeSystem.ICD10,
    "I10C": CodeSystem.ICD10,
}
NHS_NUMBER_AUTHORITIES = ("NHS", "NH")
_GENDERS = {"M": Gender.MALE, "F": Gender.FEMALE, "O": Gender.OTHER, "A": Gender.OTHER}
LOCATIONS = {
    "nhs_number": "PID-3",
    "family_name": "PID-5",
    "birth_date": "PID-7",
    "postcode": "PID-11.5",
    "phone": "PID-13",
    "email": "PID-13.4",
    "referrer_ods_code": "PRD-7",
    "authored_on": "RF1-7",
    "reasons": "DG1-3",
    "ethnic_category": "PID-22",
    "language": "PID-15",
}


def check_message_type(header: Header) -> None:
    """Refuse anything but a referral request (`REF^I12`)."""
    if (header.message_code, header.trigger_event) != ("REF", "I12"):
        found = f"{header.message_code}^{header.trigger_event}"
        raise InvalidReferral([Problem(ProblemCode.UNSUPPORTED, "MSH-9", f"expected REF^I12, got {found}")])


def read_referral(message: Hl7Message, header: Header) -> Submission:
    """The referral in a REF^I12 message; `InvalidReferral` if a required segment is missing."""
    missing = [name for name in REQUIRED_SEGMENTS if not message.has(name)]
    if missing:
        problems = [
            Problem(ProblemCode.MALFORMED, name, f"the {name} segment is missing") for name in missing
        ]
        raise InvalidReferral(problems)
    pid = message.segments("PID")[0]
    rf1 = message.segments("RF1")[0]
    referring = next(
        (p for p in message.segments("PRD") if message.value(p, 1).upper().startswith("RP")),
        message.segments("PRD")[0],
    )
    bad_dates: list[Problem] = []
    birth_date = _date(message.value(pid, 7), "PID-7", bad_dates)
    authored_on = _date(message.value(rf1, 7), "RF1-7", bad_dates)
    if bad_dates:
        raise InvalidReferral(bad_dates)
    phone, email = _telecom(message, pid)
    requester = " ".join(filter(None, [message.value(referring, 2, 2), message.value(referring, 2, 1)]))
    return Submission(
        source=ReferralSource.HL7V2,
        source_key=f"{header.sending_facility}|{header.control_id}",
        nhs_number=_nhs_number(message, pid),
        given_names=tuple(filter(None, [message.value(pid, 5, 2), message.value(pid, 5, 3)])),
        family_name=message.value(pid, 5, 1) or None,
        birth_date=birth_date,
        gender=_GENDERS.get(message.value(pid, 8).upper(), Gender.NOT_KNOWN),
        address_lines=tuple(filter(None, [message.value(pid, 11, n) for n in (1, 2, 3)])),
        postcode=message.value(pid, 11, 5) or None,
        phone=phone,
        email=email,
        referrer_ods_code=message.value(referring, 7, 1) or None,
        requester=requester or None,
        authored_on=authored_on,
        reasons=tuple(
            ReasonCode(CODING_SYSTEMS[message.value(dg1, 3, 3).upper()], message.value(dg1, 3, 1))
            for dg1 in message.segments("DG1")
            if message.value(dg1, 3, 3).upper() in CODING_SYSTEMS and message.value(dg1, 3, 1)
        ),
        ubrn=_ubrn(message, rf1),
        notes="\n".join(filter(None, (message.value(nte, 3) for nte in message.segments("NTE")))) or None,
        ethnic_category=message.value(pid, 22) or None,
        language=message.value(pid, 15) or None,
        locations=LOCATIONS,
    )


def _nhs_number(message: Hl7Message, pid: object) -> str | None:
    for identifier in message.field(pid, 3):
        parts = identifier + [""] * 5
        if parts[3].upper() in NHS_NUMBER_AUTHORITIES or parts[4].upper() in NHS_NUMBER_AUTHORITIES:
            return parts[0] or None
    return None


def _ubrn(message: Hl7Message, rf1: object) -> str | None:
    # RF1-6 (originating referral identifier) carries the e-RS UBRN when its namespace says so.
    if message.value(rf1, 6, 2).upper() == "UBRN":
        return message.value(rf1, 6, 1) or None
    return None


def _telecom(message: Hl7Message, pid: object) -> tuple[str | None, str | None]:
    phone = email = None
    for item in message.field(pid, 13):
        parts = item + [""] * 12
        if parts[2].lower() == "internet" or "@" in parts[3]:
            email = email or parts[3] or None
        else:
            phone = phone or parts[0] or parts[11] or parts[6] or None
    return phone, email


def _date(text: str, location: str, problems: list[Problem]) -> date | None:
    """An HL7 date (`YYYYMMDD`, perhaps followed by a time); empty is None."""
    if not text:
        return None
    digits = text[:8]
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        problems.append(Problem(ProblemCode.INVALID, location, f"{text!r} is not a date (YYYYMMDD)"))
        return None
