"""HL7 v2 referrals over MLLP: AA only once stored, one referral per control id, RRI when asked."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from nats.js import JetStreamContext

from peer_referrals.feeds.hl7.mllp_framing import frame
from peer_testkit.harness import ServiceHarness
from peer_testkit.plugin import Infrastructure
from peer_testkit.ports import free_port
from peer_testkit.referrals import (
    MLLP,
    fresh_nhs_number,
    hl7_identifiers,
    hl7_referral,
    mllp_exchange,
    mllp_port,
    read_frame,
    segments_of,
    start_referrals,
)

pytestmark = pytest.mark.integration


async def test_a_ref_i12_is_stored_published_and_acknowledged(mllp_referrals: ServiceHarness) -> None:
    nhs = fresh_nhs_number()
    [ack] = await mllp_exchange(mllp_port(mllp_referrals), hl7_referral("CTRL-0001", nhs=nhs))
    segments = segments_of(ack)
    assert segments["MSH"][0][8] == "ACK^I12^ACK"
    assert segments["MSH"][0][4:6] == ["EMIS-WEB", "B86001"]  # addressed back to the sender
    assert segments["MSA"][0][1:3] == ["AA", "CTRL-0001"]
    assert "ERR" not in segments
    # AA means durably stored: the referral and its outbox row are already committed.
    assert await mllp_referrals.count("referrals") == 1
    assert await mllp_referrals.count("outbox") == 1
    assert await mllp_referrals.scalar("SELECT nhs_number FROM people") == nhs

    [event] = await mllp_referrals.wait_published(1)
    data = event["data"]
    assert (data["source"], data["referrer_ods_code"], data["age_band"], data["gender"]) == (
        "hl7v2",
        "B86001",
        "65-74",
        "male",
    )
    assert (data["postcode_district"], data["ethnic_category"], data["preferred_language"]) == (
        "LS8",
        "A",
        None,
    )
    raw = (await mllp_referrals.published_messages())[0].data.decode()
    for identifier in [nhs, *hl7_identifiers()]:
        assert identifier not in raw


async def test_a_resent_message_is_acknowledged_again_without_a_second_referral(
    mllp_referrals: ServiceHarness,
) -> None:
    message = hl7_referral("CTRL-0002")
    first, again = await mllp_exchange(mllp_port(mllp_referrals), message, message)
    assert segments_of(first)["MSA"][0][1:3] == ["AA", "CTRL-0002"]
    assert segments_of(again)["MSA"][0][1:3] == ["AA", "CTRL-0002"]
    await mllp_referrals.outbox_drained()
    assert await mllp_referrals.count("referrals") == 1
    assert len(await mllp_referrals.published()) == 1


async def test_an_application_response_is_sent_when_the_sender_asks(mllp_referrals: ServiceHarness) -> None:
    [response] = await mllp_exchange(mllp_port(mllp_referrals), hl7_referral("CTRL-0003", ack="AL"))
    segments = segments_of(response)
    assert segments["MSH"][0][8] == "RRI^I12^RRI_I12"
    assert segments["MSA"][0][1] == "AA"
    referral_id = segments["RF1"][0][11].split("^")[0]
    [event] = await mllp_referrals.wait_published(1)
    assert event["subject"] == referral_id


async def test_several_messages_in_one_write_are_each_answered(mllp_referrals: ServiceHarness) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", mllp_port(mllp_referrals))
    messages = [hl7_referral(f"CTRL-1{n}") for n in range(3)]
    writer.write(b"junk before the first frame" + b"".join(b"\x0b" + m + b"\x1c\x0d" for m in messages))
    await writer.drain()
    acks = [segments_of(await read_frame(reader)) for _ in messages]
    writer.close()
    assert [a["MSA"][0][1:3] for a in acks] == [["AA", f"CTRL-1{n}"] for n in range(3)]
    assert await mllp_referrals.count("referrals") == 3


LOCALHOST = ipaddress.ip_address("127.0.0.1")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "referrals.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "mllp.pem", folder / "mllp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


async def test_mllp_over_tls_and_only_from_allowed_networks(
    infra: Infrastructure, js: JetStreamContext, condition: str, fresh_database_url: str, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    settings = MLLP | {"mllp_port": free_port(), "mllp_tls_cert": cert, "mllp_tls_key": key}
    async with start_referrals(infra, js, condition, fresh_database_url, **settings) as harness:
        client_tls = ssl.create_default_context(cafile=str(cert))
        [ack] = await mllp_exchange(mllp_port(harness), hl7_referral("TLS-0001"), ssl_context=client_tls)
        assert segments_of(ack)["MSA"][0][1:3] == ["AA", "TLS-0001"]
        with pytest.raises((ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError)):
            await mllp_exchange(mllp_port(harness), hl7_referral("PLAIN-0001"))  # no TLS: refused

    elsewhere = MLLP | {"mllp_port": free_port(), "mllp_allowed_networks": ["10.0.0.0/8"]}
    other_database = infra.create_database(f"t_{uuid.uuid4().hex[:16]}")
    async with start_referrals(infra, js, condition, other_database, **elsewhere) as harness:
        reader, writer = await asyncio.open_connection("127.0.0.1", mllp_port(harness))
        writer.write(frame(hl7_referral("NET-0001")))
        try:
            answer = await asyncio.wait_for(reader.read(), 10)
        except ConnectionResetError:
            answer = b""
        assert answer == b""  # closed unanswered
        writer.close()
        assert await harness.count("referrals") == 0
