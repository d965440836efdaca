"""The subscriber's own small database: what it has applied, what it parked, and its read model.

SQLite from the standard library keeps the template self-contained; the pattern carries over to Postgres
unchanged: the `applied` row and the handler's effect are written in one transaction, so an event is
either applied and recorded, or neither, and a redelivered copy is recognised by its CloudEvent id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from .contracts import CloudEvent, EventData

D = TypeVar("D", bound=EventData)
Effect = Callable[[sqlite3.Connection, CloudEvent[D]], None]
"""What a handler does with one event, inside the transaction that records it as applied."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS applied (
    event_id   TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parked (
    stream          TEXT NOT NULL,
    stream_sequence INTEGER NOT NULL,
    subject         TEXT NOT NULL,
    event_id        TEXT,
    attempts        INTEGER NOT NULL,
    error           TEXT NOT NULL,
    body            BLOB NOT NULL,
    parked_at       TEXT NOT NULL,
    PRIMARY KEY (stream, stream_sequence)
);
"""


class Store:
    """One SQLite connection, opened when the app starts.

    Calls are synchronous: each transaction is a few local writes, quicker than handing them to a thread
    (and an sqlite3 connection belongs to the thread that opened it).
    """

    def __init__(self, path: Path, read_model: str) -> None:
        self._path = path
        self._read_model = read_model
        self._connection: sqlite3.Connection | None = None

    def open(self) -> None:
        """Connect and create the tables that do not exist yet."""
        # Autocommit mode: transactions are explicit (`transaction()`), not sqlite3's implicit ones.
        self._connection = sqlite3.connect(self._path, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.executescript(SCHEMA + self._read_model)

    def close(self) -> None:
        """Close the connection (the app's shutdown hook)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        if self._connection is None:
            raise RuntimeError("the store is not open")
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield self._connection
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def apply_once(self, event: CloudEvent[D], effect: Effect[D]) -> bool:
        """Apply an event unless its id was applied before; False for a repeat (nothing done)."""
        with self.transaction() as tx:
            recorded = tx.execute(
                "INSERT INTO applied (event_id, event_type, applied_at) VALUES (?, ?, ?)"
                " ON CONFLICT (event_id) DO NOTHING",
                (str(event.id), event.type, _now()),
            )
            if recorded.rowcount == 0:
                return False
            effect(tx, event)
        return True

    def park(
        self,
        *,
        stream: str,
        stream_sequence: int,
        subject: str,
        event_id: str | None,
        attempts: int,
        error: str,
        body: bytes,
    ) -> None:
        """Keep an event that kept failing, for someone to look at and replay by hand."""
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO parked VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (stream, stream_sequence) DO UPDATE SET attempts = excluded.attempts,"
                " error = excluded.error, parked_at = excluded.parked_at",
                (stream, stream_sequence, subject, event_id, attempts, error, body, _now()),
            )


def _now() -> str:
    return datetime.now(UTC).isoformat()
