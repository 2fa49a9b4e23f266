"""`viva serve`: run the HTTP service.

Everything that can stop a start is checked before the server runs, each failure
as one line naming what to fix: the settings, the bank, the database (its URL,
and that it answers), that the address can be listened on, then the grader.
Only then does uvicorn start, with the grader already loaded.
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from viva.bank import load_bank
from viva.cli.errors import reported_errors
from viva.config import Settings, get_settings
from viva.errors import VivaError
from viva.grading import load_grader
from viva.logs import configure_logging
from viva.store.database import create_database_engine

DATABASE_EXAMPLES = "postgresql://user:password@host:5432/db, or sqlite:////path/to/viva.db"
LISTEN_ADVICE = {
    errno.EADDRINUSE: "another process is listening there: stop it, or choose another port with --port or VIVA_PORT",
    errno.EADDRNOTAVAIL: "no interface of this machine has that address: set VIVA_HOST to one of its addresses"
    " (0.0.0.0 for all)",
    errno.EACCES: "ports below 1024 need privileges: choose a port above 1024 with --port or VIVA_PORT",
}


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [default: VIVA_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [default: VIVA_PORT].")] = None,
) -> None:
    """Start the Viva HTTP service (API, candidate page and coach pages)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    host, port = host or settings.host, port or settings.port
    with reported_errors():
        load_bank(settings.rubrics_dir)
        check_database(settings.resolved_database_url)
        check_listening(host, port)
        grader = load_grader(settings)
    from viva.api.app import create_app  # the web stack, only for the command that serves it

    uvicorn.run(
        create_app(settings, grader),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=graceful_shutdown_seconds(settings),
    )


def graceful_shutdown_seconds(settings: Settings) -> int:
    """How long a stop may take: answers being graded finish, and so may a critique in flight."""
    return max(30, int(settings.llm_timeout) + 10)


def check_database(url: str) -> None:
    """Raise `VivaError` unless `url` is a SQLite or PostgreSQL URL whose database answers."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise VivaError(
            f"VIVA_DATABASE_URL={url!r} is not a database URL: expected {DATABASE_EXAMPLES}"
        ) from error
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise VivaError(
            f"VIVA_DATABASE_URL names a {parsed.get_backend_name()} database: Viva stores transcripts in"
            f" SQLite or PostgreSQL ({DATABASE_EXAMPLES})"
        )
    shown = parsed.render_as_string(hide_password=True)
    try:
        engine = create_database_engine(url)
    except OSError as error:  # SQLite's folder cannot be made
        raise VivaError(f"cannot create the database at {shown}: {error.strerror or error}") from error
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise VivaError(
            f"cannot reach the database at {shown}: {cause} (is it running, and is VIVA_DATABASE_URL right?)"
        ) from error
    finally:
        engine.dispose()


def check_listening(host: str, port: int) -> None:
    """Raise `VivaError` if the server could not listen on `host:port` (bound the way uvicorn binds)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            advice = LISTEN_ADVICE.get(error.errno or 0, "check VIVA_HOST and VIVA_PORT")
            raise VivaError(f"cannot listen on {host}:{port}: {error.strerror or error}; {advice}") from error
