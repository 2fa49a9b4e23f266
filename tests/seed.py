"""The seed document, parsed the plain way, so tests can compare the bank against it."""

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_FILE = SHARED / "seed" / "ml-interview-questions-2026.txt"
WHY_PREFIX = "💡 Why Interviewers Ask This: "

CATEGORIES = {
    "ML Fundamentals & Terminology": range(1, 11),
    "Machine Learning Algorithms": range(11, 21),
    "Model Evaluation & Metrics": range(21, 31),
    "Deep Learning & Advanced Concepts": range(31, 41),
    "Real-World ML & MLOps": range(41, 51),
}


@dataclass(frozen=True)
class SeedQuestion:
    number: int
    question: str
    answer: str
    why_asked: str


def seed_questions() -> dict[int, SeedQuestion]:
    """The 50 numbered questions, each with its answer lines and its why-asked note."""
    lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    end = next(i for i, line in enumerate(lines) if line.startswith("Common Mistakes in ML Interviews"))
    questions: dict[int, SeedQuestion] = {}
    number, question = 0, ""
    body: list[str] = []
    for line in lines[start:end]:
        heading = re.match(r"^(\d+)\. (.+)$", line)
        if heading:
            number, question, body = int(heading[1]), heading[2], []
        elif line.startswith(WHY_PREFIX):
            why = line.removeprefix(WHY_PREFIX)
            questions[number] = SeedQuestion(number, question, "\n".join(body), why)
        elif number:
            body.append(line)
    return questions
