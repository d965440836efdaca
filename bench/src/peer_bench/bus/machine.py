"""The machine a run measured: cores, RAM, versions of the servers, and how busy it was."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import urllib.request
from typing import TYPE_CHECKING, Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from .databases import asyncpg_dsn

if TYPE_CHECKING:
    from peer_support_cli.embedded import Infrastructure

LoadAverage = tuple[float, float, float]


def load_average_line(before: LoadAverage) -> str:
    """The load average before the run and now: on a shared machine it says what the figures competed with."""
    load = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(before, os.getloadavg(), strict=True))
    return f"load average (1/5/15 min) before/after: {load}"


def machine_description(nats_version: str, postgres_version: str) -> str:
    """Cores, CPU, RAM and the versions that matter, on one line."""
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"machine: {os.cpu_count()} cores{f' ({model})' if model else ''}, {ram:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"nats-server {nats_version} (sync_interval: always), Postgres {postgres_version}"
    )


async def versions_of(infra: Infrastructure) -> tuple[str, str]:
    """The running nats-server's and Postgres's versions ("?" for NATS without a monitoring port)."""
    nats_version = "?"
    if infra.nats_monitor_url:
        with contextlib.suppress(Exception):
            varz = await asyncio.to_thread(_get_json, f"{infra.nats_monitor_url}/varz")
            nats_version = str(varz.get("version", "?"))
    conn = await asyncpg.connect(asyncpg_dsn(infra.admin_database_url))
    try:
        postgres_version = str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
    return nats_version, postgres_version


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.load(response))
