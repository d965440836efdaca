"""An unprivileged account for Postgres, which refuses to run as root (CI, containers)."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from pathlib import Path
from typing import Any

NAME = "peersupport"


def ensure() -> str:
    """Create the system account once (needs root); return its name."""
    try:
        pwd.getpwnam(NAME)
    except KeyError:
        shell = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
        command = ["useradd", "--system", "--user-group", "--no-create-home", "--shell", shell]
        result = subprocess.run([*command, NAME], capture_output=True, text=True, check=False)
        # Another launcher may have created it meanwhile: only its absence is fatal.
        try:
            pwd.getpwnam(NAME)
        except KeyError:
            raise RuntimeError(f"useradd {NAME} failed: {result.stderr.strip()}") from None
    return NAME


def popen_identity(user: str | None) -> dict[str, Any]:
    """subprocess keyword arguments that run a child as user (no change when None)."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    # extra_groups=[] drops root's supplementary groups too.
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def give(path: Path, user: str) -> None:
    """Make user the owner of path."""
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _add_mode(path: Path, bits: int) -> None:
    mode = path.stat().st_mode
    if mode & bits != bits:
        path.chmod(stat.S_IMODE(mode) | bits)


def prepare(pgdata: Path, install_dir: Path, user: str) -> None:
    """Let user own pgdata, reach it, and read and run the Postgres installation.

    Only the search (x) bit is added on the folders above pgdata: other users can
    pass through them but not list them.
    """
    entry = pwd.getpwnam(user)
    if pgdata.stat().st_uid != entry.pw_uid:
        for root, _, files in os.walk(pgdata):
            for name in (root, *(os.path.join(root, file) for file in files)):
                os.chown(name, entry.pw_uid, entry.pw_gid)
    for folder in [*pgdata.resolve().parents, *install_dir.resolve().parents]:
        _add_mode(folder, stat.S_IXOTH)
    readable = stat.S_IRGRP | stat.S_IROTH
    for root, _, files in os.walk(install_dir):
        _add_mode(Path(root), readable | stat.S_IXGRP | stat.S_IXOTH)
        for file in files:
            path = Path(root, file)
            executable = path.stat().st_mode & stat.S_IXUSR
            _add_mode(path, readable | (stat.S_IXGRP | stat.S_IXOTH if executable else 0))
