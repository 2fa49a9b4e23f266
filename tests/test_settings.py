"""Settings come from VIVA_* variables or a .env file, and nowhere else."""

import re
from pathlib import Path

import pytest

from tests.cli import viva
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


def test_viva_settings_lists_every_setting_with_its_variable_and_default() -> None:
    result = viva("settings")
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if line.startswith("| `VIVA_")]
    assert len(rows) == len(Settings.model_fields)
    assert "| `VIVA_PORT` | `8000` |" in result.output
    assert "| `VIVA_DATABASE_URL` | SQLite in the data dir |" in result.output
    assert "| `VIVA_LLM_BASE_URL` | unset |" in result.output


def test_the_readme_settings_table_is_what_viva_settings_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = readme.split("<!-- settings:start -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert documented == viva("settings").output.strip(), "run `viva settings` and paste it into the README"
