"""Checks made before a command does its work, each failure one line saying what to fix."""

from __future__ import annotations

import errno
import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from viva.errors import VivaError
from viva.store.database import create_database_engine, migrate

DATABASE_EXAMPLES = "postgresql://user:password@host:5432/db, or sqlite:////path/to/viva.db"
LISTEN_ADVICE = {
    errno.EADDRINUSE: "another process is listening there: stop it, or choose another port with --port or VIVA_PORT",
    errno.EADDRNOTAVAIL: "no interface of this machine has that address: set VIVA_HOST to one of its addresses"
    " (0.0.0.0 for all)",
    errno.EACCES: "ports below 1024 need privileges: choose a port above 1024 with --port or VIVA_PORT",
}


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


def migrate_database(url: str) -> None:
    """Bring the database's schema up to date before the server starts, so that a schema this Viva
    cannot use stops the start with one line (the app's own start-up then finds nothing to do)."""
    engine = create_database_engine(url)
    try:
        migrate(engine)
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
