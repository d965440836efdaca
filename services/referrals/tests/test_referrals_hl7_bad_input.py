"""Bad HL7 v2 referrals, table-driven: each is NAK'd (AE or AR) with its own ERR and leaves nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from peer_testkit.harness import ServiceHarness
from peer_testkit.referrals import hl7_referral, mllp_exchange, mllp_port, segments_of, state_counts

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class BadMessage:
    """A message that must be refused, and how (MSA-1 and each ERR's code and location)."""

    name: str
    message: bytes
    ack: str
    control_id: str
    errors: tuple[tuple[str, str], ...]
    """(our code in ERR-5, location in ERR-2) per ERR segment."""


def _pid(**changes: str) -> str:
    fields = {
        "ids": "9434765919^^^NHS^NH",
        "name": "O'Neill^Patrick",
        "dob": "19580923",
        "address": "7 Easterly Road^^Leeds^^LS8 2TP",
    } | changes
    return f"PID|1||{fields['ids']}||{fields['name']}||{fields['dob']}|M|||{fields['address']}"


FULL = hl7_referral("BAD-TRUNC")
CASES = [
    BadMessage("not HL7 at all", b"hello, is that the referrals service?", "AR", "", (("malformed", "MSH"),)),
    BadMessage(
        "truncated HL7",
        FULL[: FULL.index(b"PID|") + 12],
        "AR",
        "BAD-TRUNC",
        (("malformed", "DG1"),),
    ),
    BadMessage(
        "no control id",
        hl7_referral("NO-CTRL").replace(b"|NO-CTRL|", b"||"),
        "AR",
        "",
        (("malformed", "MSH"),),
    ),
    BadMessage(
        "wrong message type",
        hl7_referral("BAD-TYPE").replace(b"REF^I12^REF_I12", b"ADT^A01^ADT_A01"),
        "AR",
        "BAD-TYPE",
        (("unsupported", "MSH^1^9"),),
    ),
    BadMessage(
        "a sending facility not accepted",
        hl7_referral("BAD-FAC", facility="Y99999"),
        "AR",
        "BAD-FAC",
        (("not-authorised", "MSH^1^4"),),
    ),
    BadMessage(
        "missing NHS number",
        hl7_referral("BAD-NHS0", PID=_pid(ids="H123456^^^B86001^MR")),
        "AE",
        "BAD-NHS0",
        (("required", "PID^1^3"),),
    ),
    BadMessage(
        "NHS number failing Modulus 11",
        hl7_referral("BAD-NHS1", PID=_pid(ids="9434765918^^^NHS^NH")),
        "AE",
        "BAD-NHS1",
        (("nhs-number-invalid", "PID^1^3"),),
    ),
    BadMessage(
        "unknown condition",
        hl7_referral("BAD-COND", DG1="DG1|1||J45.9^Asthma, unspecified^I10"),
        "AE",
        "BAD-COND",
        (("condition-unknown", "DG1^1^3"),),
    ),
    BadMessage(
        "under 18",
        hl7_referral("BAD-AGE", PID=_pid(dob="20100101")),
        "AE",
        "BAD-AGE",
        (("under-age", "PID^1^7"),),
    ),
    BadMessage(
        "bad postcode",
        hl7_referral("BAD-PC", PID=_pid(address="7 Easterly Road^^Leeds^^LS8 TP2")),
        "AE",
        "BAD-PC",
        (("postcode-invalid", "PID^1^11^1^5"),),
    ),
    BadMessage(
        "a date of birth that is not a date",
        hl7_referral("BAD-DOB", PID=_pid(dob="19581345")),
        "AE",
        "BAD-DOB",
        (("invalid", "PID^1^7"),),
    ),
    BadMessage(
        "no referring organisation",
        hl7_referral("BAD-ODS", PRD="PRD|RP|Okafor^Chidi"),
        "AE",
        "BAD-ODS",
        (("required", "PRD^1^7"),),
    ),
    BadMessage(
        "oversized payload",
        hl7_referral("BAD-SIZE", NTE="NTE|1|P|" + "x" * 70_000),
        "AR",
        "BAD-SIZE",
        (("too-large", ""),),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_a_bad_hl7_referral_is_refused_with_its_own_error(
    quiet_mllp: ServiceHarness, case: BadMessage
) -> None:
    [ack] = await mllp_exchange(mllp_port(quiet_mllp), case.message)
    segments = segments_of(ack)
    assert segments["MSA"][0][1:3] == [case.ack, case.control_id]
    errors = [(err[5].split("^")[0], err[2]) for err in segments["ERR"]]
    assert errors == list(case.errors)
    assert all(err[4] == "E" and err[8] for err in segments["ERR"])
    counts = await state_counts(quiet_mllp)
    assert counts == dict.fromkeys(counts, 0)
    assert await quiet_mllp.published() == []


async def test_a_frame_cut_off_by_a_closed_connection_is_neither_stored_nor_answered(
    quiet_mllp: ServiceHarness,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", mllp_port(quiet_mllp))
    writer.write(b"\x0b" + hl7_referral("CUT-OFF")[:200])
    await writer.drain()
    writer.write_eof()
    assert await asyncio.wait_for(reader.read(), 10) == b""  # closed without an acknowledgement
    writer.close()
    assert await quiet_mllp.count("referrals") == 0
    # The listener is still serving.
    [ack] = await mllp_exchange(mllp_port(quiet_mllp), b"MSH|^~\\&|X|Y")
    assert segments_of(ack)["MSA"][0][1] == "AR"
