"""`viva coach token`, `viva transcripts list` and `viva export`: the store from the command line."""

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.cli import viva
from tests.interviews import answer, start
from viva.config import Settings


@pytest.fixture
def stored(api: TestClient, api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """An interview stored by the service, in the database the command line will read."""
    interview = start(api, candidate="Ada", count=1, questions=[7], follow_ups=False)
    answer(api, interview, "Overfitting is memorising noise.")
    monkeypatch.setenv("VIVA_DATABASE_URL", api_settings.resolved_database_url)
    return str(interview["id"])


def test_coach_token_prints_a_fresh_random_token() -> None:
    first, second = viva("coach", "token"), viva("coach", "token")
    assert len(first.stdout.strip()) >= 40 and first.stdout != second.stdout
    named = viva("coach", "token", "--name", "ada")
    assert named.stdout.startswith("ada:")
    assert "VIVA_COACH_TOKEN=" in named.stderr


def test_a_coach_name_with_a_comma_is_refused_as_part_of_it_would_become_a_token_of_its_own() -> None:
    result = viva("coach", "token", "--name", "Smith, Jane")
    assert result.exit_code == 2
    assert "may not contain a comma" in result.stderr
    assert result.stdout == ""


def test_transcripts_list_shows_stored_interviews(stored: str) -> None:
    table = viva("transcripts", "list")
    assert stored in table.stdout and "'Ada'" in table.stdout and "1/1" in table.stdout
    rows = json.loads(viva("transcripts", "list", "--json").stdout)
    assert [r["id"] for r in rows] == [stored]


def test_export_writes_each_format(stored: str, tmp_path: Path) -> None:
    data = json.loads(viva("export", stored, "--format", "json").stdout)
    assert data["turns"][0]["answer"] == "Overfitting is memorising noise."
    rows = list(csv.DictReader(io.StringIO(viva("export", stored, "--format", "csv").stdout)))
    assert rows[0]["question_number"] == "7"
    target = tmp_path / "out.md"
    viva("export", stored, "--format", "md", "--output", str(target))
    assert target.read_text().startswith("# Mock interview: Ada")


def test_export_to_a_folder_or_nowhere_says_so_in_one_line(stored: str, tmp_path: Path) -> None:
    folder = viva("export", stored, "--output", str(tmp_path))
    assert folder.exit_code == 2 and "directory" in folder.stderr and "Traceback" not in folder.output
    nowhere = viva("export", stored, "--output", str(tmp_path / "missing" / "out.json"))
    assert nowhere.exit_code == 1
    assert nowhere.stderr.startswith(f"error: cannot write {tmp_path / 'missing' / 'out.json'}")


def test_export_of_an_unknown_interview_says_so(stored: str) -> None:
    result = viva("export", "no-such-id")
    assert result.exit_code == 1
    assert "No interview 'no-such-id'" in result.stderr


@pytest.mark.parametrize("command", [["transcripts", "list"], ["export", "0" * 32]])
def test_a_database_url_viva_cannot_use_is_one_line(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("VIVA_DATABASE_URL", "garbage")
    result = viva(*command)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: VIVA_DATABASE_URL='garbage' is not a database URL: expected postgresql://"
    )
    assert len(result.stderr.splitlines()) == 1
