"""The demo's data folder: a fresh one for every run; a previous demo's is cleared, nothing else is."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import typer

MARKER = "demo.json"
"""Written into every demo folder, so that only a demo's folder is ever cleared."""


def _in_use(data_dir: Path) -> bool:
    """Whether a launcher holds the folder's lock (the kernel drops it whenever the launcher dies)."""
    lock = data_dir / "launcher.lock"
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def fresh_data_dir(data_dir: Path, seed: int) -> Path:
    """An empty data folder for this run: a previous demo's is cleared, anything else is refused."""
    data_dir = data_dir.expanduser().resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise typer.BadParameter(f"{data_dir} is a file, not a folder")
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / MARKER).exists():
            raise typer.BadParameter(f"{data_dir} holds something other than a demo; give another folder")
        if _in_use(data_dir):
            raise typer.BadParameter(f"{data_dir} is in use by a running demo or `up`; stop it first")
        shutil.rmtree(data_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    (data_dir / MARKER).write_text(json.dumps({"seed": seed}))
    return data_dir
