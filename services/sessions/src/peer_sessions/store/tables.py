"""Tables of the sessions service (its own database; no other service reads it)."""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData()
