"""How an operator command reaches an installation: the running embedded one, or servers given by URL.

The launcher does not record its ports (they change when a default one is taken), so `up` writes
`<data>/runtime.json` while it runs; credentials come from the data folder's secrets.
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import json
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import nats.errors
import typer
from sqlalchemy.exc import DBAPIError

from peer_shared.db import SessionFactory, make_engine, make_session_factory
from peer_shared.service import ServiceDescriptor
from peer_support_cli.embedded.credentials import load_or_create_secrets
from peer_support_cli.embedded.infrastructure import database_url
from peer_support_cli.services import SERVICES, names, service_named

RUNTIME_FILE = "runtime.json"
DEFAULT_DATA_DIR = Path(".peer-support")
T = TypeVar("T")
P = ParamSpec("P")

DataDirOption = Annotated[
    Path, typer.Option("--data-dir", help="Data folder of the embedded installation (as given to `up`).")
]


def _service(name: str) -> ServiceDescriptor:
    # A BadParameter is shown as a usage error naming the option, as a choice option's would be.
    try:
        return service_named(name, SERVICES)
    except KeyError as error:
        raise typer.BadParameter(error.args[0]) from None


ServiceOption = Annotated[
    ServiceDescriptor,
    typer.Option(
        "--service",
        help="The service whose database to use.",
        parser=_service,
        metavar=f"[{'|'.join(names(SERVICES))}]",
        autocompletion=lambda: list(names(SERVICES)),
    ),
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the service's database (postgresql+asyncpg://...); "
        "default: the running embedded installation's.",
        show_default=False,
    ),
]


class OperatorError(Exception):
    """A command cannot do what it was asked; the message says why."""


def reports_errors(command: Callable[P, None]) -> Callable[P, None]:
    """Show an OperatorError as one line on stderr and exit with code 1, not as a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except OperatorError as error:
            typer.secho(f"Error: {error}", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from error

    return wrapper


@dataclass(frozen=True)
class RuntimeInfo:
    """Where a running `up` listens."""

    nats_url: str
    nats_monitor_url: str | None
    postgres_host: str
    postgres_port: int
    services: dict[str, str]
    """Service -> base HTTP URL."""


def write_runtime(data_dir: Path, info: RuntimeInfo) -> None:
    """Record where the installation listens (no secrets: those stay in secrets.json)."""
    path = data_dir / RUNTIME_FILE
    temporary = path.with_name(f".{RUNTIME_FILE}.tmp")
    temporary.write_text(json.dumps(asdict(info), indent=2))
    os.replace(temporary, path)


def remove_runtime(data_dir: Path) -> None:
    """Forget the addresses: the installation is stopping."""
    (data_dir / RUNTIME_FILE).unlink(missing_ok=True)


def _launcher_running(data_dir: Path) -> bool:
    # The launcher holds an exclusive lock on launcher.lock while it runs; the kernel drops it
    # however the launcher dies, so a runtime.json without the lock is stale.
    try:
        fd = os.open(data_dir / "launcher.lock", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def read_runtime(data_dir: Path) -> RuntimeInfo:
    """Where the running installation on data_dir listens; an error if it is not running."""
    path = data_dir.expanduser().resolve() / RUNTIME_FILE
    if not path.exists() or not _launcher_running(path.parent):
        raise OperatorError(
            f"nothing is running on {path.parent}: start it with `peer-support up --data-dir {data_dir}`"
        )
    return RuntimeInfo(**json.loads(path.read_text()))


def service_database_url(data_dir: Path, name: str, given: str | None) -> str:
    """The given URL, else the database of the service (or web console) called `name`, as its own role,
    in the running installation."""
    if given:
        return given
    runtime = read_runtime(data_dir)
    password = load_or_create_secrets(data_dir.expanduser().resolve()).postgres[name]
    return database_url(name, password, runtime.postgres_host, runtime.postgres_port, name)


def operator_nats(data_dir: Path, nats_url: str | None) -> tuple[str, str, str | None]:
    """(URL, user, password) of the operator's NATS identity.

    With an explicit URL the password comes from PEER_NATS_OPERATOR_PASSWORD, the variable the
    NATS configuration itself reads; otherwise from the running embedded installation.
    """
    if nats_url:
        return nats_url, "operator", os.environ.get("PEER_NATS_OPERATOR_PASSWORD")
    runtime = read_runtime(data_dir)
    password = load_or_create_secrets(data_dir.expanduser().resolve()).nats["operator"]
    return runtime.nats_url, "operator", password


@asynccontextmanager
async def database_sessions(url: str) -> AsyncIterator[SessionFactory]:
    """Sessions on one database for the length of a command."""
    engine = make_engine(url, pool_size=2)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a command's async body, turning connection failures into a readable error."""
    try:
        return asyncio.run(coroutine)
    except DBAPIError as error:
        # The driver's own message, without SQLAlchemy's statement dump.
        raise OperatorError(f"database: {error.orig}") from error
    except (OSError, TimeoutError, nats.errors.Error) as error:
        raise OperatorError(f"cannot reach the server: {error}") from error
