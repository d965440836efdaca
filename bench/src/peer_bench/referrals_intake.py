"""Figures for the referrals service on this machine: a script that prints numbers, not a test.

It starts the embedded NATS and Postgres in a temporary folder and the referrals service as its own
process (`python -m peer_referrals`, uvicorn on a real port), then measures:

1. FHIR ingest: POST /fhir/ServiceRequest (a UK Core ServiceRequest with its Patient contained, each with
   a distinct NHS number and UBRN) at 1, 16 and 64 concurrent clients; a request counts when its 201
   has come back, i.e. when the referral and its outbox row are committed. Referrals/s and latency
   percentiles. The load generator is a minimal keep-alive HTTP/1.1 client, so little of the machine's
   two cores goes on the measuring side;
2. CSV import: a generated file of `--csv-rows` rows through the `import-csv` command in a child
   process; rows/s and the child's peak memory (max RSS).

    uv run python -m peer_bench.referrals_intake [--requests 3000] [--csv-rows 100000] [--replicas 1]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import nhs_number
import psutil  # type: ignore[import-untyped,unused-ignore]

from peer_referrals.service import SERVICE as REFERRALS
from peer_shared.auth import Role
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure
from peer_support_cli.embedded.service_config import service_environment
from peer_testkit.ports import free_port
from peer_testkit.tokens import TokenIssuer

REPOSITORY = Path(__file__).resolve().parents[3]
EXAMPLE = REPOSITORY / "services" / "referrals" / "tests" / "data" / "uk-core-referral-transaction.json"
"""The UK Core example the referrals tests use: every benchmark request is this referral, re-identified."""
CONCURRENCY = (1, 16, 64)


def referral_bodies(count: int) -> list[bytes]:
    """`count` ServiceRequests with the example Patient contained, each for a different person."""
    bundle = json.loads(EXAMPLE.read_text())
    resources = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    request, patient, organization = (
        resources["ServiceRequest"],
        resources["Patient"],
        resources["Organization"],
    )
    patient["id"], organization["id"] = "patient", "practice"
    request |= {"subject": {"reference": "#patient"}, "requester": {"reference": "#practice"}}
    bodies = []
    for number in nhs_number.generate(quantity=count):  # type: ignore[attr-defined]
        patient["identifier"][0]["value"] = number
        request["identifier"][0]["value"] = f"{uuid.uuid4().int % 10**12:012d}"
        request["contained"] = [patient, organization]
        bodies.append(json.dumps(request).encode())
    return bodies


async def post_all(ports: list[int], token: str, bodies: list[bytes], concurrency: int) -> list[float]:
    """POST every body over `concurrency` keep-alive connections (spread over the replicas' ports);
    the latency of each request."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []

    async def client(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty():
                body = queue.get_nowait()
                head = (
                    f"POST /fhir/ServiceRequest HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/fhir+json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode()
                started = time.perf_counter()
                writer.write(head + body)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if b" 201 " not in status_line:
                    raise RuntimeError(f"unexpected answer {status_line!r}")
        finally:
            writer.close()

    await asyncio.gather(*(client(ports[n % len(ports)]) for n in range(concurrency)))
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def fhir_ingest(infra: Infrastructure, requests: int, replicas: int) -> None:
    """Run the service as `replicas` processes on one database and load them at each concurrency."""
    url = infra.create_database(f"bench_{uuid.uuid4().hex[:12]}")
    ports = [free_port() for _ in range(replicas)]
    token = TokenIssuer(infra).issue(Role.REFERRER, "bench")
    services = []
    try:
        for port in ports:
            env = os.environ | service_environment(
                infra,
                REFERRALS.name,
                database_url=url,
                http_port=port,
                log_level="warning",
                log_format="json",
            )
            services.append(subprocess.Popen([sys.executable, "-m", REFERRALS.module], env=env))
        asyncio.run(load(ports, token, requests, [psutil.Process(s.pid) for s in services]))
    finally:
        for service in services:
            service.terminate()
        for service in services:
            service.wait(30)


async def load(ports: list[int], token: str, requests: int, processes: list[psutil.Process]) -> None:
    """Warm up, then send referrals at each concurrency and print the figures.

    Besides rates and latencies, the service processes' own CPU time per referral: on a machine shared
    with other work the rates vary from run to run, the CPU cost much less.
    """
    for port in ports:
        await wait_ready(port)
    await post_all(ports, token, referral_bodies(100), 8)
    print(f"FHIR ingest (POST /fhir/ServiceRequest, until the 201), {len(ports)} service process(es):")
    for concurrency in CONCURRENCY:
        count = max(requests // 10, 200) if concurrency == 1 else requests
        bodies = referral_bodies(count)
        cpu_before = sum(_cpu_seconds(p) for p in processes)
        started = time.perf_counter()
        latencies = await post_all(ports, token, bodies, concurrency)
        elapsed = time.perf_counter() - started
        cpu_ms = 1000 * (sum(_cpu_seconds(p) for p in processes) - cpu_before) / count
        print(
            f"  {concurrency:3d} clients: {count / elapsed:7.0f} referrals/s   "
            f"p50 {1000 * statistics.median(latencies):6.1f} ms   "
            f"p99 {1000 * percentile(latencies, 0.99):6.1f} ms   "
            f"service CPU {cpu_ms:4.2f} ms/referral   ({count} referrals)"
        )


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def wait_ready(port: int) -> None:
    """Wait until the service answers /readyz."""
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the referrals service did not become ready")


def csv_import(infra: Infrastructure, rows: int, folder: Path) -> None:
    """Import a generated file through the `import-csv` command in a child process."""
    path = folder / "bench.csv"
    numbers = nhs_number.generate(quantity=rows)  # type: ignore[attr-defined]
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "row_key",
                "nhs_number",
                "given_names",
                "family_name",
                "birth_date",
                "gender",
                "postcode",
                "phone",
                "referrer_ods_code",
                "reason_code",
                "preferences",
            ]
        )
        for n, number in enumerate(numbers):
            writer.writerow(
                [
                    f"R{n}",
                    number,
                    "Sam",
                    f"Person{n}",
                    "1960-05-01",
                    "F",
                    "LS8 5HX",
                    "07700 900123",
                    "B86001",
                    "44054006",
                    "mentor-gender:female;language:pa",
                ]
            )
    url = infra.create_database(f"bench_{uuid.uuid4().hex[:12]}")
    env = os.environ | service_environment(infra, REFERRALS.name, database_url=url, log_level="warning")
    command = [
        sys.executable,
        "-c",
        "from peer_referrals.commands import app; app()",
        "import-csv",
        str(path),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"import failed: {result.stderr[-2000:]}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"CSV import of {rows} rows: {rows / elapsed:7.0f} rows/s   {elapsed:6.1f} s   "
        f"peak memory {peak_mib:.0f} MiB (the whole child process)"
    )


def main() -> None:
    """Start the infrastructure, run both measurements, print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m peer_bench.referrals_intake",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=3000, help="requests per concurrency level")
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--replicas", type=int, default=1, help="service processes sharing the database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="referrals-bench-") as folder:
        ports = {"nats_port": 0, "postgres_port": 0, "nats_monitor_port": 0}
        with EmbeddedInfrastructure(Path(folder) / "infra", **ports) as infra:
            fhir_ingest(infra, args.requests, args.replicas)
            if args.csv_rows:
                csv_import(infra, args.csv_rows, Path(folder))


if __name__ == "__main__":
    main()
