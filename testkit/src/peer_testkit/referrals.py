"""For the referrals service's tests: the service as `t2d` under the test's condition, the MLLP listener,
reads of what it stored, and realistic referrals (a UK Core Bundle and the shapes built from it, a REF^I12).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from nats.js import JetStreamContext
from nhs_number.generate import generate as generate_nhs_numbers
from sqlalchemy import text

from peer_referrals.service import SERVICE
from peer_shared.auth import Role
from peer_shared.clock import SystemClock
from peer_support_cli.embedded import Infrastructure
from peer_testkit.harness import ServiceHarness, start_service

EXAMPLES = Path(__file__).resolve().parents[3] / "services" / "referrals" / "tests" / "data"
"""The example documents beside the referrals service's tests."""
NHS = "https://fhir.nhs.uk/Id/nhs-number"
UBRN = "https://fhir.nhs.uk/Id/UBRN"
MLLP = {"mllp_allowed_facilities": ["B86001"], "max_request_bytes": 64 * 1024}
"""Settings for a service whose MLLP listener takes messages from practice B86001."""
STATE_TABLES = ("referrals", "people", "outbox", "audit_log", "consents", "contact_attempts")
"""The tables holding referral state (a refused input must leave them all empty)."""


def as_t2d(condition: str) -> dict[str, Any]:
    """Settings under which the test's own condition stands for `t2d` (its programme, its codes)."""
    return {"condition_aliases": {"t2d": condition}, "condition_programmes": {"t2d": "t2d-one-to-one"}}


@contextlib.asynccontextmanager
async def start_referrals(
    infra: Infrastructure, js: JetStreamContext, condition: str, database_url: str, **overrides: Any
) -> AsyncIterator[ServiceHarness]:
    """The referrals service on the real clock (referrals are listed by when they arrived), as `t2d`."""
    settings = as_t2d(condition) | overrides
    async with start_service(
        SERVICE, infra, js, condition=condition, database_url=database_url, clock=SystemClock(), **settings
    ) as harness:
        yield harness


async def state_counts(harness: ServiceHarness) -> dict[str, int]:
    """How many rows each table holding referral state has (to prove nothing partial was stored)."""
    return {table: await harness.count(table) for table in STATE_TABLES}


async def database_text(harness: ServiceHarness) -> str:
    """Every row of every table of the service as text, and outbox payloads decoded: for PII scans."""
    async with harness.sessions() as session:
        listing = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        names = list((await session.execute(text(listing))).scalars())
        parts = []
        for name in names:
            rows = await session.execute(text(f'SELECT t::text FROM "{name}" AS t'))
            parts += [row[0] for row in rows]
        payloads = await session.execute(text("SELECT convert_from(payload, 'UTF8') FROM outbox"))
        parts += [row[0] for row in payloads]
    return "\n".join(parts)


async def submit_fhir(harness: ServiceHarness, document: dict[str, Any], subject: str = "ods-B86001") -> str:
    """Send a ServiceRequest as a referrer; return the new referral's id."""
    headers = {"Content-Type": "application/fhir+json"} | harness.auth(Role.REFERRER, subject)
    response = await harness.client.post("/fhir/ServiceRequest", json=document, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


# --- MLLP ----------------------------------------------------------------------------------------------


def mllp_port(harness: ServiceHarness) -> int:
    """The port the service's MLLP listener is on."""
    return int(harness.app.state.mllp.port)


async def mllp_exchange(port: int, *messages: bytes, ssl_context: Any = None) -> list[bytes]:
    """Send framed messages on one connection and return each acknowledgement (unframed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_context)
    replies = []
    try:
        for message in messages:
            writer.write(b"\x0b" + message + b"\x1c\x0d")
            await writer.drain()
            replies.append(await read_frame(reader))
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return replies


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """One MLLP frame's body (waits at most 10 s)."""
    raw = await asyncio.wait_for(reader.readuntil(b"\x1c\x0d"), 10)
    start = raw.index(b"\x0b")
    return raw[start + 1 : -2]


def segments_of(ack: bytes) -> dict[str, list[list[str]]]:
    """An acknowledgement's segments by name, each as its fields."""
    found: dict[str, list[list[str]]] = {}
    for segment in ack.decode().strip("\r").split("\r"):
        fields = segment.split("|")
        found.setdefault(fields[0], []).append(fields)
    return found


# --- Example referrals ---------------------------------------------------------------------------------


def transaction_bundle(**patient_changes: Any) -> dict[str, Any]:
    """The example transaction Bundle, with a fresh NHS number and UBRN (and any Patient changes)."""
    bundle: dict[str, Any] = json.loads((EXAMPLES / "uk-core-referral-transaction.json").read_text())
    patient = _resource(bundle, "Patient")
    patient["identifier"][0]["value"] = fresh_nhs_number()
    patient.update(patient_changes)
    request = _resource(bundle, "ServiceRequest")
    request["identifier"][0]["value"] = fresh_ubrn()
    return bundle


def message_bundle(**patient_changes: Any) -> dict[str, Any]:
    """The same referral as a FHIR message: a MessageHeader first, focused on the ServiceRequest."""
    bundle = transaction_bundle(**patient_changes)
    entries = [{k: v for k, v in e.items() if k != "request"} for e in bundle["entry"]]
    request_url = next(e["fullUrl"] for e in entries if e["resource"]["resourceType"] == "ServiceRequest")
    header = {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "MessageHeader",
            "id": str(uuid.uuid4()),
            "eventCoding": {
                "system": "https://fhir.nhs.uk/CodeSystem/message-event",
                "code": "referral-request",
            },
            "source": {"endpoint": "https://harehills.example/fhir"},
            "focus": [{"reference": request_url}],
        },
    }
    return {
        "resourceType": "Bundle",
        "type": "message",
        "timestamp": "2026-11-02T10:15:00+00:00",
        "entry": [header, *entries],
    }


def service_request(**patient_changes: Any) -> dict[str, Any]:
    """The same referral as one ServiceRequest with its Patient and requester contained."""
    bundle = transaction_bundle(**patient_changes)
    request = copy.deepcopy(_resource(bundle, "ServiceRequest"))
    patient = copy.deepcopy(_resource(bundle, "Patient"))
    organization = copy.deepcopy(_resource(bundle, "Organization"))
    patient["id"], organization["id"] = "patient", "practice"
    request["contained"] = [patient, organization]
    request["subject"] = {"reference": "#patient"}
    request["requester"] = {"reference": "#practice", "display": "Dr Chidi Okafor"}
    return request


def patient_of(document: dict[str, Any]) -> dict[str, Any]:
    """The Patient inside any of the shapes above."""
    if document["resourceType"] == "ServiceRequest":
        return next(r for r in document["contained"] if r["resourceType"] == "Patient")
    return _resource(document, "Patient")


def request_of(document: dict[str, Any]) -> dict[str, Any]:
    """The ServiceRequest inside any of the shapes above."""
    return document if document["resourceType"] == "ServiceRequest" else _resource(document, "ServiceRequest")


def identifiers_of(patient: dict[str, Any]) -> list[str]:
    """The direct identifiers of a FHIR Patient, as they could appear in text."""
    name = patient["name"][0]
    found = [patient["identifier"][0]["value"], name["family"], *name["given"], patient["birthDate"]]
    found += [t["value"] for t in patient["telecom"]]
    found += [patient["address"][0]["postalCode"], patient["address"][0]["line"][0]]
    return found


def fresh_nhs_number() -> str:
    """A valid NHS number no other test uses."""
    return str(generate_nhs_numbers(quantity=1)[0])


def fresh_ubrn() -> str:
    """A 12-digit e-Referral Service booking reference."""
    return f"{uuid.uuid4().int % 10**12:012d}"


def _resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def hl7_referral(
    control_id: str | None = None,
    *,
    nhs: str | None = None,
    facility: str = "B86001",
    ack: str = "",
    **fields: str,
) -> bytes:
    """A realistic `REF^I12` from a GP system (segments end with CR); `fields` replace segments by name."""
    control_id = control_id or uuid.uuid4().hex[:20]
    pid = [
        "PID|1|",
        f"{nhs or fresh_nhs_number()}^^^NHS^NH~H123456^^^B86001^MR",
        "",
        "O'Neill^Patrick^James^^Mr",
        "",
        "19580923",
        "M||",
        "7 Easterly Road^^Leeds^^LS8 2TP^GBR^H",
        "",
        "07700 900456^PRN^CP~^NET^Internet^p.oneill@example.com",
        "",
        "en|||||||A",
    ]
    segments = {
        "MSH": f"MSH|^~\\&|EMIS-WEB|{facility}|PEER-REFERRALS|PEER-SUPPORT|20261102101500||REF^I12^REF_I12|"
        f"{control_id}|P|2.5|||AL|{ack}|GBR|UNICODE UTF-8",
        "RF1": f"RF1|P^Pending^HL70283|R^Routine^HL70280|PEER^Peer support^L|GRF^General referral^HL70282||"
        f"{fresh_ubrn()}^UBRN|20261102",
        "PRD": "PRD|RP^Referring provider^HL70286|Okafor^Chidi^^^Dr|12 Station Road^^Leeds^^LS8 4AA|||"
        "|B86001^^^ODS",
        "PID": "|".join(pid),
        "DG1": "DG1|1||E11.9^Type 2 diabetes mellitus without complications^I10|||F",
        "NTE": "NTE|1|P|Lives alone since his wife died; would like someone to walk with.",
    }
    segments.update(fields)
    return "\r".join(s for s in segments.values() if s).encode() + b"\r"


def hl7_identifiers() -> list[str]:
    """The direct identifiers in `hl7_referral` (other than the NHS number, which each call chooses)."""
    return ["O'Neill", "Patrick", "19580923", "1958-09-23", "LS8 2TP", "07700 900456", "p.oneill@example.com"]
