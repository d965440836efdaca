"""The CSV batch import's column specification (a GP practice export), and its downloadable template.

Dates are `YYYY-MM-DD` (`DD/MM/YYYY` is also read, as UK exports use it). Every column not marked required
may be left blank. A header naming an unknown column is refused, so a misspelt column is not silently lost.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of the import file."""

    name: str
    required: bool
    description: str
    example: str


COLUMNS = (
    Column("row_key", False, "Your unique reference for the referral (blank: the row's content)", "HMP-0042"),
    Column(
        "nhs_number",
        True,
        "10-digit NHS number (spaces allowed), passing Modulus 11",
        "943 476 5919",
    ),
    Column("given_names", False, "Given names, separated by spaces", "Samina Noor"),
    Column("family_name", True, "Family name", "Akhtar"),
    Column("birth_date", True, "Date of birth; the person must be 18 or over at referral", "1961-04-12"),
    Column("gender", False, "male, female, other or unknown (M, F, O, U)", "female"),
    Column("address_line_1", False, "First line of the address", "14 Harehills Lane"),
    Column("address_line_2", False, "Second line of the address", ""),
    Column("town", False, "Town or city", "Leeds"),
    Column("postcode", True, "A valid UK postcode", "LS8 5HX"),
    Column("phone", False, "Phone number", "07700 900123"),
    Column("email", False, "Email address", "samina.akhtar@example.com"),
    Column(
        "preferred_contact",
        False,
        "phone, sms, email or letter (blank: phone, else email, else letter)",
        "phone",
    ),
    Column("referrer_ods_code", True, "ODS code of the referring organisation", "B86001"),
    Column("referrer_name", False, "Name of the referring clinician", "Dr Chidi Okafor"),
    Column("referral_date", False, "Date of the referral (not in the future)", "2026-11-02"),
    Column("reason_code", True, "Reason: SNOMED CT concept id or ICD-10 code", "44054006"),
    Column("reason_system", False, "snomed or icd-10 (blank: snomed if the code is all digits)", "snomed"),
    Column("ethnic_category", False, "NHS Data Dictionary ethnic category code (A-Z)", "J"),
    Column("language", False, "Main language, ISO 639 code", "pa"),
    Column("preferences", False, "Preferences as kind:value codes separated by ';'", "mentor-gender:female"),
    Column("ubrn", False, "e-Referral Service UBRN, if any", "000012345678"),
    Column("notes", False, "Free-text notes for the coordinator", "Prefers mornings"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = frozenset(c.name for c in COLUMNS if c.required)


def template() -> str:
    """The downloadable template: the header and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue()


def specification() -> str:
    """The column specification as a Markdown table (the same text the README shows)."""
    lines = ["| column | required | what |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {'yes' if c.required else ''} | {c.description} |" for c in COLUMNS]
    return "\n".join(lines) + "\n"
