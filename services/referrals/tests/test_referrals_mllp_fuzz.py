"""Random input never makes the MLLP listener fail: every frame gets a well-formed acknowledgement.

A reply coded `unavailable` would mean the listener's last-resort handler caught an exception the feed
did not expect, so the properties below also rule that out.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peer_referrals.feeds.hl7.mllp_framing import END, START, frame
from peer_testkit.harness import ServiceHarness
from peer_testkit.referrals import hl7_referral, mllp_port, read_frame, segments_of

pytestmark = pytest.mark.integration

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NHS_NUMBER = "9434765919"  # fixed: generating one uses `random`, which Hypothesis forbids in strategies
HL7_TEXT = st.text(alphabet=st.sampled_from("|^~\\&\r\nMSHPIDRF1DG10123456789 -.ÿé\x00"), max_size=40)


@st.composite
def mutated_referral(draw: st.DrawFn) -> bytes:
    """A real REF^I12 with segments dropped, fields replaced, bytes cut or inserted."""
    message = hl7_referral(f"FUZZ-{uuid.uuid4().hex[:8]}", nhs=NHS_NUMBER)
    segments = message.decode().strip("\r").split("\r")
    kept = [s for s in segments if draw(st.booleans()) or s.startswith("MSH")]
    mutated = []
    for segment in kept:
        fields = segment.split("|")
        if len(fields) > 2 and draw(st.booleans()):
            index = draw(st.integers(1, len(fields) - 1))
            fields[index] = draw(HL7_TEXT)
        mutated.append("|".join(fields))
    data = "\r".join(mutated).encode()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=30)) + data[at:]
    return _unframed(data)


def _unframed(data: bytes) -> bytes:
    return data.replace(START, b"").replace(END[:1], b"")


MESSAGES = st.one_of(st.binary(max_size=600).map(_unframed), mutated_referral())


@given(message=MESSAGES)
@FUZZ
async def test_any_message_gets_a_well_formed_acknowledgement(
    quiet_mllp: ServiceHarness, message: bytes
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", mllp_port(quiet_mllp))
    try:
        writer.write(frame(message))
        await writer.drain()
        reply = await read_frame(reader)
    finally:
        writer.close()
    segments = segments_of(reply)
    assert segments["MSH"][0][0] == "MSH"
    assert segments["MSA"][0][1] in ("AA", "AE", "AR")
    assert all(err[5].split("^")[0] != "unavailable" for err in segments.get("ERR", []))


@given(noise=st.binary(max_size=800))
@FUZZ
async def test_after_any_noise_on_the_stream_the_next_message_is_still_answered(
    quiet_mllp: ServiceHarness, noise: bytes
) -> None:
    control_id = f"AFTER-{uuid.uuid4().hex[:8]}"
    reader, writer = await asyncio.open_connection("127.0.0.1", mllp_port(quiet_mllp))
    try:
        writer.write(noise + frame(hl7_referral(control_id, nhs=NHS_NUMBER)))
        await writer.drain()
        while True:  # the noise may hold whole frames of its own, each answered first
            segments = segments_of(await read_frame(reader))
            assert all(err[5].split("^")[0] != "unavailable" for err in segments.get("ERR", []))
            if segments["MSA"][0][2] == control_id:
                break
    finally:
        writer.close()
    assert segments["MSA"][0][1] == "AA"
