"""The `viva` command line, as a user types it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import viva
from viva import __version__


def test_version_is_printed() -> None:
    result = viva("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"viva {__version__}"


@pytest.mark.parametrize(
    "command",
    [[], ["bank"], ["bank", "list"], ["bank", "show"], ["bank", "check"], ["bank", "schema"], ["serve"]],
    ids=lambda c: " ".join(c) or "viva",
)
def test_every_command_has_help(command: list[str]) -> None:
    result = viva(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_bank_list_prints_one_line_per_question() -> None:
    lines = viva("bank", "list").stdout.splitlines()
    assert len(lines) == 50
    assert lines[6].split()[0] == "7"
    assert lines[6].endswith("What is Overfitting and how do you prevent it?")


def test_bank_list_json_has_the_fields_clients_rely_on() -> None:
    questions = json.loads(viva("bank", "list", "--json").stdout)
    assert len(questions) == 50
    for q in questions:
        assert {"number", "id", "category", "difficulty", "question", "key_points", "misconceptions"} <= set(
            q
        )
        assert all({"id", "text"} <= set(point) for point in q["key_points"])


def test_bank_show_renders_one_question_by_number_or_id() -> None:
    by_number = viva("bank", "show", "40")
    assert by_number.exit_code == 0
    assert "What is the difference between Bagging and Boosting?" in by_number.stdout
    assert "Key points:" in by_number.stdout and "Misconceptions:" in by_number.stdout
    question_id = by_number.stdout.split("[", 1)[1].split("]", 1)[0]
    assert viva("bank", "show", question_id).stdout == by_number.stdout


def test_bank_show_of_an_unknown_question_says_what_exists() -> None:
    result = viva("bank", "show", "99")
    assert result.exit_code == 1
    assert "No question 99 in the bank: use a number from 1 to 50" in result.stderr


def test_bank_check_passes_on_the_bundled_bank() -> None:
    result = viva("bank", "check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: 50 questions")


def test_bank_schema_is_a_json_schema_editors_can_use() -> None:
    schema = json.loads(viva("bank", "schema").stdout)
    assert schema["type"] == "object"
    assert "questions" in schema["properties"]
    assert "KeyPoint" in schema["$defs"]


def test_installed_console_script_runs() -> None:
    script = Path(sys.executable).with_name("viva")
    done = subprocess.run([str(script), "bank", "list", "--json"], capture_output=True, text=True, check=True)
    assert len(json.loads(done.stdout)) == 50


def test_bank_check_of_an_empty_folder_names_both_rubric_suffixes_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path))
    result = viva("bank", "check")
    assert result.exit_code == 1
    assert f"{tmp_path}: no rubric files (*.yaml or *.yml) in this folder" in result.stderr
