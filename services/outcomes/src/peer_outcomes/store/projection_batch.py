"""Projection rows collected in memory and written with one upsert per table.

Events arrive in any order across streams and may arrive twice, so every write is an upsert whose result
does not depend on order: a column is only ever filled in (`fill`), the earliest date kept (`least`), a
row never changes once written (`keep`), or the highest revision wins (`revision`). Rows for one key in
one batch are merged in memory by the same rule first (Postgres refuses to touch a row twice in one
statement). The live consumers flush once per fetched batch; a rebuild flushes every few thousand events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from peer_outcomes.store.tables import (
    rpt_cohort_members,
    rpt_cohorts,
    rpt_group_attendance,
    rpt_group_cancellations,
    rpt_group_sessions,
    rpt_matches,
    rpt_measures,
    rpt_mentors,
    rpt_pairings,
    rpt_pam,
    rpt_referrals,
    rpt_sessions,
)


class Merge(StrEnum):
    """How a new row combines with the one already there."""

    FILL = "fill"
    KEEP = "keep"
    REVISION = "revision"


@dataclass(frozen=True)
class Upsert:
    """How one projection table is written."""

    table: Table
    merge: Merge
    least: tuple[str, ...] = ()
    """With `fill`: columns that keep the earliest value rather than the first one given."""

    @property
    def key(self) -> tuple[str, ...]:
        """The primary key's column names."""
        return tuple(column.name for column in self.table.primary_key.columns)

    def combine(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        """Merge two rows for the same key exactly as the SQL upsert would."""
        if self.merge is Merge.KEEP:
            return old
        if self.merge is Merge.REVISION:
            return new if new["revision"] > old["revision"] else old
        merged = dict(old)
        for name, value in new.items():
            if value is None:
                continue
            current = merged.get(name)
            if name in self.least and current is not None:
                merged[name] = min(current, value)
            else:
                merged[name] = value
        return merged

    def statement(self) -> str:
        """`INSERT ... SELECT FROM unnest(arrays) ON CONFLICT ...`: one statement for any number of rows."""
        columns = [column.name for column in self.table.columns]
        dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
        arrays = ", ".join(
            f"CAST(:{c.name} AS {c.type.compile(dialect=dialect)}[])" for c in self.table.columns
        )
        target = f"INSERT INTO {self.table.name} AS t ({', '.join(columns)}) SELECT * FROM unnest({arrays})"
        conflict = f" ON CONFLICT ({', '.join(self.key)}) DO "
        others = [c for c in columns if c not in self.key]
        if self.merge is Merge.KEEP:
            return target + conflict + "NOTHING"
        if self.merge is Merge.REVISION:
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
            return target + conflict + f"UPDATE SET {sets} WHERE EXCLUDED.revision > t.revision"
        sets = ", ".join(
            f"{c} = LEAST(t.{c}, EXCLUDED.{c})" if c in self.least else f"{c} = COALESCE(EXCLUDED.{c}, t.{c})"
            for c in others
        )
        return target + conflict + f"UPDATE SET {sets}"


REFERRALS = Upsert(rpt_referrals, Merge.FILL)
MATCHES = Upsert(rpt_matches, Merge.KEEP)
MENTORS = Upsert(rpt_mentors, Merge.FILL, least=("activated_on",))
PAIRINGS = Upsert(rpt_pairings, Merge.FILL)
SESSIONS = Upsert(rpt_sessions, Merge.REVISION)
PAM = Upsert(rpt_pam, Merge.REVISION)
COHORTS = Upsert(rpt_cohorts, Merge.FILL)
COHORT_MEMBERS = Upsert(rpt_cohort_members, Merge.FILL, least=("waitlisted_on",))
GROUP_SESSIONS = Upsert(rpt_group_sessions, Merge.REVISION)
GROUP_ATTENDANCE = Upsert(rpt_group_attendance, Merge.REVISION)
GROUP_CANCELLATIONS = Upsert(rpt_group_cancellations, Merge.KEEP)
MEASURES = Upsert(rpt_measures, Merge.REVISION)
UPSERTS = (
    REFERRALS,
    MATCHES,
    MENTORS,
    PAIRINGS,
    SESSIONS,
    PAM,
    COHORTS,
    COHORT_MEMBERS,
    GROUP_SESSIONS,
    GROUP_ATTENDANCE,
    GROUP_CANCELLATIONS,
    MEASURES,
)
_STATEMENTS = {upsert.table.name: text(upsert.statement()) for upsert in UPSERTS}


@dataclass
class ProjectionBatch:
    """Rows waiting to be written, merged per key."""

    rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = field(default_factory=dict)
    size: int = 0

    def put(self, upsert: Upsert, row: dict[str, Any]) -> None:
        """Add a (possibly partial) row; the key columns must be given."""
        pending = self.rows.setdefault(upsert.table.name, {})
        key = tuple(row[name] for name in upsert.key)
        old = pending.get(key)
        pending[key] = row if old is None else upsert.combine(old, row)
        self.size += 1

    async def flush(self, session: AsyncSession) -> None:
        """Write every pending row and start empty."""
        for upsert in UPSERTS:
            pending = self.rows.get(upsert.table.name)
            if pending:
                await session.execute(_STATEMENTS[upsert.table.name], _as_arrays(upsert, pending.values()))
        self.rows.clear()
        self.size = 0


def _as_arrays(upsert: Upsert, rows: Iterable[dict[str, Any]]) -> dict[str, list[Any]]:
    columns = [column.name for column in upsert.table.columns]
    arrays: dict[str, list[Any]] = {name: [] for name in columns}
    for row in rows:
        for name in columns:
            arrays[name].append(row.get(name))
    return arrays
