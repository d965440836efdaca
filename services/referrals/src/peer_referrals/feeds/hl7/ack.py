"""HL7 v2 acknowledgements: `ACK^I12` (original mode), or `RRI^I12` when the sender asks (MSH-16 = AL).

MSA-1 is AA once the referral is durably stored; AR when the message itself is refused (unreadable, not a
REF^I12, from a facility we do not accept, too large); AE when its content breaks a referral rule. Each
problem gets an ERR segment: ERR-2 where, ERR-3 the HL7 error code, ERR-5 our own code, ERR-8 why.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from peer_referrals.domain.problems import Problem, ProblemCode
from peer_referrals.feeds.hl7.message import Header


class AckCode(StrEnum):
    """MSA-1, HL7 table 0008."""

    ACCEPT = "AA"
    ERROR = "AE"
    REJECT = "AR"


# HL7 table 0357 (message error condition codes).
_HL7_ERRORS = {
    ProblemCode.MALFORMED: ("100", "Segment sequence error"),
    ProblemCode.UNSUPPORTED: ("200", "Unsupported message type"),
    ProblemCode.TOO_LARGE: ("207", "Application internal error"),
    ProblemCode.NOT_AUTHORISED: ("207", "Application internal error"),
    ProblemCode.REQUIRED: ("101", "Required field missing"),
    ProblemCode.INVALID: ("102", "Data type error"),
    ProblemCode.NHS_NUMBER_INVALID: ("102", "Data type error"),
    ProblemCode.POSTCODE_INVALID: ("102", "Data type error"),
    ProblemCode.UNDER_AGE: ("207", "Application internal error"),
    ProblemCode.CONDITION_UNKNOWN: ("103", "Table value not found"),
    ProblemCode.CONDITION_NOT_SERVED: ("103", "Table value not found"),
    ProblemCode.UNAVAILABLE: ("207", "Application internal error"),
}
_REFUSED = frozenset(
    {ProblemCode.MALFORMED, ProblemCode.UNSUPPORTED, ProblemCode.TOO_LARGE, ProblemCode.NOT_AUTHORISED}
)


def ack_code_for(problems: Sequence[Problem]) -> AckCode:
    """AR if the message as a whole is refused, AE if only its content is wrong."""
    return AckCode.REJECT if any(p.code in _REFUSED for p in problems) else AckCode.ERROR


def acknowledgement(
    header: Header | None,
    code: AckCode,
    *,
    now: datetime,
    application: str,
    facility: str,
    problems: Sequence[Problem] = (),
    referral_id: str | None = None,
) -> str:
    """The acknowledgement text (segments ending in `\\r`) for a message with this header."""
    wants_response = header is not None and header.application_ack_type.upper() == "AL"
    kind = "RRI^I12^RRI_I12" if wants_response else "ACK^I12^ACK"
    their = header or Header("", "", "", "", "", "", "", "P", "2.5", "")
    fields = [
        "MSH",
        "^~\\&",
        _escape(application),
        _escape(facility),
        _escape(their.sending_application),
        _escape(their.sending_facility),
        now.strftime("%Y%m%d%H%M%S+0000"),
        "",
        kind,
        uuid.uuid4().hex[:20],
        _escape(their.processing_id or "P"),
        _escape(their.version or "2.5"),
    ]
    segments = ["|".join(fields), f"MSA|{code.value}|{_escape(their.control_id)}"]
    segments += [_err(problem) for problem in problems]
    if wants_response and referral_id is not None:
        # RF1-11 (external referral identifier): our id for the referral.
        rf1 = ["RF1", "A^Accepted^HL70283", *[""] * 9, f"{referral_id}^{_escape(application)}"]
        segments.append("|".join(rf1))
    return "\r".join(segments) + "\r"


def _err(problem: Problem) -> str:
    number, text = _HL7_ERRORS[problem.code]
    return "|".join(
        [
            "ERR",
            "",
            _location(problem.location),
            f"{number}^{text}^HL70357",
            "E",
            f"{problem.code.value}^{_escape(problem.code.value)}^PEER",
            "",
            "",
            _escape(problem.message),
        ]
    )


def _location(location: str) -> str:
    """`PID-11.5` as an ERL: `PID^1^11^1^5`."""
    segment, _, position = location.partition("-")
    if not position:
        return segment
    field, _, component = position.partition(".")
    return f"{segment}^1^{field}" + (f"^1^{component}" if component else "")


def _escape(text: str) -> str:
    """HL7 escape sequences for the delimiters, so free text cannot break the message's structure."""
    return (
        text.replace("\\", "\\E\\")
        .replace("|", "\\F\\")
        .replace("^", "\\S\\")
        .replace("&", "\\T\\")
        .replace("~", "\\R\\")
        .replace("\r", " ")
        .replace("\n", " ")
    )
