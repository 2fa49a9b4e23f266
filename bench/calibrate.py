"""Fit grading's constants and report how the grades agree with human ones on data never fitted on.

    python -m bench.calibrate            # fit on the halves, report on the held-out halves
    python -m bench.calibrate --write    # ... then refit on everything and write calibration.json

Rubric mode is fitted on the odd-numbered questions of the labelled ML set and
reported on the even-numbered ones; reference mode on Mohler's odd assignments
(1, 3, 5, 7), reported on the even ones (2, 4, 6, 8). Steps, each on the fitting
half only:
1. key-point strength: the mix of demoted cosine, token recall and lexical recall,
   and the range rescaled to 0-1, chosen by grid search to order answers within a
   question (strong > partial > thin) by their weighted coverage (of the settings
   within `NEAR_BEST` of the best, the one nearest their centre);
2. misconception thresholds: as many wrong answers flagged as possible with no
   flag on a strong, partial or thin answer;
3. echo and off-topic thresholds: the loosest that flag no honest answer;
4. the answer score: ridge regression of the human grade on the answer features,
   then an isotonic map of its output onto 0-100.
The caps (the most a flagged answer can score) are policy, not fitted.

Last, the shipped calibration is reported on the sealed set (`datasets.SEALED`):
answers to all 50 questions that no constant, feature or rubric was chosen on.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression, Ridge

from bench import datasets
from bench.assessments import assess_all
from viva.bank import Question
from viva.config import get_settings
from viva.grading.assessment import Assessment
from viva.grading.calibration import (
    CALIBRATION_FILE,
    AnswerCalibration,
    Calibration,
    LeanCalibration,
    load_calibration,
)
from viva.grading.grader import Grader, load_grader
from viva.grading.scoring import (
    judge,
    measure,
    point_strengths,
    stated_misconceptions,
)

RUBRIC_FEATURES = ["coverage", "required", "misconceptions", "echo", "log_words", "misconception_gap"]
REFERENCE_FEATURES = [
    "coverage",
    "reference_demoted",
    "reference_demoted_text",
    "reference_recall",
    "reference_precision",
    "reference_lexical_recall",
    "reference_lexical_precision",
    "reference_length_ratio",
    "log_words",
]
CONFLICT_PENALTY = 1.0
"""Policy, not fitted: a clause that negates a point, or swaps in its antonym, does not make it."""
CAPS = {
    "grader_instructions": 20,
    "off_topic": 20,
    "keyword_list": 15,
    "echo": 15,
    "gibberish": 5,
    "misconception": 40,
}


@dataclass
class Sample:
    assessment: Assessment
    grade: float
    level: str
    fit: bool
    key_point: int | None = None
    """For a key-point statement: the index of the point it is about."""


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="refit on all data and write calibration.json")
    args = parser.parse_args(argv)
    grader = load_grader(get_settings())
    ml = _labelled_samples(grader, datasets.labelled(), "labelled")
    mohler_rows = datasets.mohler()
    mohler = [
        Sample(a, r.grade, r.group, int(r.group) % 2 == 1)
        for r, a in zip(
            mohler_rows,
            assess_all(grader, [(r.question, r.answer) for r in mohler_rows], "mohler"),
            strict=True,
        )
    ]
    said = datasets.statements()
    statements = [
        Sample(a, 1.0 if r.label == "makes" else 0.0, r.label, not r.held_out, _point_index(a, r.key_point))
        for r, a in zip(
            said, assess_all(grader, [(r.question, r.statement) for r in said], "statements"), strict=True
        )
    ]
    base = load_calibration()
    half = fit(
        base, [s for s in ml if s.fit], [s for s in mohler if s.fit], [s for s in statements if s.fit], "half"
    )
    print("\n== Rubric mode, labelled ML set: fitted on odd questions, reported on even ones")
    held_out = [s for s in ml if not s.fit]
    report_rubric(half, held_out)
    print("\n   (on the fitted half, for comparison)")
    report_rubric(half, [s for s in ml if s.fit])
    print("\n== Key points, one statement at a time: fitted on odd questions, reported on even ones")
    report_statements(half, [s for s in statements if not s.fit])
    print("\n== The bank's own model answers, graded against their rubrics (fitted on none of them)")
    model_answers = assess_all(grader, [(q.number, q.model_answer) for q in grader.bank], "model-answers")
    own = np.array([judge(a, half).score for a in model_answers])
    print(
        f"  mean {own.mean():.0f}, lowest {own.min()} (Q{grader.bank.questions[int(own.argmin())].number}), below 70: {int((own < 70).sum())}/50"
    )
    print("\n== Reference mode, Mohler: fitted on assignments 1, 3, 5, 7, reported on 2, 4, 6, 8")
    report_reference(half, [s for s in mohler if not s.fit])
    report_reference_off_topic(
        half,
        grader,
        [s for s in mohler if not s.fit],
        [r for r in mohler_rows if int(r.group) % 2 == 0],
    )
    shipped = base
    if args.write:
        shipped = fit(base, ml, mohler, statements, "all")
        CALIBRATION_FILE.write_text(
            json.dumps(shipped.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8"
        )
        print(
            f"\nwrote {CALIBRATION_FILE} (fitted on all {len(ml)} labelled answers and {len(mohler)} Mohler answers)"
        )
    print(
        "\n== Sealed set: the shipped calibration on answers nothing was fitted or chosen on, all 50 questions"
    )
    sealed = _labelled_samples(grader, datasets.sealed(), "sealed")
    report_rubric(shipped, sealed)
    levels_chart(
        {
            "labelled ML set, held-out half": [(s.level, judge(s.assessment, half).score) for s in held_out],
            "sealed set, shipped calibration": [
                (s.level, judge(s.assessment, shipped).score) for s in sealed
            ],
        },
        CHART,
    )
    print(f"\nchart: {CHART}")


CHART = Path(__file__).resolve().parent / "results" / "calibration.png"
LEVEL_ORDER = [
    "strong",
    "partial",
    "thin",
    "wrong",
    "keywords",
    "off_topic",
    "echo",
    "injection",
    "gibberish",
    "idk",
]


def levels_chart(panels: dict[str, list[tuple[str, int]]], path: Path) -> None:
    """One box per level of answer: how far apart the levels' scores sit, and where wrong answers land."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), sharey=True)
    for axis, (title, scores) in zip(np.atleast_1d(axes), panels.items(), strict=True):
        levels = [level for level in LEVEL_ORDER if any(lv == level for lv, _ in scores)]
        axis.boxplot([[v for lv, v in scores if lv == level] for level in levels], tick_labels=levels)
        axis.set_title(title)
        axis.tick_params(axis="x", rotation=45)
    np.atleast_1d(axes)[0].set_ylabel("Viva score (0-100)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _labelled_samples(grader: Grader, rows: list[datasets.Labelled], label: str) -> list[Sample]:
    assessments = assess_all(grader, [(r.question, r.answer) for r in rows], label)
    return [Sample(a, r.grade, r.level, not r.held_out) for r, a in zip(rows, assessments, strict=True)]


def fit(
    base: Calibration, ml: list[Sample], mohler: list[Sample], statements: list[Sample], scope: str
) -> Calibration:
    honest = [s for s in ml if s.level in ("strong", "partial", "thin")]
    graded = [s for s in ml if s.level in datasets.BASE_LEVELS]
    # Fitted from scratch: nothing below depends on the lean the shipped file carries.
    base = base.model_copy(update={"lean": NO_LEAN})
    cal = base.model_copy(update={"point": fit_points(base, honest, statements)})
    cal = cal.model_copy(update={"misconception": fit_misconceptions(cal, graded, statements)})
    cal = cal.model_copy(update={"thresholds": fit_thresholds(cal, ml)})
    scored = [s for s in ml if s.level in datasets.BASE_LEVELS]
    rubric = fit_answer(cal, scored, RUBRIC_FEATURES)
    lean = fit_lean(cal.model_copy(update={"rubric": rubric}), scored)
    reference = fit_answer(cal, mohler, REFERENCE_FEATURES)
    off_topic = fit_reference_off_topic(cal.model_copy(update={"reference": reference}), mohler)
    cal = cal.model_copy(
        update={"thresholds": cal.thresholds.model_copy(update={"reference_off_topic": off_topic})}
    )
    fitted = cal.model_copy(
        update={
            "fitted_on": (
                f"{'odd-numbered questions of ' if scope == 'half' else ''}tests/data/graded_answers.jsonl "
                f"({len(ml)} answers) and Mohler assignments "
                f"{'1, 3, 5, 7' if scope == 'half' else '1-8'} ({len(mohler)} answers)"
            ),
            "rubric": rubric,
            "reference": reference,
            "lean": lean,
            "caps": base.caps.model_copy(update=CAPS),
            "bands": fit_bands(cal.model_copy(update={"rubric": rubric, "lean": lean}), scored),
        }
    )
    return fitted.model_copy(update={"version": f"{scope}-{fitted.fingerprint()}"})


LEAN_EXPONENTS = (1.0, 2.0, 3.0, 4.0)
LEAN_NEUTRAL_QUANTILE = 0.75
"""Policy: an answer is marked down for its lean only when it leans more than three honest answers in four."""
LEAN_HONEST_COST = 0.01
"""Policy: the lean may cost the order of the honest answers (strong > partial > thin) at most this much."""
LEAN_FLAG_BELOW = 0.75
"""Policy: an answer that loses a quarter of its score or more to its lean is told why."""
NO_LEAN = LeanCalibration(intercept=0.0, weight=0.0, neutral=0.5, exponent=0.0, flag_below=LEAN_FLAG_BELOW)


def fit_lean(cal: Calibration, samples: list[Sample]) -> LeanCalibration:
    """The chance that an answer is wrong, by a logistic fit of its lean on the labelled levels (wrong
    against strong, partial and thin); no cost up to the `LEAN_NEUTRAL_QUANTILE` of the honest answers'
    chances; and the exponent that orders each question's answers best, the honest answers' order
    counted once more (a grade a candidate can trust comes first), without costing that order more
    than `LEAN_HONEST_COST` (on a tie, the gentler one)."""
    leans = np.array([[s.assessment.lean] for s in samples])
    wrong = np.array([s.level == "wrong" for s in samples])
    logistic = LogisticRegression().fit(leans, wrong)
    neutral = float(np.quantile(logistic.predict_proba(leans)[~wrong, 1], LEAN_NEUTRAL_QUANTILE))
    honest = [s for s in samples if s.level != "wrong"]

    def trial(exponent: float) -> LeanCalibration:
        return LeanCalibration(
            intercept=round(float(logistic.intercept_[0]), 5),
            weight=round(float(logistic.coef_[0, 0]), 5),
            neutral=round(neutral, 5),
            exponent=exponent,
            flag_below=LEAN_FLAG_BELOW,
        )

    def orders(exponent: float) -> tuple[float, float]:
        fitted = cal.model_copy(update={"lean": trial(exponent)})
        return (
            within_question_order(samples, [judge(s.assessment, fitted).score for s in samples]),
            within_question_order(honest, [judge(s.assessment, fitted).score for s in honest]),
        )

    measured = {e: orders(e) for e in (0.0, *LEAN_EXPONENTS)}
    without, honest_without = measured[0.0]
    allowed = [e for e in LEAN_EXPONENTS if measured[e][1] >= honest_without - LEAN_HONEST_COST]
    best = max(allowed, key=lambda e: sum(measured[e]), default=0.0)
    order, honest_order = measured[best]
    print(
        f"lean: {trial(best)} (order {order:.3f}, honest {honest_order:.3f}; without: {without:.3f},"
        f" {honest_without:.3f})",
        file=sys.stderr,
    )
    return trial(best)


REFERENCE_OFF_TOPIC_COST = 0.002
"""Policy: the reference-mode off-topic rule may cost the fitted half's Pearson at most this much."""


def fit_reference_off_topic(cal: Calibration, mohler: list[Sample]) -> float:
    """The largest reference-mode off-topic threshold that keeps the fitted Mohler answers' Pearson
    (Mohler's graders gave most answers some credit: only what they rated poor may be flagged)."""
    grades = np.array([s.grade for s in mohler])

    def pearson(threshold: float) -> float:
        thresholds = cal.thresholds.model_copy(update={"reference_off_topic": threshold})
        trial = cal.model_copy(update={"thresholds": thresholds})
        return float(pearsonr([judge(s.assessment, trial).score for s in mohler], grades)[0])

    unflagged = pearson(0.0)
    kept = 0.0
    for threshold in (0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1):
        if pearson(threshold) < unflagged - REFERENCE_OFF_TOPIC_COST:
            break
        kept = threshold
    print(f"reference off-topic threshold: {kept}", file=sys.stderr)
    return kept


def fit_bands(cal: Calibration, samples: list[Sample]) -> list[tuple[int, str]]:
    """Band edges halfway between the median scores of the labelled levels: a typical thin answer reads
    "weak", a typical partial one "partial", a typical strong one "strong"."""
    scores: dict[str, list[int]] = {}
    for s in samples:
        scores.setdefault(s.level, []).append(judge(s.assessment, cal).score)
    thin, partial, strong = (float(np.median(scores[level])) for level in ("thin", "partial", "strong"))
    edges = [
        round((partial + strong) / 2 + (strong - partial) / 4),
        round((partial + strong) / 2),
        round((thin + partial) / 2),
    ]
    return [(edges[0], "strong"), (edges[1], "good"), (edges[2], "partial"), (0, "weak")]


def within_question_order(samples: list[Sample], scores: Sequence[float]) -> float:
    """Over pairs of answers to the same question with different grades: the share ordered like the grades."""
    by_question: dict[str, list[tuple[float, float]]] = {}
    for s, score in zip(samples, scores, strict=True):
        by_question.setdefault(s.assessment.question.id, []).append((s.grade, score))
    right = total = 0.0
    for pairs in by_question.values():
        for (g1, s1), (g2, s2) in itertools.combinations(pairs, 2):
            if g1 == g2:
                continue
            total += 1
            right += 1.0 if (s1 - s2) * (g1 - g2) > 0 else 0.5 if s1 == s2 else 0.0
    return right / total if total else 0.0


def fit_points(base: Calibration, samples: list[Sample], statements: list[Sample]) -> Any:
    """Grid search, in two passes: the wording mix alone, then the meaning reading beside it (or not).

    The quality of a setting: how well whole answers are ordered by their coverage
    (strong > partial > thin), plus how well single statements are told apart: one
    that makes a key point must earn it, one that makes another point must not.
    """
    telling = [s for s in statements if s.level in ("makes", "other")]

    def quality(point: Any) -> float:
        cal = base.model_copy(update={"point": point})
        coverage = [_coverage(cal, s.assessment) for s in samples]
        order = within_question_order(samples, coverage)
        return (
            order
            + point_accuracy(cal, telling)
            + 0.1 * float(spearmanr(coverage, [s.grade for s in samples])[0])
        )

    never = {"meaning_low": 2.0, "meaning_high": 3.0, "conflict_penalty": CONFLICT_PENALTY}
    steps = np.round(np.arange(0, 1.01, 0.1), 2)
    wording = [
        base.point.model_copy(
            update=never
            | {
                "w_demoted": w_demoted,
                "w_recall": w_recall,
                "w_lexical": round(1 - w_demoted - w_recall, 2),
                "low": round(low, 2),
                "high": round(low + span, 2),
            }
        )
        for w_demoted, w_recall, low, span in itertools.product(
            steps, steps, np.arange(0.1, 0.65, 0.05), (0.15, 0.2, 0.3, 0.4, 0.5)
        )
        # at least half the weight on embeddings, so a paraphrase counts as much as the rubric's words
        if w_demoted + w_recall <= 1 and w_demoted + w_recall >= 0.5
    ]
    best = central(wording, quality, ("w_demoted", "w_recall", "low", "high"))
    meaning = [best] + [
        best.model_copy(update={"meaning_low": low, "meaning_high": round(low + span, 2)})
        for low, span in itertools.product((0.6, 0.65, 0.7, 0.75, 0.8), (0.1, 0.15, 0.2))
    ]
    best = central(meaning, quality, ("meaning_low", "meaning_high"))
    print(f"key points: {best} (quality {quality(best):.3f})", file=sys.stderr)
    return best


NEAR_BEST = 0.005
"""Settings whose quality is within this much of the best are as good on the fitting data."""


def central(settings: list[Any], quality: Callable[[Any], float], names: Sequence[str]) -> Any:
    """Of the settings as good as the best (`NEAR_BEST`), the one nearest their centre.

    The grid's quality is flat near its top, with near-ties far apart: taking the single
    best let any small change to grading swing the choice from one to another (the key-point
    weights 0.2/0.8/0.0, then 0.2/0.7/0.1, then 0.1/0.8/0.1 over three changes), and with it
    every figure by about 0.01.
    """
    scores = np.array([quality(s) for s in settings])
    near = [s for s, q in zip(settings, scores, strict=True) if q >= scores.max() - NEAR_BEST]
    points = np.array([[getattr(s, n) for n in names] for s in near], dtype=float)
    return near[int(np.argmin(np.linalg.norm(points - points.mean(axis=0), axis=1)))]


def _point_index(assessment: Assessment, key_point: str) -> int:
    return [p.id for p in assessment.question.key_points].index(key_point)


def point_accuracy(cal: Calibration, statements: list[Sample]) -> float:
    """Balanced accuracy of "the statement earns its key point" (at least partly) against its label."""
    by_label: dict[str, list[bool]] = {}
    for s in statements:
        assert s.key_point is not None
        earned = point_strengths(s.assessment, cal)[s.key_point] >= cal.point.partial
        by_label.setdefault(s.level, []).append(earned == (s.level == "makes"))
    return float(np.mean([np.mean(v) for v in by_label.values()])) if by_label else 0.0


def report_statements(cal: Calibration, statements: list[Sample]) -> None:
    for label in ("makes", "other", "contradicts"):
        group = [s for s in statements if s.level == label]
        statuses = [judge(s.assessment, cal).statuses[s.key_point or 0] for s in group]
        flagged = sum(bool(judge(s.assessment, cal).misconceptions) for s in group)
        counts = {status: statuses.count(status) for status in ("covered", "partial", "missed")}
        print(
            f"  {label:<12} {len(group):>4}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + f"; misconception flagged {flagged}"
        )


def _coverage(cal: Calibration, assessment: Assessment) -> float:
    strengths = point_strengths(assessment, cal)
    question = assessment.question
    weights = (
        [p.weight for p in question.key_points] if not question.reference_mode else [1.0] * len(strengths)
    )
    return float(np.average(strengths, weights=weights)) if strengths else 0.0


def fit_misconceptions(cal: Calibration, samples: list[Sample], statements: list[Sample]) -> Any:
    """Catch as many wrong answers as possible; each honest answer flagged costs as much as eight catches.

    A misconception wrongly pinned on a good answer costs a candidate's trust more
    than a missed one: the grid is coarse and the cost of a false flag high.
    """
    best: tuple[float, Any] = (-1e9, cal.misconception)
    for share, similarity, margin, margin_any, gap, least_words, distinct, verbatim in itertools.product(
        (0.0, 0.5, 1.0),
        (0.5, 0.6, 0.7),
        (0.0, 0.1, 0.2),
        (-0.1, 0.0, 0.1),
        (-1.0, 0.0, 0.05),
        (1, 3),
        (0.0, 0.01, 0.25),
        (0.9, 0.93, 0.95, 1.01),
    ):
        m = cal.misconception.model_copy(
            update={
                "full_share": share,
                "min_similarity": similarity,
                "min_margin": margin,
                "min_margin_any": margin_any,
                "min_recall_gap": gap,
                "min_words": least_words,
                "min_distinct": distinct,
                "verbatim": verbatim,
            }
        )
        trial = cal.model_copy(update={"misconception": m})
        caught, false = _flag_counts(trial, samples)
        said_wrong, said_right = _flag_counts(trial, statements, wrong="contradicts")
        value = caught + said_wrong - 8 * (false + said_right)
        if value > best[0]:
            best = (value, m)
    caught, false = _flag_counts(cal.model_copy(update={"misconception": best[1]}), samples)
    wrong = sum(s.level == "wrong" for s in samples)
    print(
        f"misconceptions: {best[1]} caught {caught}/{wrong} wrong, {false} honest answers flagged",
        file=sys.stderr,
    )
    return best[1]


def _flag_counts(cal: Calibration, samples: list[Sample], wrong: str = "wrong") -> tuple[int, int]:
    flagged = [bool(stated_misconceptions(s.assessment, cal)) for s in samples]
    caught = sum(f for f, s in zip(flagged, samples, strict=True) if s.level == wrong)
    false = sum(f for f, s in zip(flagged, samples, strict=True) if s.level != wrong)
    return caught, false


def fit_thresholds(cal: Calibration, ml: list[Sample]) -> Any:
    """The echo and off-topic rules that flag the fewest strong, partial or thin answers (none, if possible),
    then catch the most, then are the loosest (rubric mode only)."""
    honest = [s for s in ml if s.level in ("strong", "partial", "thin")]
    coverage = {id(s): _coverage(cal, s.assessment) for s in ml}

    def best(
        rules: list[dict[str, float]],
        flagged: Callable[[Sample, dict[str, float]], bool],
        looseness: Callable[[dict[str, float]], float],
        kind: str,
    ) -> dict[str, float]:
        targets = [s for s in ml if s.level == kind]
        return max(
            rules,
            key=lambda r: (
                -sum(flagged(s, r) for s in honest),
                sum(flagged(s, r) for s in targets),
                looseness(r),
            ),
        )

    def echo(s: Sample, r: dict[str, float]) -> bool:
        a = s.assessment
        return (
            a.echo >= r["echo_share"] and a.novel <= r["echo_novel"] and coverage[id(s)] < r["echo_coverage"]
        )

    def off_topic(s: Sample, r: dict[str, float]) -> bool:
        a = s.assessment
        return (
            not a.question.reference_mode
            and a.topic_margin <= -r["off_topic_margin"]
            and coverage[id(s)] < r["off_topic_coverage"]
            and not a.on_subject
        )

    echo_rules = [
        {"echo_share": share, "echo_novel": novel, "echo_coverage": cover}
        for share in (0.3, 0.4, 0.5, 0.6, 0.7)
        for novel in range(2, 11)
        for cover in (0.1, 0.2, 0.3, 0.4)
    ]
    echo_best = best(
        echo_rules, echo, lambda r: r["echo_novel"] / 10 + r["echo_coverage"] - r["echo_share"], "echo"
    )
    topic_rules = [
        {"off_topic_margin": margin, "off_topic_coverage": cover}
        for margin in (0.0, 0.02, 0.05, 0.08, 0.1, 0.15)
        for cover in (0.1, 0.2, 0.3, 0.4, 0.5)
    ]
    topic_best = best(
        topic_rules, off_topic, lambda r: r["off_topic_coverage"] - r["off_topic_margin"], "off_topic"
    )
    print(f"thresholds: {echo_best | topic_best}", file=sys.stderr)
    return cal.thresholds.model_copy(
        update={**echo_best, **topic_best, "echo_novel": int(echo_best["echo_novel"])}
    )


def fit_answer(cal: Calibration, samples: list[Sample], names: list[str]) -> AnswerCalibration:
    features = np.array([[_features(cal, s.assessment)[n] for n in names] for s in samples])
    grades = np.array([s.grade for s in samples])
    means, scales = features.mean(axis=0), features.std(axis=0) + 1e-9
    ridge = Ridge(alpha=1.0).fit((features - means) / scales, grades)
    raw = ridge.predict((features - means) / scales)
    top = max(grades)
    xs, ys = monotone_curve(raw, grades)
    ys = ys * 100 / top
    return AnswerCalibration(
        features=names,
        means=[round(float(v), 5) for v in means],
        scales=[round(float(v), 5) for v in scales],
        weights=[round(float(v), 5) for v in ridge.coef_],
        intercept=round(float(ridge.intercept_), 5),
        curve_x=[round(float(v), 5) for v in xs],
        curve_y=[round(float(v), 3) for v in ys],
    )


def monotone_curve(raw: np.ndarray, grades: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An increasing map from raw scores to grades: isotonic regression, joined through its blocks' centres.

    Isotonic regression alone is a staircase, and a staircase gives many answers the
    same score; joining the centres of its steps keeps the order of the raw scores.
    """
    curve = IsotonicRegression(y_min=0, y_max=float(max(grades))).fit(raw, grades)
    fitted = curve.predict(raw)
    xs, ys = [float(raw.min())], [float(fitted.min())]
    for level in np.unique(fitted):
        xs.append(float(raw[fitted == level].mean()))
        ys.append(float(level))
    xs.append(float(raw.max()))
    ys.append(float(fitted.max()))
    order = np.argsort(xs, kind="stable")
    return np.array(xs)[order], np.maximum.accumulate(np.array(ys)[order])


def _features(cal: Calibration, assessment: Assessment) -> dict[str, float]:
    return measure(assessment, cal).features


def report_rubric(cal: Calibration, samples: list[Sample]) -> dict[str, float]:
    """Print, and return, the figures issue 4 asks for on these samples."""
    scores = {id(s): judge(s.assessment, cal).score for s in samples}
    base = [s for s in samples if s.level in datasets.BASE_LEVELS]
    order = within_question_order(base, [scores[id(s)] for s in base])
    honest = [s for s in base if s.level != "wrong"]
    honest_order = within_question_order(honest, [scores[id(s)] for s in honest])
    rho = float(spearmanr([s.grade for s in base], [scores[id(s)] for s in base])[0])
    print(
        f"  pairwise order within a question   {order:.3f}   (target >= 0.90; strong > partial > thin > wrong)"
    )
    print(f"    ... of honest answers only       {honest_order:.3f}   (strong > partial > thin)")
    print(f"  Spearman against the levels        {rho:.3f}   (target >= 0.80; {len(base)} answers)")
    by_level: dict[str, list[int]] = {}
    for s in samples:
        by_level.setdefault(s.level, []).append(scores[id(s)])
    print("  mean score per level:  " + "  ".join(f"{k} {np.mean(v):.0f}" for k, v in by_level.items()))
    partials: dict[str, list[int]] = {}
    for s in samples:
        if s.level == "partial":
            partials.setdefault(s.assessment.question.id, []).append(scores[id(s)])
    wrongs = [s for s in samples if s.level == "wrong"]
    pairs = [(s, p) for s in wrongs for p in partials[s.assessment.question.id]]
    below = sum(scores[id(s)] < p for s, p in pairs)
    print(f"  wrong below partial (pairs)        {below}/{len(pairs)}   (target: all)")
    flagged = sum("misconception" in judge(s.assessment, cal).flags for s in wrongs)
    false = sum("misconception" in judge(s.assessment, cal).flags for s in honest)
    print(
        f"  misconception flags                {flagged}/{len(wrongs)} wrong answers, {false}/{len(honest)} honest ones"
    )
    limits = {"echo": 25, "off_topic": 25, "gibberish": 25, "injection": 25, "idk": 0}
    caught = {}
    for level, limit in limits.items():
        if level not in by_level:
            continue
        got = by_level[level]
        caught[level] = sum(v <= limit for v in got) / max(len(got), 1)
        verdict = "ok" if all(v <= limit for v in got) else "FAIL"
        print(
            f"  {level:<10} max {max(got, default=0):>3} (limit {limit}), {sum(v <= limit for v in got)}/{len(got)} within: {verdict}"
        )
    keyword_pairs = [
        (s, p) for s in samples if s.level == "keywords" for p in partials[s.assessment.question.id]
    ]
    keyword_below = sum(scores[id(s)] < p for s, p in keyword_pairs)
    if keyword_pairs:
        print(f"  keyword lists below partial (pairs) {keyword_below}/{len(keyword_pairs)}")
    return {
        "order": order,
        "honest_order": honest_order,
        "spearman": rho,
        "wrong_below_partial": below / max(len(pairs), 1),
        "keywords_below_partial": keyword_below / max(len(keyword_pairs), 1),
        **{f"{k}_caught": v for k, v in caught.items()},
    }


def report_reference(cal: Calibration, samples: list[Sample]) -> None:
    scores = np.array([judge(s.assessment, cal).score for s in samples], dtype=float)
    grades = np.array([s.grade for s in samples])
    print(
        f"  Pearson {pearsonr(scores, grades)[0]:.3f}  Spearman {spearmanr(scores, grades)[0]:.3f}  n {len(samples)}"
    )
    for group in sorted({s.level for s in samples}, key=int):
        mask = np.array([s.level == group for s in samples])
        print(
            f"    assignment {group}: Pearson {pearsonr(scores[mask], grades[mask])[0]:.3f} (n {mask.sum()})"
        )


def report_reference_off_topic(
    cal: Calibration, grader: Grader, held_out: list[Sample], rows: list[datasets.Graded]
) -> None:
    """Answers flagged off-topic against their own reference (`held_out`, assessed already), and the
    same answers (`rows`) sent to another assignment's question, a different topic of the same course:
    how many of those are flagged."""
    flagged = [s.grade for s in held_out if "off_topic" in judge(s.assessment, cal).flags]
    by_group: dict[str, list[Question]] = {}
    for r in rows:
        if r.question not in by_group.setdefault(r.group, []):
            by_group[r.group].append(r.question)
    groups = sorted(by_group, key=int)
    following = {g: by_group[groups[(n + 1) % len(groups)]] for n, g in enumerate(groups)}
    crossed = [(following[r.group][i % len(following[r.group])], r.answer) for i, r in enumerate(rows[::2])]
    judged = [judge(a, cal) for a in assess_all(grader, crossed, "mohler-crossed")]
    print(
        f"  off-topic flags on their own question: {len(flagged)}/{len(rows)}"
        f" (graders' mean {np.mean(flagged) if flagged else float('nan'):.1f}/5)"
    )
    print(
        f"  answered to another assignment's question: flagged {sum('off_topic' in j.flags for j in judged)}/{len(judged)},"
        f" mean score {np.mean([j.score for j in judged]):.0f}"
    )


def run() -> None:
    """`make bench`: the report, without writing the calibration."""
    main([])


if __name__ == "__main__":
    main(sys.argv[1:])
