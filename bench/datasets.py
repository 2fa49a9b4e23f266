"""The evaluation data sets, read the same way by the calibration script, the benchmarks and the tests."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from viva.bank import Question
from viva.grading import reference_question
from viva.grading.grader import _units
from viva.grading.text import normalize

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELLED = ROOT / "tests" / "data" / "graded_answers.jsonl"
SEALED = ROOT / "tests" / "data" / "sealed_answers.jsonl"
"""Answers written from the seed alone, by writers who saw neither the rubrics nor the labelled set.
Nothing is fitted or chosen on them: `bench.calibrate` reports the shipped grader's figures on them."""
DELIVERY = ROOT / "tests" / "data" / "delivery_answers.jsonl"
"""Answers labelled by hand for the three delivery checks; the checks were written against them."""
DELIVERY_SEALED = ROOT / "tests" / "data" / "delivery_sealed.jsonl"
"""The same labels on answers by another writer, who saw neither the checks nor `DELIVERY`: never tuned on."""
MOHLER = SHARED / "data" / "mohler-dev.csv"
SEMEVAL = {name: SHARED / "data" / f"semeval-train-{name}.csv" for name in ("beetle", "scientsbank")}
BASE_LEVELS = ("strong", "partial", "thin", "wrong")


@dataclass(frozen=True)
class Labelled:
    """An answer of the labelled ML set: its bank question, its level and the grade that level means."""

    question: int
    level: str
    grade: float
    answer: str
    batch: str
    """"a": the first writers' answers; "b": a second, independent batch of candidates; "sealed": `SEALED`."""

    @property
    def held_out(self) -> bool:
        """Even-numbered questions are never fitted on: they are what the report is about."""
        return self.question % 2 == 0


@dataclass(frozen=True)
class Graded:
    """An answer of a reference-answer set (Mohler or SemEval) with its human grade or label."""

    question: Question
    answer: str
    grade: float
    group: str
    label: str = ""


def labelled(path: Path = LABELLED) -> list[Labelled]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Labelled(r["question"], r["level"], float(r["grade"]), r["answer"], r["batch"]) for r in rows]


def sealed() -> list[Labelled]:
    return labelled(SEALED)


def mohler() -> list[Graded]:
    """Mohler's assignments 1-8; `group` is the assignment number."""
    rows = list(csv.DictReader(MOHLER.open(encoding="utf-8")))
    questions: dict[str, Question] = {}
    out = []
    for row in rows:
        qid = row["question_id"]
        if qid not in questions:
            questions[qid] = reference_question(
                row["question"], row["reference_answer"], id=f"mohler-{qid.replace('.', '-')}"
            )
        out.append(Graded(questions[qid], row["student_answer"], float(row["score"]), qid.split(".")[0]))
    return out


def semeval(name: str) -> list[Graded]:
    """SemEval-2013 answers labelled correct / contradictory / incorrect; the best reference alternative."""
    rows = list(csv.DictReader(SEMEVAL[name].open(encoding="utf-8")))
    questions: dict[str, Question] = {}
    out = []
    for row in rows:
        qid = row["question_id"]
        if qid not in questions:
            reference = row["reference_answer"].split(" ; ")[0]
            slug = "".join(ch if ch.isalnum() else "-" for ch in qid.lower()).strip("-")[:50]
            questions[qid] = reference_question(row["question"], reference, id=f"semeval-{slug}")
        grade = {"correct": 2.0, "incorrect": 1.0, "contradictory": 0.0}[row["label"]]
        out.append(Graded(questions[qid], row["student_answer"], grade, qid, row["label"]))
    return out


KEY_POINT_STATEMENTS = ROOT / "tests" / "data" / "key_point_statements.jsonl"


@dataclass(frozen=True)
class Statement:
    """One sentence about one key point: it `makes` the point, makes an `other` one, or `contradicts` it."""

    question: int
    key_point: str
    label: str
    statement: str

    @property
    def held_out(self) -> bool:
        return self.question % 2 == 0


def statements() -> list[Statement]:
    lines = KEY_POINT_STATEMENTS.read_text(encoding="utf-8").splitlines()
    return [Statement(**json.loads(line)) for line in lines if line.strip()]


def sentences(answers: list[str]) -> list[str]:
    """The answers' sentences, as the grader cuts them: what a bare encode of the same work gets."""
    return [span.text for answer in answers for span in _units(normalize(answer))]


@dataclass(frozen=True)
class DeliveryLabels:
    """An answer with what a listener hears in it: a definition first, a concrete example, a trade-off."""

    question: int
    answer: str
    definition: bool
    example: bool
    trade_off: bool


def delivery(path: Path = DELIVERY) -> list[DeliveryLabels]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        DeliveryLabels(r["question"], r["answer"], r["definition"], r["example"], r["trade_off"])
        for r in rows
    ]
