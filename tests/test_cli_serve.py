"""`viva serve` refuses to start on what cannot work, with one line saying what to fix, never a traceback."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli import viva
from tests.fakes.openai_server import free_port
from viva.store.database import create_database_engine, migrate


def refused(*args: str) -> str:
    """Run `viva serve ARGS`, check it stopped before serving with an error and no traceback; its stderr."""
    result = viva("serve", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_an_empty_rubrics_folder_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rubrics").mkdir()
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path / "rubrics"))
    assert "rubrics: no rubric files (*.yaml or *.yml) in this folder" in refused("--port", str(free_port()))


def test_a_missing_rubrics_folder_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path / "nowhere"))
    assert "no such folder (set VIVA_RUBRICS_DIR" in refused("--port", str(free_port()))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("garbage", "error: VIVA_DATABASE_URL='garbage' is not a database URL: expected postgresql://"),
        (
            "mysql://viva@db/viva",
            "error: VIVA_DATABASE_URL names a mysql database: Viva stores transcripts in",
        ),
    ],
)
def test_a_database_url_viva_cannot_use_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, url: str, expected: str
) -> None:
    monkeypatch.setenv("VIVA_DATABASE_URL", url)
    assert refused("--port", str(free_port())).startswith(expected)


def test_a_database_that_does_not_answer_stops_the_start_without_showing_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VIVA_DATABASE_URL", f"postgresql://viva:hunter2@127.0.0.1:{free_port()}/viva")
    problem = refused("--port", str(free_port()))
    assert "cannot reach the database at postgresql://viva:***@127.0.0.1:" in problem
    assert "Connection refused" in problem and "hunter2" not in problem


def test_a_database_a_newer_viva_has_migrated_stops_the_start_with_one_line(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """An operator rolling back to an older Viva met Alembic's traceback and exit status 3."""
    engine = create_database_engine(database_url)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_a_newer_viva'"))
    engine.dispose()
    monkeypatch.setenv("VIVA_DATABASE_URL", database_url)
    problem = refused("--port", str(free_port()))
    assert "is at schema revision '0099_from_a_newer_viva', which this Viva does not know" in problem
    assert "a newer Viva has migrated it; run that version, or set VIVA_DATABASE_URL" in problem


def test_a_port_in_use_stops_the_start_and_says_how_to_choose_another(taken_port: int) -> None:
    problem = refused("--port", str(taken_port))
    assert problem == (
        f"error: cannot listen on 127.0.0.1:{taken_port}: Address already in use; another process is listening"
        " there: stop it, or choose another port with --port or VIVA_PORT\n"
    )


@pytest.mark.parametrize(("port", "problem"), [("0", "greater than or equal to 1"), ("65536", "less than")])
def test_a_port_out_of_range_is_a_usage_error_not_another_port(port: str, problem: str) -> None:
    result = viva("serve", "--port", port)
    assert result.exit_code == 2  # a usage error: port 0 had started the server on 8000
    assert f"Invalid value for '--port': Input should be {problem}" in result.output


def test_the_help_says_where_the_defaults_come_from() -> None:
    """Rich read "[default: VIVA_HOST]" as markup and printed "Interface to listen on ."."""
    shown = " ".join(viva("serve", "--help").output.replace("│", " ").split())
    assert "Interface to listen on (default: VIVA_HOST)." in shown
    assert "Port to listen on (default: VIVA_PORT)." in shown


def test_an_embeddings_server_that_does_not_answer_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIVA_EMBEDDING_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv(
        "VIVA_CACHE_DIR", str(tmp_path / "empty-cache")
    )  # nothing cached: the bank is embedded
    assert "error: The embeddings server at http://127.0.0.1:" in refused("--port", str(free_port()))
