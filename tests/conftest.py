"""Fixtures shared by the whole suite."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright
from pydantic import SecretStr

from tests import postgres
from tests.browser import ARGS, INSTALL, chromium
from viva.api.app import create_app
from viva.bank import load_bank
from viva.config import Settings, get_settings
from viva.grading import Grader, LocalEmbedder
from viva.resources import resource_dir


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of rubric embeddings for the whole run: each `viva` command need not re-encode the bank."""
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(autouse=True)
def _isolated_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding_cache: Path
) -> Iterator[None]:
    """Each test gets its own data dir and fresh settings, whatever the developer's environment says."""
    monkeypatch.setenv("VIVA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VIVA_CACHE_DIR", str(embedding_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in (
        "VIVA_RUBRICS_DIR",
        "VIVA_DATABASE_URL",
        "VIVA_LLM_BASE_URL",
        "VIVA_EMBEDDING_BASE_URL",
        "VIVA_COACH_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # so a developer's .env is not read
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def bank_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the bundled bank, set as VIVA_RUBRICS_DIR."""
    directory = tmp_path / "rubrics"
    shutil.copytree(resource_dir("rubrics"), directory)
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(directory))
    get_settings.cache_clear()
    return directory


@pytest.fixture(scope="session")
def embedder() -> LocalEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run."""
    return LocalEmbedder()


@pytest.fixture(scope="session")
def grader(embedder: LocalEmbedder, embedding_cache: Path) -> Grader:
    """The real grader: the bundled model, the bundled bank, the shipped calibration."""
    return Grader(load_bank(resource_dir("rubrics")), embedder, cache_dir=embedding_cache)


def _require_postgres() -> None:
    if postgres.binaries() is None:
        message = f"PostgreSQL is not installed: {postgres.INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One real PostgreSQL server for the run (each test gets a database of its own on it)."""
    _require_postgres()
    with postgres.postgres_server() as server:
        yield server.url


@pytest.fixture
def own_postgres() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL server of the test's own, for tests that stop it."""
    _require_postgres()
    with postgres.postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store, service and API test runs on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'viva.db'}"
    return postgres.new_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def api_settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for an app under test: its own database, one coach, no waiting to batch."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        coach_token=SecretStr("ada:coach-secret,grace:second-coach-secret"),
        batch_window_ms=1,
    )


@pytest.fixture
def api(api_settings: Settings, grader: Grader) -> Iterator[TestClient]:
    """The service over HTTP (in process), on a real SQLite file, with the shared grader."""
    with TestClient(create_app(api_settings, grader)) as client:
        yield client


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for every page test; where it is missing, a skip that says how to
    install it (a failure under CI)."""
    executable = chromium()
    if executable is None:
        message = f"Chromium is not installed: {INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=ARGS, headless=True)
        yield launched
        launched.close()
