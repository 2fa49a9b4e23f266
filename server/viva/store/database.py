"""The database: one engine per process, SQLite tuned for a single server, migrations at start-up."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select

from viva.errors import DatabaseUnavailableError, VivaError

log = logging.getLogger("viva.store")
MIGRATIONS = Path(__file__).with_name("migrations")
WRITE_WAIT = 30.0
"""Seconds a write waits for the one before it (SQLite's busy timeout, and the in-process queue's)."""
_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
"""One lock per SQLite engine, held by the transaction that has taken it (`queue_for_writing`, `lock_row`)."""
_HELD = "viva_writer"
SQLITE_POOL = 40
"""Connections kept open: one per request thread (anyio's default limit is 40). With SQLAlchemy's
default of 5, 32 clients opened 179 connections for 384 answers, each setting its pragmas again."""
MIGRATION_LOCK = 0x56495641  # "VIVA": the PostgreSQL advisory lock replicas take to migrate one at a time


def create_database_engine(url: str) -> Engine:
    """An engine for `url`; a SQLite file gets its folder, WAL, foreign keys and immediate write locks.

    SQL errors never carry their parameters (`hide_parameters`): they would put a candidate's
    answer, or a token's hash, in the logs.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver Viva ships with
    if parsed.get_backend_name() != "sqlite":
        # A database that does not answer fails a request in seconds (503), not at the client's timeout.
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            pool_timeout=10,
            connect_args={"connect_timeout": 5},
            hide_parameters=True,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": WRITE_WAIT},
        hide_parameters=True,
        pool_size=SQLITE_POOL,
    )
    _WRITERS[engine] = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(connection: Any, _: Any) -> None:
        # pysqlite's own transaction handling is off so that BEGIN IMMEDIATE below is ours.
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT * 1000)}")
        cursor.close()
        # SQLite's own lower() folds ASCII letters only: a coach looking for "émile" missed "Émile".
        connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Reads run side by side (WAL); a transaction that will write takes the lock up front
        # with `lock_row`, so two writers queue up instead of failing with "database is locked".
        connection.exec_driver_sql("BEGIN")

    # However the transaction ends, the next writer of this process goes in.
    event.listen(engine, "commit", _release_writer)
    event.listen(engine, "rollback", _release_writer)
    event.listen(engine, "checkin", lambda _, record: _release(record.info))
    return engine


def _lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


def _release_writer(connection: Any) -> None:
    _release(connection.info)


def _release(info: dict[Any, Any]) -> None:
    held = info.pop(_HELD, None)
    if held is not None:
        held.release()


def queue_for_writing(session: Session) -> None:
    """Wait on this process's SQLite writer lock, then hold it until the transaction ends.

    SQLite makes a second writer poll for the file's lock, sleeping up to 100 ms between
    tries; under 32 clients the polling cost 8% of answers per second, and p95 latency
    went from 1.08 to 0.84 s without it (two servers side by side, bench/load.py's load).
    A thread waiting on this lock wakes as the writer before it commits. Other processes
    (a CLI beside the server) still meet SQLite's own wait.
    """
    connection = session.connection()
    writer = _WRITERS.get(connection.engine)
    if writer is None or _HELD in connection.info:
        return
    if not writer.acquire(timeout=WRITE_WAIT):
        raise DatabaseUnavailableError(f"Another write held the database for {WRITE_WAIT:.0f} s.")
    connection.info[_HELD] = writer


def lock_row(session: Session, table: type[SQLModel], key: str | int) -> None:
    """Lock one row for the rest of the transaction: `SELECT ... FOR UPDATE` where the database has
    it, and on SQLite a write that takes the database's write lock (SQLite locks the whole file).

    On SQLite a transaction that has read already sees a snapshot; if another write committed
    since, taking the write lock fails at once (SQLITE_BUSY_SNAPSHOT, which the busy timeout does
    not cover). So a transaction that began before the lock is ended first (it must hold no
    unwritten changes), and the lock opens a fresh one: what the session read before it
    reads again, up to date, after it.
    """
    if session.get_bind().dialect.name == "sqlite":
        if session.in_transaction() and _HELD not in session.connection().info:
            if session.new or session.dirty or session.deleted:
                raise RuntimeError("lock_row must come before the transaction's first change.")
            session.rollback()
        queue_for_writing(session)
        name = table.__tablename__
        session.execute(text(f"UPDATE {name} SET id = id WHERE id = :key"), {"key": key})
    else:
        session.execute(select(table).where(table.id == key).with_for_update())  # type: ignore[attr-defined]


@contextmanager
def rollback_on_error(session: Session) -> Iterator[None]:
    """A refusal after `lock_row` ends the transaction at once: on SQLite the lock holds every writer
    of the process until then."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (replicas take turns on PostgreSQL)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        try:
            _refuse_a_newer_schema(connection, ScriptDirectory.from_config(config))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()


def _refuse_a_newer_schema(connection: Connection, scripts: ScriptDirectory) -> None:
    """Raise `VivaError` if a newer Viva migrated the database: Alembic's own refusal was a traceback,
    and the start of an older Viva after a rollback ended in it with exit status 3."""
    current = MigrationContext.configure(connection).get_current_revision()
    connection.commit()  # the read began a transaction; the upgrade begins its own
    known = {script.revision for script in scripts.walk_revisions()}
    if current is not None and current not in known:
        url = connection.engine.url
        shown = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
        raise VivaError(
            f"the database at {shown} is at schema revision {current!r}, which this Viva does not know"
            f" (its newest is {scripts.get_current_head()!r}): a newer Viva has migrated it; run that"
            " version, or set VIVA_DATABASE_URL to another database"
        )


def ping(engine: Engine) -> None:
    """Raise `DatabaseUnavailableError` unless the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        # Why, for the operator's log only: the driver's message names the database's host and port,
        # and /readyz answers anyone who asks.
        log.warning("database does not answer: %s", error.orig)
        raise DatabaseUnavailableError("The database does not answer; the server's log says why.") from error


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work; the caller commits."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
