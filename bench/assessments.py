"""Assessing a data set once and keeping the result: grading's expensive part, cached between runs.

An assessment depends on the grader's code, the rubric and the data, never on
the calibration, so the calibration script can refit constants in seconds.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path

import viva.grading
from viva.cli.progress import progress_bar
from viva.grading.assessment import Assessment
from viva.grading.grader import Grader, QuestionLike

CACHE = Path(__file__).resolve().parent / "results" / "assessments"
BATCH = 128
NOT_MEASURING = {"scoring.py", "calibration.py", "models.py", "delivery.py", "__init__.py"}
"""Grading modules that turn measurements into grades: changing them does not change an assessment."""


def _code_fingerprint() -> str:
    folder = Path(viva.grading.__file__).parent
    sources = sorted(p for p in folder.glob("*.py") if p.name not in NOT_MEASURING)
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()


def assess_all(grader: Grader, items: Sequence[tuple[QuestionLike, str]], label: str) -> list[Assessment]:
    questions = [grader.question(q) for q, _ in items]
    key = hashlib.sha256(
        repr(
            (
                _code_fingerprint(),
                grader.embedder.name,
                [(q.rubric_version, a) for q, (_, a) in zip(questions, items, strict=True)],
            )
        ).encode()
    ).hexdigest()[:16]
    path = CACHE / f"{label}-{key}.pkl"
    if path.exists():
        cached: list[Assessment] = pickle.loads(path.read_bytes())
        return cached
    out: list[Assessment] = []
    with progress_bar(f"assessing {label}", total=len(items)) as bar:
        for start in range(0, len(items), BATCH):
            batch = [
                (q, a)
                for q, (_, a) in zip(
                    questions[start : start + BATCH], items[start : start + BATCH], strict=True
                )
            ]
            out += grader.assess_many(batch)
            bar.advance(bar.task_ids[0], len(batch))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out
