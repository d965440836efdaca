"""The console's own database: accounts only (no programme data), and its migrations."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
