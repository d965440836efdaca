"""Reading rows of the CSV batch import into feed-neutral submissions.

Each row's source key is the referrer's ODS code and its `row_key` (or, when that is blank, a hash of the
row's content), so importing the same file again finds every row already there.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from peer_events.codes import Gender
from peer_events.events.referrals import ReferralSource
from peer_referrals.domain.conditions import CodeSystem, ReasonCode
from peer_referrals.domain.problems import InvalidReferral, Problem, ProblemCode
from peer_referrals.domain.submission import Submission
from peer_referrals.feeds.csv.columns import COLUMN_NAMES, REQUIRED

_GENDERS = {"male": Gender.MALE, "m": Gender.MALE, "female": Gender.FEMALE, "f": Gender.FEMALE}
_GENDERS |= {"other": Gender.OTHER, "o": Gender.OTHER, "unknown": Gender.NOT_KNOWN, "u": Gender.NOT_KNOWN}
_SYSTEMS = {"snomed": CodeSystem.SNOMED_CT, "sct": CodeSystem.SNOMED_CT, "icd-10": CodeSystem.ICD10}
_SYSTEMS |= {"icd10": CodeSystem.ICD10}
ADDRESS_COLUMNS = ("address_line_1", "address_line_2", "town")


class BadHeader(ValueError):
    """The file's header row cannot be read as the import's columns."""


@dataclass(frozen=True)
class Row:
    """One data row: its line number and what it holds, or why it cannot be read."""

    line: int
    row_key: str
    submission: Submission | None
    problems: tuple[Problem, ...] = ()


def read_rows(lines: Iterable[str]) -> Iterator[Row]:
    """The rows of an import file (an iterable of text lines, e.g. a file opened with newline="")."""
    reader = csv.reader(lines)
    header = [name.strip().lower().lstrip("\ufeff") for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMN_NAMES]
    missing = sorted(REQUIRED - set(header))
    if unknown or missing:
        raise BadHeader(
            f"unknown columns: {unknown or 'none'}; missing required columns: {missing or 'none'}"
        )
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) != len(header):
            problem = Problem(ProblemCode.MALFORMED, "", f"{len(values)} values for {len(header)} columns")
            yield Row(line, "", None, (problem,))
            continue
        fields = {name: value.strip() for name, value in zip(header, values, strict=True)}
        try:
            yield Row(line, fields.get("row_key", ""), _submission(fields))
        except InvalidReferral as exc:
            yield Row(line, fields.get("row_key", ""), None, tuple(exc.problems))


def _submission(f: dict[str, str]) -> Submission:
    problems: list[Problem] = []
    birth_date = _date(f, "birth_date", problems)
    referral_date = _date(f, "referral_date", problems)
    gender = _GENDERS.get(f.get("gender", "").lower())
    if gender is None and f.get("gender"):
        problems.append(
            Problem(ProblemCode.INVALID, "gender", "gender must be male, female, other or unknown")
        )
    reason = _reason(f, problems)
    if problems:
        raise InvalidReferral(problems)
    content = "\x1f".join(f"{name}={value}" for name, value in sorted(f.items()))
    key = f.get("row_key") or hashlib.sha256(content.encode()).hexdigest()
    return Submission(
        source=ReferralSource.CSV,
        source_key=f"{f.get('referrer_ods_code', '').upper()}|{key}",
        nhs_number=f.get("nhs_number") or None,
        given_names=tuple(f.get("given_names", "").split()),
        family_name=f.get("family_name") or None,
        birth_date=birth_date,
        gender=gender or Gender.NOT_KNOWN,
        address_lines=tuple(
            filter(None, (f.get(k, "") for k in ("address_line_1", "address_line_2", "town")))
        ),
        postcode=f.get("postcode") or None,
        phone=f.get("phone") or None,
        email=f.get("email") or None,
        preferred_contact=f.get("preferred_contact") or None,
        referrer_ods_code=f.get("referrer_ods_code") or None,
        requester=f.get("referrer_name") or None,
        authored_on=referral_date,
        reasons=(reason,) if reason else (),
        ubrn=f.get("ubrn") or None,
        notes=f.get("notes") or None,
        ethnic_category=f.get("ethnic_category") or None,
        language=f.get("language") or None,
        preference_codes=tuple(p for p in f.get("preferences", "").split(";") if p.strip()),
        locations={"reasons": "reason_code", "authored_on": "referral_date"},
    )


def _date(f: dict[str, str], column: str, problems: list[Problem]) -> date | None:
    text = f.get(column, "")
    if not text:
        return None
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    problems.append(Problem(ProblemCode.INVALID, column, f"{text!r} is not a date (YYYY-MM-DD)"))
    return None


def _reason(f: dict[str, str], problems: list[Problem]) -> ReasonCode | None:
    code = f.get("reason_code", "")
    if not code:
        return None
    system_name = f.get("reason_system", "").lower() or ("snomed" if code.isdigit() else "icd-10")
    system = _SYSTEMS.get(system_name)
    if system is None:
        problems.append(
            Problem(ProblemCode.INVALID, "reason_system", "reason_system must be snomed or icd-10")
        )
        return None
    return ReasonCode(system, code)
