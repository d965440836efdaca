"""The matching service's tables, repositories (`*_repo.py`) and migrations."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
