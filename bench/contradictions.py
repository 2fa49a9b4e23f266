"""Contradictory against incomplete: SemEval-2013 answers graded in reference mode, never fitted on.

Over pairs of answers to the same question, one labelled `incorrect` (partly right,
or irrelevant) and one `contradictory` (it states what the reference denies): the
share where the incorrect one scores higher (0.5 is a coin flip). Viva's grade
against the whole-text cosine of the same model, side by side; also correct above
incorrect, the ranking a contradiction check must not spoil.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from bench import datasets
from bench.assessments import assess_all
from viva.grading import load_grader
from viva.grading.scoring import judge


def pair_share(graded: Sequence[datasets.Graded], scores: Sequence[float], higher: str, lower: str) -> float:
    """Share of (higher, lower) label pairs within a question where `higher` scores above (ties half)."""
    by_question: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for item, score in zip(graded, scores, strict=True):
        by_question[item.group][item.label].append(score)
    right = total = 0.0
    for labels in by_question.values():
        for a, b in itertools.product(labels.get(higher, []), labels.get(lower, [])):
            total += 1
            right += 1.0 if a > b else 0.5 if a == b else 0.0
    return right / total if total else float("nan")


def run() -> None:
    grader = load_grader()
    print(f"{'corpus':<12} {'answers':>7}  {'incorrect > contradictory':>27}  {'correct > incorrect':>21}")
    print(f"{'':<12} {'':>7}  {'cosine':>9} {'Viva':>7} {'ratio':>8}  {'cosine':>9} {'Viva':>7}")
    for name in datasets.SEMEVAL:
        graded = datasets.semeval(name)
        assessments = assess_all(grader, [(g.question, g.answer) for g in graded], f"semeval-{name}")
        viva = [float(judge(a, grader.calibration).score) for a in assessments]
        references = grader.embedder.encode([g.question.model_answer for g in graded])
        answers = grader.embedder.encode([g.answer for g in graded])
        cosine = list(np.sum(references * answers, axis=1).astype(float))
        ic_cos, ic_viva = (pair_share(graded, s, "incorrect", "contradictory") for s in (cosine, viva))
        ci_cos, ci_viva = (pair_share(graded, s, "correct", "incorrect") for s in (cosine, viva))
        print(
            f"{name:<12} {len(graded):>7}  {ic_cos:>9.3f} {ic_viva:>7.3f} {ic_viva / ic_cos:>8.2f}  {ci_cos:>9.3f} {ci_viva:>7.3f}"
        )
