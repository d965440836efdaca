"""The MLLP listener: TCP (optionally TLS) connections carrying HL7 v2 messages, each answered in turn.

MLLP has no authentication of its own, so connections are taken only from configured networks and
messages only from configured sending facilities (checked by the feed); TLS protects them in transit.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
from collections.abc import Awaitable, Callable

from peer_referrals.feeds.hl7.mllp_framing import FrameDecoder, frame
from peer_referrals.settings import ReferralsSettings
from peer_shared.logging import get_logger

log = get_logger(__name__)
READ_SIZE = 65536
SHUTDOWN_GRACE_SECONDS = 10.0


class MllpListener:
    """Serves MLLP on the configured host and port until closed."""

    def __init__(
        self,
        settings: ReferralsSettings,
        handle: Callable[[bytes], Awaitable[bytes]],
        refuse_oversized: Callable[[bytes, int], bytes],
    ) -> None:
        self._settings = settings
        self._handle = handle
        self._refuse_oversized = refuse_oversized
        self._networks = [ipaddress.ip_network(n, strict=False) for n in settings.mllp_allowed_networks]
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._busy: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port actually listened on."""
        if self._server is None:
            raise RuntimeError("the listener has not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Bind and start accepting connections."""
        s = self._settings
        self._server = await asyncio.start_server(
            self._serve, host=s.mllp_host, port=s.mllp_port, ssl=self._tls_context()
        )
        log.info("MLLP listener started", port=self.port, tls=s.mllp_tls_cert is not None)

    async def close(self) -> None:
        """Stop accepting; let messages in hand finish (for a while), then drop the connections."""
        if self._server is None:
            return
        self._server.close()
        for task, writer in list(self._connections.items()):
            if task not in self._busy:
                writer.close()
        tasks = list(self._connections)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._server.wait_closed()
        log.info("MLLP listener stopped")

    def _tls_context(self) -> ssl.SSLContext | None:
        s = self._settings
        if s.mllp_tls_cert is None:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(s.mllp_tls_cert, s.mllp_tls_key)
        return context

    def _admits(self, peer: object) -> bool:
        if not self._networks:
            return True
        try:
            address = ipaddress.ip_address(peer[0] if isinstance(peer, tuple) else str(peer))
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        peer = writer.get_extra_info("peername")
        if not self._admits(peer):
            log.warning("MLLP connection refused", peer=str(peer))
            writer.close()
            return
        self._connections[task] = writer
        limit = self._settings.max_request_bytes
        decoder = FrameDecoder(limit)
        try:
            while True:
                data = await asyncio.wait_for(
                    reader.read(READ_SIZE), self._settings.mllp_idle_timeout_seconds
                )
                if not data:
                    break
                for message in decoder.feed(data):
                    self._busy.add(task)
                    try:
                        if message.oversized:
                            reply = self._refuse_oversized(message.body, limit)
                        else:
                            reply = await self._handle(message.body)
                        writer.write(frame(reply))
                        await writer.drain()
                    finally:
                        self._busy.discard(task)
        except (TimeoutError, ConnectionError, ssl.SSLError, OSError) as exc:
            log.info("MLLP connection ended", peer=str(peer), reason=type(exc).__name__)
        finally:
            self._connections.pop(task, None)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
