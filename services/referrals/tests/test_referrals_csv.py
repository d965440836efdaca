"""CSV batch import: good rows stored and published, bad rows reported one by one, safe to re-run."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from peer_referrals.commands import app as commands
from peer_referrals.feeds.csv.columns import COLUMN_NAMES, template
from peer_referrals.feeds.csv.importer import import_file
from peer_referrals.feeds.csv.reader import BadHeader
from peer_shared.db import make_engine
from peer_testkit.harness import ServiceHarness
from peer_testkit.plugin import Infrastructure
from peer_testkit.referrals import fresh_nhs_number, state_counts

pytestmark = pytest.mark.integration

GOOD = {
    "given_names": "Samina",
    "family_name": "Akhtar",
    "birth_date": "1961-04-12",
    "gender": "F",
    "address_line_1": "14 Harehills Lane",
    "town": "Leeds",
    "postcode": "ls8 5hx",
    "phone": "07700 900123",
    "referrer_ods_code": "B86001",
    "referral_date": "02/11/2026",
    "reason_code": "44054006",
    "preferences": "mentor-gender:female;availability:mon-morning",
}


def row(**changes: str) -> dict[str, str]:
    return GOOD | {"nhs_number": fresh_nhs_number(), "row_key": os.urandom(4).hex()} | changes


def write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMN_NAMES) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as source:
        return list(csv.DictReader(source))


async def test_good_rows_are_imported_and_bad_ones_reported_and_a_rerun_changes_nothing(
    referrals: ServiceHarness, tmp_path: Path
) -> None:
    rows = [
        row(),
        row(nhs_number="9434765918"),
        row(),
        row(birth_date="2012-01-01", postcode="nowhere"),
        row(),
    ]
    source = write_csv(tmp_path / "practice-export.csv", rows)
    report = tmp_path / "errors.csv"
    seen: list[int] = []

    summary = await import_file(referrals.settings, source, report, seen.append)

    assert (summary.rows, summary.imported, summary.failed, summary.already_imported) == (5, 3, 2, 0)
    assert sum(seen) == 5
    assert [(r["line"], r["column"], r["problem"]) for r in read_report(report)] == [
        ("3", "nhs_number", "nhs-number-invalid"),
        ("5", "postcode", "postcode-invalid"),
        ("5", "birth_date", "under-age"),
    ]
    events = await referrals.wait_published(3)
    assert [e["data"]["source"] for e in events] == ["csv"] * 3
    stream = b"".join(m.data for m in await referrals.published_messages()).decode()
    identifiers = [GOOD[k] for k in ("family_name", "birth_date", "phone", "address_line_1")]
    for identifier in [*identifiers, "LS8 5HX", *(r["nhs_number"] for r in rows)]:
        assert identifier not in stream
    assert events[0]["data"]["preferences"]["availability"] == ["mon-morning"]
    assert events[0]["data"]["postcode_district"] == "LS8"

    again = await import_file(referrals.settings, source, report, seen.append)
    assert (again.imported, again.already_imported, again.failed) == (0, 3, 2)
    await referrals.outbox_drained()
    assert await referrals.count("referrals") == 3
    assert len(await referrals.published()) == 3


BAD_ROWS = [
    ("missing NHS number", {"nhs_number": ""}, ("nhs_number", "required")),
    ("NHS number failing Modulus 11", {"nhs_number": "943 476 5918"}, ("nhs_number", "nhs-number-invalid")),
    ("unknown condition", {"reason_code": "195967001"}, ("reason_code", "condition-unknown")),
    ("condition not served", {"reason_code": "U09.9"}, ("reason_code", "condition-not-served")),
    ("under 18", {"birth_date": "2011-05-05"}, ("birth_date", "under-age")),
    ("bad postcode", {"postcode": "LS8 HX5"}, ("postcode", "postcode-invalid")),
    ("date that is not a date", {"birth_date": "12th April 1961"}, ("birth_date", "invalid")),
    ("no referrer", {"referrer_ods_code": ""}, ("referrer_ods_code", "required")),
    ("unknown gender", {"gender": "X"}, ("gender", "invalid")),
    ("unknown preference", {"preferences": "favourite-colour:blue"}, ("preferences", "invalid")),
    ("unknown reason system", {"reason_system": "read-v2"}, ("reason_system", "invalid")),
]


@pytest.mark.parametrize(("name", "changes", "expected"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
async def test_a_bad_csv_row_is_reported_and_stores_nothing(
    quiet_referrals: ServiceHarness, tmp_path: Path, name: str, changes: dict[str, str], expected: Any
) -> None:
    source = write_csv(tmp_path / "bad.csv", [row(**changes)])
    report = tmp_path / "errors.csv"
    summary = await import_file(quiet_referrals.settings, source, report)
    assert (summary.imported, summary.failed) == (0, 1)
    assert [(r["line"], r["column"], r["problem"]) for r in read_report(report)] == [("2", *expected)]
    counts = await state_counts(quiet_referrals)
    assert counts == dict.fromkeys(counts, 0)


async def test_a_row_with_the_wrong_number_of_values_is_reported(
    quiet_referrals: ServiceHarness, tmp_path: Path
) -> None:
    source = tmp_path / "ragged.csv"
    lines = io.StringIO()
    csv.writer(lines).writerows([COLUMN_NAMES, ["only", "three", "values"]])
    source.write_text(lines.getvalue())
    summary = await import_file(quiet_referrals.settings, source, tmp_path / "errors.csv")
    assert (summary.imported, summary.failed) == (0, 1)
    [line] = read_report(tmp_path / "errors.csv")
    assert line["problem"] == "malformed"
    assert await quiet_referrals.count("referrals") == 0


async def test_a_file_whose_header_is_wrong_imports_nothing(
    quiet_referrals: ServiceHarness, tmp_path: Path
) -> None:
    columns = (*(c for c in COLUMN_NAMES if c != "postcode"), "post_code")
    source = write_csv(tmp_path / "misspelt.csv", [row() | {"post_code": "LS8 5HX"}], columns)
    with pytest.raises(BadHeader, match=r"post_code.*postcode"):
        await import_file(quiet_referrals.settings, source, tmp_path / "errors.csv")
    assert await quiet_referrals.count("referrals") == 0


def test_the_command_imports_its_own_template(
    infra: Infrastructure, condition: str, fresh_database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PEER_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("PEER_CONDITIONS", f'["{condition}"]')
    monkeypatch.setenv("PEER_CONDITION_ALIASES", f'{{"t2d": "{condition}"}}')
    runner = CliRunner()
    template_path = tmp_path / "template.csv"
    assert runner.invoke(commands, ["csv-template", "--out", str(template_path)]).exit_code == 0
    assert template_path.read_text() == template()

    result = runner.invoke(commands, ["import-csv", str(template_path)])
    assert result.exit_code == 0, result.output
    assert "1 imported" in result.output
    assert asyncio.run(_referral_count(fresh_database_url)) == 1
    spec = runner.invoke(commands, ["csv-columns"])
    assert "| `nhs_number` | yes |" in spec.output


async def _referral_count(url: str) -> int:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text("SELECT count(*) FROM referrals"))).scalar_one())
    finally:
        await engine.dispose()
