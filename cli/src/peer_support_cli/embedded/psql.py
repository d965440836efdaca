"""Running SQL through the bundled psql, with credentials kept off the command line."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .paths import postgres_bin_dir


def quote(value: str) -> str:
    """Quote a psql meta-command argument (backslashes escape, quotes double)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def file_script(path: Path, variables: Mapping[str, str]) -> str:
    """A psql script that sets variables (as -v would) and then runs the file."""
    lines = [f"\\set {name} {quote(value)}" for name, value in variables.items()]
    return "\n".join([*lines, f"\\i {quote(str(path))}", ""])


def run(url: str, script: str) -> str:
    """Run script with psql against url (postgresql[+driver]://user:pw@host:port/db).

    Everything secret travels in the environment and stdin: a command line is
    visible to every local user. Raises RuntimeError with psql's message on error.
    """
    parts = urlsplit(url)
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": unquote(parts.username or "postgres"),
        "PGPASSWORD": unquote(parts.password or ""),
        "PGDATABASE": unquote(parts.path.lstrip("/")) or "postgres",
    }
    command = [str(postgres_bin_dir() / "psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"]
    result = subprocess.run(command, input=script, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed on {env['PGHOST']}:{env['PGPORT']}: {result.stderr}")
    return result.stdout
