"""Fixtures shared by the whole suite."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from viva.api.app import create_app
from viva.bank import load_bank
from viva.config import Settings, get_settings
from viva.grading import Grader, LocalEmbedder
from viva.resources import resource_dir


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test gets its own data dir and fresh settings, whatever the developer's environment says."""
    monkeypatch.setenv("VIVA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in ("VIVA_RUBRICS_DIR", "VIVA_DATABASE_URL", "VIVA_LLM_BASE_URL", "VIVA_EMBEDDING_BASE_URL"):
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
def grader(embedder: LocalEmbedder, tmp_path_factory: pytest.TempPathFactory) -> Grader:
    """The real grader: the bundled model, the bundled bank, the shipped calibration."""
    return Grader(load_bank(resource_dir("rubrics")), embedder, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Settings for an app under test: its own SQLite file, one coach, no waiting to batch."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'viva.db'}",
        coach_token=SecretStr("ada:coach-secret,grace:second-coach-secret"),
        batch_window_ms=1,
    )


@pytest.fixture
def api(api_settings: Settings, grader: Grader) -> Iterator[TestClient]:
    """The service over HTTP (in process), on a real SQLite file, with the shared grader."""
    with TestClient(create_app(api_settings, grader)) as client:
        yield client
