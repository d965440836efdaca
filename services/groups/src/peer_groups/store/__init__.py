"""The groups service's tables and migrations."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
