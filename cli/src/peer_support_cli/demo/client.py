"""How the demo reaches the running services: their HTTP APIs with bearer tokens signed at scenario
time, the referrals service's MLLP listener, and its CSV import."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from peer_referrals.feeds.csv.importer import import_file
from peer_referrals.feeds.hl7.mllp_framing import END, frame
from peer_referrals.settings import ReferralsSettings
from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.clock import ScenarioFileClock
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER

TOKEN_TTL = timedelta(hours=1)
HTTP_TIMEOUT = 30.0


class DemoError(Exception):
    """A step of the demo was refused or could not be carried out; the message says which and why."""


class Api:
    """The services' HTTP APIs, called as a given role and subject with a token valid at scenario time."""

    def __init__(self, urls: Mapping[str, str], key_path: Path, clock_file: Path) -> None:
        self._urls = urls
        self._key = load_private_key(key_path)
        self.clock = ScenarioFileClock(clock_file)
        self._client = httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=httpx.Limits(max_connections=32))

    async def close(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    def token(self, role: Role, subject: str) -> str:
        """A bearer token for `subject` acting as `role`, issued now in scenario time.

        The services judge tokens by the scenario clock, which jumps ahead a day at a time, so every
        call gets a fresh one rather than one that would soon look expired (or not yet valid).
        """
        return issue_token(
            self._key, issuer=OPERATOR_ISSUER, role=role, subject=subject, ttl=TOKEN_TTL, clock=self.clock
        )

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: Role,
        subject: str,
        expect: tuple[int, ...] = (200, 201),
        **request: Any,
    ) -> httpx.Response:
        """Send one request; `DemoError` unless the answer's status is one of `expect`."""
        headers = {"Authorization": f"Bearer {self.token(role, subject)}"} | request.pop("headers", {})
        url = self._urls[service] + path
        try:
            response = await self._client.request(method, url, headers=headers, **request)
        except httpx.HTTPError as exc:
            raise DemoError(f"{method} {service}{path}: {exc!r}") from exc
        if response.status_code not in expect:
            raise DemoError(
                f"{method} {service}{path} answered {response.status_code}: {response.text[:600]}"
            )
        return response

    async def json(self, service: str, method: str, path: str, **request: Any) -> Any:
        """`call`, returning the answer's JSON body."""
        return (await self.call(service, method, path, **request)).json()


async def send_hl7(host: str, port: int, messages: list[bytes]) -> None:
    """Send messages over one MLLP connection, awaiting each acknowledgement; `DemoError` unless AA."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        raise DemoError(f"cannot reach the MLLP listener on {host}:{port}: {exc}") from exc
    try:
        for message in messages:
            writer.write(frame(message))
            await writer.drain()
            reply = await asyncio.wait_for(reader.readuntil(END), HTTP_TIMEOUT)
            ack = reply.strip(b"\x0b\x1c\r").decode()
            msa = next((s for s in ack.split("\r") if s.startswith("MSA|")), "")
            if not msa.startswith("MSA|AA|"):
                raise DemoError(f"HL7 referral not accepted: {ack!r}")
    finally:
        writer.close()
        await writer.wait_closed()


async def import_csv(database_url: str, path: Path, at: datetime) -> int:
    """Import a CSV file with the referrals service's own import, on its database; the rows imported.

    The import takes its clock from `clock_start` (it does not read the scenario clock file), so it is
    given the scenario time of the import.
    """
    settings = ReferralsSettings(database_url=database_url, clock_start=at, clock_file=None)
    report = path.with_suffix(".errors.csv")
    summary = await import_file(settings, path, report)
    if summary.failed or summary.imported != summary.rows:
        raise DemoError(f"CSV import of {path.name}: {summary}; see {report}")
    return summary.imported
