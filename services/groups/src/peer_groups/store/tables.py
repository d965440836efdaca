"""Tables of the groups service (its own database; no other service reads it)."""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData()
