"""`viva grade` and `viva eval`, as a user runs them."""

import csv
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.cli import viva
from tests.seed import SHARED
from viva.grading import Grade
from viva.grading.grader import Grader, QuestionLike

ANSWER = "Overfitting is when the model memorises noise in the training data and then fails on new data."


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The API here only grades (nothing is stored): SQLite is enough."""
    return f"sqlite:///{tmp_path / 'data' / 'viva.db'}"


def test_grade_prints_a_readable_result() -> None:
    result = viva("grade", "--question", "7", "--answer", ANSWER)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Q7 What is Overfitting and how do you prevent it?")
    assert "Score " in out and "/100" in out
    assert "Covered:" in out and "Missed:" in out
    assert "“" in out  # the candidate's own words, quoted as evidence
    assert "Follow-up:" in out


def test_grade_quotes_the_example_and_the_trade_off_it_heard() -> None:
    answer = (
        ANSWER + " Say a fraud model scores 99% on training and 70% on the holdout."
        " Regularising it helps, at the cost of some training accuracy."
    )
    out = viva("grade", "--question", "7", "--answer", answer).stdout
    assert "  example: “Say a fraud model scores 99% on training and 70% on the holdout.”" in out
    assert "  trade-off: “Regularising it helps, at the cost of some training accuracy.”" in out
    assert "Give one concrete example" not in out


def test_grade_json_is_one_grade_object() -> None:
    result = viva("grade", "--question", "overfitting", "--answer", ANSWER, "--json")
    grade = json.loads(result.stdout)
    assert grade["question"]["number"] == 7
    assert 0 <= grade["score"] <= 100
    assert grade["grader"]["llm_status"] == "disabled"
    for point in grade["key_points"]:
        if point["evidence"]:
            assert ANSWER[point["evidence"]["start"] : point["evidence"]["end"]] == point["evidence"]["text"]


def test_grade_against_a_reference_answer() -> None:
    result = viva(
        "grade",
        "--question",
        "What is a prototype for?",
        "--reference",
        "To simulate the behaviour of portions of the desired software product.",
        "--answer",
        "It simulates part of the product.",
        "--json",
    )
    assert json.loads(result.stdout)["grader"]["method"] == "reference"


def test_grade_of_an_unknown_question_says_so() -> None:
    result = viva("grade", "--question", "99", "--answer", ANSWER)
    assert result.exit_code == 1
    assert "No question 99" in result.stderr


def test_grade_needs_a_question_and_an_answer() -> None:
    result = viva("grade", "--question", "7")
    assert result.exit_code == 2
    assert "--answer" in result.stderr


def test_jsonl_grades_every_line_in_order(tmp_path: Path) -> None:
    lines = [
        {"question": 7, "answer": ANSWER},
        {"question": "bagging-vs-boosting", "answer": "I don't know."},
        {
            "question": "What is a prototype for?",
            "reference": "To simulate part of the product.",
            "answer": "A simulation.",
        },
    ]
    source = tmp_path / "answers.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = viva("grade", "--jsonl", str(source))
    assert result.exit_code == 0, result.output
    grades = [json.loads(line) for line in result.stdout.splitlines()]
    assert [g["question"]["id"] for g in grades[:2]] == ["overfitting", "bagging-vs-boosting"]
    assert grades[1]["score"] == 0
    assert grades[2]["grader"]["method"] == "reference"
    assert "grading" in result.stderr  # the progress bar


def test_jsonl_reads_stdin_and_reports_bad_lines_in_place() -> None:
    stdin = "\n".join(
        [
            json.dumps({"question": 7, "answer": ANSWER}),
            "not json",
            json.dumps({"question": 99, "answer": "x"}),
        ]
    )
    result = viva("grade", "--jsonl", "-", input=stdin)
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert "score" in out[0]
    assert out[1]["error"]["code"] == "invalid_request" and out[1]["line"] == 2
    assert out[2]["error"]["code"] == "unknown_question" and out[2]["line"] == 3
    assert "2 line(s) could not be graded" in result.stderr


def test_eval_on_mohler_rows_prints_agreement(tmp_path: Path) -> None:
    rows = list(csv.DictReader((SHARED / "data" / "mohler-dev.csv").open(encoding="utf-8")))[:60]
    source = tmp_path / "mohler.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    chart = tmp_path / "agreement.png"
    result = viva("eval", str(source), "--json", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["n"] == 60
    assert -1 <= figures["pearson"] <= 1 and -1 <= figures["spearman"] <= 1
    assert figures["pearson"] > 0.2  # Viva agrees with the graders, if only roughly on 60 answers
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_on_rubric_jsonl_groups_by_category(tmp_path: Path) -> None:
    lines = [
        {"question": 7, "answer": ANSWER, "grade": 3},
        {"question": 7, "answer": "It is about models.", "grade": 1},
        {"question": 7, "answer": "", "grade": 0},
        {
            "question": 40,
            "answer": "Bagging averages independent models to cut variance; boosting fits models in sequence to cut bias.",
            "grade": 4,
        },
        {"question": 40, "answer": "No idea.", "grade": 0},
        {"question": 40, "answer": "Both are ensembles.", "grade": 1},
    ]
    source = tmp_path / "graded.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines))
    result = viva("eval", str(source))
    assert result.exit_code == 0, result.output
    assert "pearson" in result.stdout
    assert "ML Fundamentals & Terminology" in result.stdout


def test_eval_names_the_line_of_an_unknown_question_before_grading(tmp_path: Path) -> None:
    source = tmp_path / "graded.jsonl"
    lines = [{"question": 7, "answer": ANSWER, "grade": 3}, {"question": 999, "answer": "x", "grade": 1}]
    source.write_text("\n".join(json.dumps(line) for line in lines))
    result = viva("eval", str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {source}:2: ") and "999" in result.stderr
    assert "grading" not in result.stderr  # refused before the first answer was graded


@pytest.mark.parametrize(
    ("name", "problem"), [("chart.txt", "PNG or SVG"), ("missing/chart.png", "does not exist")]
)
def test_eval_refuses_a_chart_it_could_not_save_before_grading(
    tmp_path: Path, name: str, problem: str
) -> None:
    source = tmp_path / "graded.jsonl"
    lines = [{"question": 7, "answer": ANSWER, "grade": 3}, {"question": 7, "answer": "No idea.", "grade": 0}]
    source.write_text("\n".join(json.dumps(line) for line in lines))
    result = viva("eval", str(source), "--chart", str(tmp_path / name))
    assert result.exit_code == 1 and problem in result.stderr
    assert "grading" not in result.stderr


def test_eval_refuses_a_csv_without_the_mohler_columns(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("a,b\n1,2\n")
    result = viva("eval", str(source))
    assert result.exit_code == 1
    assert "missing column(s)" in result.stderr


HEADER = "question,reference_answer,student_answer,score\n"


def test_eval_grades_a_csv_answer_in_paragraphs_with_its_line_breaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graded: list[str] = []
    grade_many = Grader.grade_many

    def recording(self: Grader, items: Sequence[tuple[QuestionLike, str]]) -> list[Grade]:
        graded.extend(answer for _, answer in items)
        return grade_many(self, items)

    monkeypatch.setattr(Grader, "grade_many", recording)
    source = tmp_path / "graded.csv"
    source.write_text(
        HEADER
        + 'What is X?,X is Y.,"X is Y.\nIt is also Z.",5\n'
        + "What is X?,X is Y.,no idea,0\n"
        + "What is X?,X is Y.,,abc\n"
    )
    result = viva("eval", str(source))
    assert (result.exit_code, result.stderr) == (1, f"error: {source}:5: score 'abc' is not a number\n")
    source.write_text(HEADER + "\n" + 'What is X?,X is Y.,"X is Y.\n\nIt is also Z.",abc\n')
    result = viva("eval", str(source))  # named by the line the row starts on, past a blank line
    assert (result.exit_code, result.stderr) == (1, f"error: {source}:3: score 'abc' is not a number\n")

    source.write_text(
        HEADER + 'What is X?,X is Y.,"X is Y.\nIt is also Z.",5\n' + "What is X?,X is Y.,no idea,0\n"
    )
    result = viva("eval", str(source))
    assert result.exit_code == 0, result.stderr
    assert graded == ["X is Y.\nIt is also Z.", "no idea"]


def test_eval_reads_a_csv_saved_with_a_byte_order_mark_as_spreadsheets_save_it(tmp_path: Path) -> None:
    source = tmp_path / "graded.csv"
    source.write_text(
        HEADER + "What is X?,X is Y.,X is Y.,5\nWhat is X?,X is Y.,no idea,0\n", encoding="utf-8-sig"
    )
    result = viva("eval", str(source), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["n"] == 2


def test_jsonl_with_a_byte_order_mark_grades_its_first_line() -> None:
    result = viva("grade", "--jsonl", "-", input="\ufeff" + json.dumps({"question": 7, "answer": ANSWER}))
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["question"]["number"] == 7


def test_eval_of_a_csv_with_a_header_and_no_rows_says_there_is_nothing_to_measure(tmp_path: Path) -> None:
    source = tmp_path / "graded.csv"
    source.write_text(HEADER)
    result = viva("eval", str(source))
    assert result.exit_code == 1
    assert "missing column" not in result.stderr
    assert "0 graded answer(s)" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "short.csv",
            HEADER + "What is X?,X is Y.,no idea\n",
            "short.csv:2: fewer cells than the header has columns",
        ),
        (
            "blank.csv",
            HEADER + "What is X?,,X is Y.,3\n",
            "blank.csv:2: the question and the reference answer",
        ),
        (
            "nan.csv",
            HEADER + "What is X?,X is Y.,X is Y.,nan\n",
            "nan.csv:2: score 'nan' is not a finite number",
        ),
        (
            "latin1.csv",
            (HEADER + "What is X?,X is a caf\xe9.,X,3\n").encode("latin-1"),
            "not UTF-8 text (byte",
        ),
        (
            "UPPER.CSV",
            HEADER + "What is X?,X is Y.,X is Y.,abc\n",
            "UPPER.CSV:2: score 'abc' is not a number",
        ),
        ("nan.jsonl", '{"question": 7, "answer": "x", "grade": NaN}\n', "nan.jsonl:1: expected"),
    ],
)
def test_eval_names_what_is_wrong_with_a_file_in_one_line(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = viva("eval", str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert expected in result.stderr


def test_grade_runs_as_an_installed_command() -> None:
    script = Path(sys.executable).with_name("viva")
    done = subprocess.run(
        [str(script), "grade", "--question", "7", "--answer", ANSWER, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["question"]["number"] == 7


def test_grade_prints_no_model_loading_progress_bar() -> None:
    script = Path(sys.executable).with_name("viva")
    environment = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_PROGRESS_BARS"}
    done = subprocess.run(
        [str(script), "grade", "--question", "7", "--answer", ANSWER],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    assert done.stdout.startswith("Q7 ")
    assert "Loading weights" not in done.stderr
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], "0 graded answer(s); measuring agreement needs at least 2 with different grades"),
        ([{"question": 7, "answer": ANSWER, "grade": 3}], "1 graded answer(s); measuring agreement needs"),
        (
            [
                {"question": 7, "answer": ANSWER, "grade": 3},
                {"question": 7, "answer": "No idea.", "grade": 3},
            ],
            "every human grade is 3: correlation is undefined when the grades do not vary",
        ),
    ],
)
def test_eval_refuses_a_set_on_which_agreement_is_undefined(
    tmp_path: Path, lines: list[dict[str, object]], expected: str
) -> None:
    source = tmp_path / "graded.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = viva("eval", str(source), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {source}: {expected}" + result.stderr.split(expected, 1)[1]


def test_eval_refuses_when_viva_scores_every_answer_alike(tmp_path: Path) -> None:
    source = tmp_path / "graded.jsonl"
    lines = [
        {"question": 7, "answer": "", "grade": 0},
        {"question": 7, "answer": "I don't know.", "grade": 1},
    ]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = viva("eval", str(source))
    assert result.exit_code == 1
    assert "Viva gave all 2 answers the same score (0): correlation with the human grades is undefined" in (
        result.stderr
    )


def test_jsonl_refuses_each_line_the_grade_api_would_refuse() -> None:
    stdin = "\n".join(
        json.dumps(line)
        for line in [
            {"question": True, "answer": ANSWER},
            {"question": 7, "answer": ANSWER, "candidate": "Ada"},
            {"question": 7, "answer": 5},
            {"question": "7", "answer": ANSWER},
        ]
    )
    result = viva("grade", "--jsonl", "-", input=stdin)
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("error", {}).get("code") for line in out] == ["invalid_request"] * 3 + [None]
    assert out[0]["error"]["message"] == 'line 1: "question" is a question number or id, not true'
    assert out[1]["error"]["message"].startswith('line 2: unknown key "candidate"')
    assert out[2]["error"]["message"] == "line 3: answer: Input should be a valid string"
    assert out[3]["question"]["number"] == 7  # a number as text is an id the bank knows, as in the API
    assert "3 line(s) could not be graded" in result.stderr


def test_a_bad_jsonl_line_has_the_error_code_the_grade_api_gives_the_same_body(api: TestClient) -> None:
    bodies = [
        "not json",
        json.dumps({"question": True, "answer": ANSWER}),
        json.dumps({"question": 7, "answer": ANSWER, "candidate": "Ada"}),
        json.dumps({"question": 7, "reference": "A model answer.", "answer": ANSWER}),
        json.dumps({"question": 999, "answer": ANSWER}),
    ]
    from_api = [
        api.post("/api/v1/grade", content=body, headers={"Content-Type": "application/json"}).json()
        for body in bodies
    ]
    result = viva("grade", "--jsonl", "-", input="\n".join(bodies))
    from_cli = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["error"]["code"] for line in from_cli] == [body["error"]["code"] for body in from_api]
    assert {line["error"]["code"] for line in from_cli} == {"invalid_request", "unknown_question"}


def test_jsonl_answers_every_input_line_blank_ones_with_an_error_in_place() -> None:
    stdin = "\n".join(
        [
            "",
            json.dumps({"question": 7, "answer": ANSWER}),
            "   ",
            json.dumps({"question": 40, "answer": "x"}),
        ]
    )
    result = viva("grade", "--jsonl", "-", input=stdin)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(stdin.split("\n")) == 4
    assert [line["error"]["code"] for line in (out[0], out[2])] == ["blank_line", "blank_line"]
    assert [line["line"] for line in (out[0], out[2])] == [1, 3]
    assert [line["question"]["number"] for line in (out[1], out[3])] == [7, 40]
    assert result.exit_code == 1


SEPARATORS = ["\u2028", "\u2029", "\x85"]
"""Characters `str.splitlines` cuts at that JSON allows unescaped inside a string."""


def test_jsonl_keeps_a_line_whole_when_its_answer_holds_a_unicode_line_separator(tmp_path: Path) -> None:
    # Inside a sentence, so a grade's evidence quotes the separator too: the output must keep it escaped.
    lines = [
        {"question": 7, "answer": f"Overfitting memorises{mark}noise, so it fails on new data."}
        for mark in SEPARATORS
    ]
    source = tmp_path / "answers.jsonl"
    source.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    result = viva("grade", "--jsonl", str(source))
    assert result.exit_code == 0, result.stdout
    grades = [json.loads(line) for line in result.stdout.splitlines()]
    assert [g["question"]["number"] for g in grades] == [7, 7, 7]


def test_eval_keeps_a_jsonl_line_whole_when_its_answer_holds_a_unicode_line_separator(tmp_path: Path) -> None:
    lines = [
        {"question": 7, "answer": f"{ANSWER}{SEPARATORS[0]}Regularisation helps.", "grade": 3},
        {"question": 7, "answer": f"It is about{SEPARATORS[1]}models.", "grade": 1},
        {"question": 7, "answer": f"No{SEPARATORS[2]}idea.", "grade": 0},
    ]
    source = tmp_path / "graded.jsonl"
    source.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    result = viva("eval", str(source), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["n"] == 3
