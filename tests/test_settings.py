"""Settings come from VIVA_* variables or a .env file, and nowhere else."""

import re
from pathlib import Path

import pytest

from tests.seed import ROOT
from viva.config import Settings
from viva.resources import resource_dir


def test_defaults_point_at_the_bundled_bank_and_loopback() -> None:
    settings = Settings()
    assert settings.rubrics_dir == resource_dir("rubrics")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.resolved_database_url == f"sqlite:///{settings.data_dir / 'viva.db'}"


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path))
    monkeypatch.setenv("VIVA_DATABASE_URL", "postgresql://viva@db/viva")
    monkeypatch.setenv("VIVA_HOST", "0.0.0.0")
    monkeypatch.setenv("VIVA_PORT", "9000")
    settings = Settings()
    assert settings.rubrics_dir == tmp_path
    assert settings.resolved_database_url == "postgresql://viva@db/viva"
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)


def test_a_dot_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("VIVA_PORT=8123\n")
    assert Settings().port == 8123


def test_an_invalid_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_PORT", "99999")
    with pytest.raises(ValueError, match="port"):
        Settings()


def test_no_module_but_config_reads_the_environment() -> None:
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "server" / "viva").rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text(encoding="utf-8"))
        and path.name != "config.py"
    ]
    assert readers == []
