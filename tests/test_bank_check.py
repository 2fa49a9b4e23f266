"""`viva bank check` rejects every broken rubric with a message naming the file, the question and the field."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli import viva
from viva.bank import load_bank
from viva.errors import BankError

Mutation = Callable[[dict[str, Any]], None]

GOOD_QUESTION: dict[str, Any] = {
    "id": "coach-question",
    "number": 90,
    "question": "What is a learning curve?",
    "difficulty": "fresher",
    "model_answer": "A plot of training and validation error against the amount of training data.",
    "key_points": [
        {
            "id": "plot",
            "text": "It plots error against training set size.",
            "follow_up": "What is on its axes?",
        },
        {"id": "two-curves", "text": "It shows a training curve and a validation curve."},
        {"id": "diagnosis", "text": "The gap between the curves diagnoses bias or variance."},
    ],
    "misconceptions": [
        {
            "id": "epochs",
            "text": "A learning curve plots the learning rate over epochs.",
            "contradicts": "plot",
            "explanation": "That is a learning-rate schedule; a learning curve plots error against data size.",
        }
    ],
}


def _set(path: str, value: Any) -> Mutation:
    def mutate(question: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = question
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(key: str) -> Mutation:
    def mutate(question: dict[str, Any]) -> None:
        del question[key]

    return mutate


def _counting(of: list[str], at_least: int) -> Mutation:
    def mutate(question: dict[str, Any]) -> None:
        question["key_points"][2] |= {"of": of, "at_least": at_least}

    return mutate


def _too_many_key_points(question: dict[str, Any]) -> None:
    question["key_points"] += [{"id": f"extra-{i}", "text": f"Extra point {i}."} for i in range(5)]


BREAKAGES: dict[str, tuple[Mutation, str]] = {
    "a number where a list belongs": (_set("key_points", 5), "key_points"),
    "a duplicate key point id": (_set("key_points.1.id", "plot"), "key_points.1.id"),
    "a misconception pointing at a missing key point": (
        _set("misconceptions.0.contradicts", "no-such-point"),
        "misconceptions.0.contradicts",
    ),
    "a missing model answer": (_delete("model_answer"), "model_answer"),
    "a missing question text": (_delete("question"), "question"),
    "a misspelt field": (_set("key_pionts", []), "key_pionts"),
    "an id that is not a slug": (_set("id", "Learning Curve!"), "id"),
    "an unknown difficulty": (_set("difficulty", "expert"), "difficulty"),
    "a negative weight": (_set("key_points.0.weight", -1), "key_points.0.weight"),
    "a weight that is text": (_set("key_points.2.weight", "heavy"), "key_points.2.weight"),
    "an empty key point text": (_set("key_points.0.text", "   "), "key_points.0.text"),
    "more than seven key points": (_too_many_key_points, "key_points"),
    "a counting point over a missing key point": (
        _counting(of=["plot", "nowhere"], at_least=1),
        "key_points.2.of",
    ),
    "a counting point asking for more than it counts": (
        _counting(of=["plot", "two-curves"], at_least=3),
        "key_points.2.at_least",
    ),
    "a counting point without its number": (
        _set("key_points.2.of", ["plot", "two-curves"]),
        "key_points.2.at_least",
    ),
    "a misconception without an explanation": (
        _set("misconceptions.0.explanation", ""),
        "misconceptions.0.explanation",
    ),
    "a number that is not a number": (_set("number", "seven"), "number"),
}


def _write(directory: Path, name: str, document: Any) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_broken_rubric_is_rejected_naming_file_question_and_field(bank_copy: Path, breakage: str) -> None:
    mutate, field = BREAKAGES[breakage]
    question = copy.deepcopy(GOOD_QUESTION)
    mutate(question)
    _write(bank_copy, "coach.yaml", {"category": "Coach questions", "questions": [question]})

    result = viva("bank", "check")

    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("coach.yaml")]
    assert lines, result.stderr
    assert any(f"field {field}:" in line for line in lines), result.stderr
    assert all("coach-question" in line or "#90" in line for line in lines), result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("questions: [unclosed\n", "not valid YAML at line"),
        ("- just\n- a list\n", "must be a mapping"),
        ("category: Empty\nquestions: []\n", "field questions:"),
    ],
    ids=["yaml syntax error", "a list instead of a mapping", "no questions"],
)
def test_malformed_file_is_named(bank_copy: Path, content: str, expected: str) -> None:
    (bank_copy / "coach.yaml").write_text(content, encoding="utf-8")
    result = viva("bank", "check")
    assert result.exit_code == 1
    assert any(line.startswith("coach.yaml") and expected in line for line in result.stderr.splitlines())


def test_file_that_is_not_utf8_is_named(bank_copy: Path) -> None:
    (bank_copy / "coach.yaml").write_bytes("category: Caf\xe9\n".encode("latin-1"))
    result = viva("bank", "check")
    assert result.exit_code == 1
    assert "coach.yaml: not UTF-8" in result.stderr


def test_the_contract_example_of_a_broken_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.yaml").write_text("questions:\n  - id: broken\n    key_points: 5\n")
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path))
    result = viva("bank", "check")
    assert result.exit_code != 0
    assert (
        "bad.yaml: question 'broken': field key_points: Input should be a valid list (got int 5)"
        in result.stderr
    )


def test_question_id_used_in_two_files_is_rejected(bank_copy: Path) -> None:
    clash = copy.deepcopy(GOOD_QUESTION) | {"id": "overfitting", "number": None}
    _write(bank_copy, "coach.yaml", {"category": "Coach", "questions": [clash]})
    result = viva("bank", "check")
    assert result.exit_code == 1
    clash_lines = [line for line in result.stderr.splitlines() if "field id: duplicate question id" in line]
    assert len(clash_lines) == 1
    assert "question 'overfitting'" in clash_lines[0]
    assert "coach.yaml" in clash_lines[0] and "fundamentals.yaml" in clash_lines[0]


def test_question_number_used_in_two_files_is_rejected(bank_copy: Path) -> None:
    _write(bank_copy, "coach.yaml", {"category": "Coach", "questions": [GOOD_QUESTION | {"number": 7}]})
    result = viva("bank", "check")
    assert result.exit_code == 1
    assert "field number: number 7 is already used in" in result.stderr


def test_every_problem_in_every_file_is_listed_at_once(bank_copy: Path) -> None:
    broken = copy.deepcopy(GOOD_QUESTION)
    del broken["model_answer"]
    broken["difficulty"] = "expert"
    _write(bank_copy, "a-coach.yaml", {"category": "Coach", "questions": [broken]})
    _write(bank_copy, "b-coach.yaml", {"category": "Coach", "questions": [{"id": "x"}]})
    problems = viva("bank", "check").stderr
    assert "a-coach.yaml: question 'coach-question' (#90): field model_answer" in problems
    assert "a-coach.yaml: question 'coach-question' (#90): field difficulty" in problems
    assert "b-coach.yaml: question 'x': field question" in problems


def test_loading_never_half_succeeds(bank_copy: Path) -> None:
    _write(bank_copy, "coach.yaml", {"category": "Coach", "questions": [GOOD_QUESTION | {"key_points": 5}]})

    with pytest.raises(BankError) as raised:
        load_bank(bank_copy)
    assert len(raised.value.problems) == 1

    listing = viva("bank", "list")
    assert listing.exit_code == 1
    assert listing.stdout == ""
    assert "coach.yaml" in listing.stderr


def test_a_coach_question_with_only_a_reference_answer_loads_beside_the_seeds(bank_copy: Path) -> None:
    own = {
        "id": "learning-curve",
        "question": "What is a learning curve?",
        "model_answer": "A plot of training and validation error against training set size.",
    }
    _write(bank_copy, "my-questions.yaml", {"category": "Coach questions", "questions": [own]})

    result = viva("bank", "check")
    assert result.exit_code == 0, result.stderr
    assert "OK: 51 questions" in result.stdout

    question = load_bank(bank_copy).get("learning-curve")
    assert question.number == 51
    assert question.category == "Coach questions"
    assert question.reference_mode


def test_a_bank_of_one_question_is_counted_in_the_singular(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = {
        "id": "learning-curve",
        "question": "What is a learning curve?",
        "model_answer": "A plot of error against data.",
    }
    _write(tmp_path, "mine.yaml", {"category": "Coach questions", "questions": [own]})
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path))
    result = viva("bank", "check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: 1 question in ")


def test_missing_rubrics_folder_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path / "nowhere"))
    result = viva("bank", "check")
    assert result.exit_code == 1
    assert "no such folder (set VIVA_RUBRICS_DIR" in result.stderr


def test_hidden_files_and_folders_in_the_rubrics_folder_are_not_read(bank_copy: Path) -> None:
    workflows = bank_copy / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: push\njobs:\n  check:\n    runs-on: ubuntu-latest\n")
    (bank_copy / ".draft.yaml").write_text("questions: [half a thought\n")
    result = viva("bank", "check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: 50 questions")
