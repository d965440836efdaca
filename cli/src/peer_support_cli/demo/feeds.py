"""A referral as a GP practice's clinical system sends it without FHIR: an HL7 v2 `REF^I12` message, or a
row of the CSV batch export (pure functions, no I/O)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from peer_support_cli.demo.fhir_documents import REASONS, stable_uuid, ubrn
from peer_support_cli.demo.steps import Referral


def hl7_message(referral: Referral, sent_at: datetime) -> bytes:
    """A `REF^I12` from the practice's clinical system; segments end with a carriage return."""
    p, (ods, _, clinician) = referral.person, referral.practice
    reason = REASONS[referral.condition]
    family, given = clinician.removeprefix("Dr ").split()[-1], clinician.removeprefix("Dr ").split()[0]
    control_id = stable_uuid(referral, "hl7").replace("-", "")[:20]
    segments = [
        f"MSH|^~\\&|EMIS-WEB|{ods}|PEER-REFERRALS|PEER-SUPPORT|{sent_at:%Y%m%d%H%M%S}||REF^I12^REF_I12|"
        f"{control_id}|P|2.5|||AL||GBR|UNICODE UTF-8",
        f"RF1|P^Pending^HL70283|R^Routine^HL70280|PEER^Peer support^L|GRF^General referral^HL70282||"
        f"{ubrn(referral)}^UBRN|{_hl7_date(referral.authored_on)}",
        f"PRD|RP^Referring provider^HL70286|{family}^{given}^^^Dr|||||{ods}^^^ODS",
        "|".join(
            [
                "PID|1|",
                f"{p.nhs_number}^^^NHS^NH",
                "",
                f"{p.family}^{p.given}",
                "",
                _hl7_date(p.birth_date),
                f"{p.gender[0].upper()}||",
                f"{p.address_line}^^Leeds^^{p.postcode}^GBR^H",
                "",
                f"{p.phone}^PRN^CP~^NET^Internet^{p.email}",
                "",
                f"{p.language or 'en'}|||||||{p.ethnic_category}",
            ]
        ),
        f"DG1|1||{reason.icd10}^{reason.icd10_display}^I10|||F",
        f"NTE|1|P|{reason.note}",
    ]
    return "\r".join(segments).encode() + b"\r"


def _hl7_date(day: date) -> str:
    return f"{day:%Y%m%d}"


CSV_COLUMNS = (
    "row_key",
    "nhs_number",
    "given_names",
    "family_name",
    "birth_date",
    "gender",
    "address_line_1",
    "town",
    "postcode",
    "phone",
    "email",
    "preferred_contact",
    "referrer_ods_code",
    "referrer_name",
    "referral_date",
    "reason_code",
    "reason_system",
    "ethnic_category",
    "language",
    "preferences",
    "notes",
)


def csv_file(referrals: list[Referral]) -> str:
    """A GP practice export in the CSV import's documented columns (UK date order, as exports use)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in referrals:
        p, reason = r.person, REASONS[r.condition]
        writer.writerow(
            [
                f"{r.practice[0]}-{ubrn(r)[-6:]}",
                p.nhs_number,
                p.given,
                p.family,
                f"{p.birth_date:%d/%m/%Y}",
                p.gender,
                p.address_line,
                "Leeds",
                p.postcode,
                p.phone,
                p.email,
                "phone",
                r.practice[0],
                r.practice[2],
                r.authored_on.isoformat(),
                reason.snomed,
                "snomed",
                p.ethnic_category,
                p.language or "",
                ";".join(r.preferences),
                reason.note,
            ]
        )
    return out.getvalue()
