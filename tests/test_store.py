"""The store: migrations build exactly the tables the models describe; writers to one interview queue up."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

import viva.store.models  # noqa: F401
from viva.store.database import create_database_engine, lock_row, migrate
from viva.store.models import Interview


def test_migrations_build_an_empty_database_matching_the_models(database_url: str) -> None:
    engine = create_database_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
        assert set(inspect(connection).get_table_names()) == {
            "interview",
            "turn",
            "override",
            "comment",
            "alembic_version",
        }
    migrate(engine)  # a second start changes nothing
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'viva.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_sqlite_keeps_one_connection_per_request_thread_open(tmp_path: Path) -> None:
    """32 requests at once, again and again, reuse their connections: a new one would set its pragmas again."""
    engine = create_database_engine(f"sqlite:///{tmp_path / 'viva.db'}")
    opened: list[object] = []
    event.listen(engine, "connect", lambda *_: opened.append(None))
    everyone = threading.Barrier(32)

    def request() -> None:
        with Session(engine) as session:
            session.connection()
            everyone.wait(timeout=30)  # all 32 hold a connection at the same moment
            session.execute(text("SELECT 1"))

    for _ in range(3):
        threads = [threading.Thread(target=request) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(opened) == 32
    engine.dispose()


def _interview(key: str) -> Interview:
    return Interview(id=key, candidate="Ada", token_hash="x" * 64, plan=["q"], options={})


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        session.add(_interview("locked"))
        session.commit()
    yield engine
    engine.dispose()


def test_a_writer_waits_until_the_one_holding_the_row_commits(engine: Engine) -> None:
    events: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with Session(engine) as session:
            lock_row(session, Interview, "locked")
            holding.set()
            time.sleep(0.3)
            events.append("first commits")
            session.commit()

    def second() -> None:
        holding.wait(10)
        with Session(engine) as session:
            lock_row(session, Interview, "locked")
            events.append("second has the row")
            session.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert events == ["first commits", "second has the row"]


@pytest.mark.parametrize("ending", ["rollback", "close", "error"])
def test_a_writer_that_gives_up_without_committing_lets_the_next_one_in(engine: Engine, ending: str) -> None:
    session = Session(engine)
    lock_row(session, Interview, "locked")
    if ending == "rollback":
        session.rollback()
    elif ending == "close":
        session.close()
    else:
        with pytest.raises(IntegrityError):
            session.add(_interview("locked"))  # the same id again
            session.flush()
        session.close()
    # The given-up connection is now pooled: keep it checked out so the next writer has another.
    spare = engine.connect()
    done = threading.Event()

    def next_writer() -> None:
        with Session(engine) as other:
            lock_row(other, Interview, "locked")
            other.commit()
        done.set()

    threading.Thread(target=next_writer, daemon=True).start()
    assert done.wait(10), "the next writer is still waiting for a lock nobody holds"
    spare.close()


def test_a_transaction_that_read_before_another_write_still_gets_the_row_and_sees_that_write(
    engine: Engine,
) -> None:
    with Session(engine, expire_on_commit=False) as reader:
        assert reader.get(Interview, "locked") is not None  # a read: SQLite's snapshot is taken here
        with Session(engine) as writer:
            lock_row(writer, Interview, "locked")
            row = writer.get(Interview, "locked")
            assert row is not None
            row.candidate = "Grace"
            writer.commit()
        lock_row(reader, Interview, "locked")  # SQLite: "database is locked" at once, before the fix
        locked = reader.get(Interview, "locked")
        assert locked is not None and locked.candidate == "Grace"
        reader.commit()
