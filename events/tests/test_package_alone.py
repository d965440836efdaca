"""`peer-events` installs alone: its wheel, in a fresh environment with only its own dependencies, imports,
carries the published documents, and reads a NATS message into a typed, validated event."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import importlib.metadata, importlib.util, json, sys, uuid
from datetime import UTC, datetime

from peer_events import EVENT_TYPES
from peer_events.documents import asyncapi, data_schema, envelope_schema
from peer_events.messages import read_message
from peer_events.registry import MalformedEvent

assert importlib.util.find_spec("peer_shared") is None and importlib.util.find_spec("sqlalchemy") is None
event_id = str(uuid.uuid4())
body = {
    "specversion": "1.0", "id": event_id, "source": "/peer-support/referrals",
    "type": "uk.nhs.peer-support.referrals.referral-rejected.v1",
    "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json",
    "dataschema": "urn:peer-support:schema:uk.nhs.peer-support.referrals.referral-rejected.v1",
    "subject": "ref_" + "a" * 32, "correlationid": str(uuid.uuid4()),
    "condition": "t2d", "programme": "t2d-one-to-one",
    "data": {"referral_id": "ref_" + "a" * 32, "rejected_on": "2026-11-02", "reason": "not-eligible"},
}

class Message:
    data = json.dumps(body).encode()
    headers = {"Nats-Msg-Id": event_id}

event = read_message(Message())
assert type(event.data).__name__ == "ReferralRejected" and str(event.id) == event_id
Message.headers = {"Nats-Msg-Id": str(uuid.uuid4())}
try:
    read_message(Message())
    raise SystemExit("a message whose Nats-Msg-Id names another event was read")
except MalformedEvent:
    pass
assert data_schema(body["type"])["$id"] == body["dataschema"]
assert envelope_schema(body["type"])["$id"].startswith("urn:peer-support:envelope:")
assert asyncapi()["asyncapi"] == "3.0.0"
print(importlib.metadata.version("peer-events"), len(EVENT_TYPES))
"""


def test_the_wheel_installs_alone_and_reads_an_event(tmp_path: Path) -> None:
    uv = os.environ.get("UV") or shutil.which("uv")  # `uv run` names itself in UV
    assert uv is not None, "the tests run under uv (the README's command)"
    wheels = tmp_path / "wheels"
    subprocess.run(
        [uv, "build", "--package", "peer-events", "--wheel", "-o", str(wheels)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("peer_events-*.whl")
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", str(wheel)]
    subprocess.run(install, check=True, capture_output=True)
    ran = subprocess.run([str(python), "-c", SCRIPT], capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    version, types = ran.stdout.split()
    assert version == "1.0.0" and int(types) >= 30
