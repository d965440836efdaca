"""The figures: rows of the results table, latency percentiles, and what is printed after the run."""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time


@dataclasses.dataclass
class Row:
    """One line of the results table."""

    phase: str
    what: str
    count: int
    seconds: float
    note: str = ""
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None

    @property
    def rate(self) -> float:
        """Events per second."""
        return self.count / self.seconds if self.seconds > 0 else 0.0


@dataclasses.dataclass
class PhaseResult:
    """The rows a phase adds to the table, and the lines it adds below it."""

    rows: list[Row]
    notes: list[str]
    rate: float = 0.0


def progress(message: str) -> None:
    """A progress line on stderr, so a long run shows where it is."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(q / 100 * len(ordered)))) - 1]


def latency_row(phase: str, what: str, seconds: float, latencies: list[float], note: str = "") -> Row:
    """A row with p50/p99/max of latencies given in seconds."""
    if not latencies:
        return Row(phase, what, 0, seconds, note or "no events")
    return Row(
        phase,
        what,
        len(latencies),
        seconds,
        note,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=max(latencies) * 1000,
    )


def print_table(rows: list[Row]) -> None:
    """A fixed-width table of the figures."""

    def ms(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    header = ("phase", "measurement", "events", "seconds", "events/s", "p50 ms", "p99 ms", "max ms", "note")
    cells = [
        (
            r.phase,
            r.what,
            str(r.count),
            f"{r.seconds:.2f}",
            f"{r.rate:,.0f}",
            ms(r.p50_ms),
            ms(r.p99_ms),
            ms(r.max_ms),
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    right = {2, 3, 4, 5, 6, 7}

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line(c))


def print_results(rows: list[Row], notes: list[str], args: argparse.Namespace, machine: list[str]) -> None:
    """The table, the phases' notes, how the run was laid out, and the machine it ran on."""
    print()
    print_table(rows)
    print()
    for note in notes:
        print(note)
    layout = "one process" if args.in_process else "relay, load generator and consumer in separate processes"
    relay_batch = args.relay_batch or "default"
    consumer_batch = args.consumer_batch or "default"
    gc_note = "" if args.gc_freeze else "; no gc.freeze()"
    print(
        f"layout: {layout}; {args.handler} handler; relay batch {relay_batch}, "
        f"consumer batch {consumer_batch}{gc_note}"
    )
    for line in machine:
        print(line)
