"""The store: migrations build exactly the tables the models describe, on an empty database."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import viva.store.models  # noqa: F401
from viva.store.database import create_database_engine, migrate


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
