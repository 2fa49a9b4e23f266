"""From an assessment's raw similarities to statuses, flags and a score, with the fitted constants.

Everything here is cheap arithmetic on an `Assessment`, so the calibration
script can re-score thousands of answers for every candidate set of constants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from viva.grading.assessment import Assessment, MisconceptionMatch
from viva.grading.calibration import Calibration, MisconceptionCalibration, Thresholds
from viva.grading.models import FlagCode, Status

MAX_COUNTED_MISCONCEPTIONS = 2


@dataclass(frozen=True)
class Judgement:
    strengths: list[float]
    statuses: list[Status]
    contradicted_by: list[int | None]
    """For each key point, the index of the misconception stated against it."""
    misconceptions: list[MisconceptionMatch]
    """The misconceptions the answer states."""
    flags: list[FlagCode]
    features: dict[str, float]
    score: int
    band: str
    kept: float = 1.0
    """The share of its score the answer kept after leaning towards misconceptions."""


def point_strengths(
    assessment: Assessment, calibration: Calibration, tainted: set[int] | None = None
) -> list[float]:
    """How strongly each key point (or reference unit) is made, 0 to 1.

    A point whose best match negates it, swaps in an antonym, or lies inside a clause
    that states a misconception (`tainted` units) loses part of its strength.
    """
    c = calibration.point
    tainted_spans = [assessment.units[i].span for i in tainted or ()]
    strengths = []
    for match in assessment.points:
        mix = c.w_demoted * match.demoted + c.w_recall * match.recall + c.w_lexical * match.lexical
        by_wording = (mix - c.low) / (c.high - c.low)
        by_meaning = (match.demoted - c.meaning_low) / (c.meaning_high - c.meaning_low)
        strength = float(np.clip(max(by_wording, by_meaning), 0.0, 1.0))
        best = assessment.units[match.unit].span if match.unit is not None else None
        inside = best is not None and any(s.start <= best.start and best.end <= s.end for s in tainted_spans)
        if match.conflict or inside:
            strength *= 1.0 - c.conflict_penalty
        strengths.append(strength)
    return strengths


def stated_misconceptions(assessment: Assessment, calibration: Calibration) -> list[MisconceptionMatch]:
    """The misconceptions some clause states: close to the wrong statement, clearly closer than to the
    right one; or in the misconception's own words, closer to it than to the right one and not denied.
    A clause that names one to refute it ("it is a myth that...") states none."""
    c = calibration.misconception

    def states(m: MisconceptionMatch) -> bool:
        own = _mixed(c, m.own, m.own_full)
        beyond_margins = (
            own >= c.min_similarity
            and m.words >= c.min_words
            and own - _mixed(c, m.rival, m.rival_full) >= c.min_margin
            and own - m.rival_any >= c.min_margin_any
            and m.recall_gap >= c.min_recall_gap
            and m.distinct >= c.min_distinct
        )
        verbatim = m.own >= c.verbatim and m.own > m.rival and not m.denied
        return not assessment.units[m.unit].refutes and (beyond_margins or verbatim)

    return [m for m in assessment.misconceptions if states(m)]


def _mixed(c: MisconceptionCalibration, demoted: float, full: float) -> float:
    return (1 - c.full_share) * demoted + c.full_share * full


@dataclass(frozen=True)
class Measures:
    """Everything the score is computed from: point strengths, stated misconceptions, answer features."""

    strengths: list[float]
    contradicted_by: list[int | None]
    stated: list[MisconceptionMatch]
    features: dict[str, float]


def measure(
    assessment: Assessment, calibration: Calibration, overrides: Mapping[int, float] | None = None
) -> Measures:
    """Point strengths and answer-level features, with the calibration's point and misconception constants.

    `overrides` sets some points' strengths from outside (the LLM critique's verdicts).
    """
    question = assessment.question
    stated = stated_misconceptions(assessment, calibration)
    strengths = point_strengths(assessment, calibration, tainted={w.unit for w in stated})
    contradicted_by: list[int | None] = [None] * len(strengths)
    for wrong in stated:
        contradicted_by[wrong.point] = wrong.index
        strengths[wrong.point] = 0.0
    for index, strength in (overrides or {}).items():
        strengths[index] = strength
    weights = [1.0] * len(strengths)
    required = [False] * len(strengths)
    if not question.reference_mode:
        ids = [p.id for p in question.key_points]
        for i, point in enumerate(question.key_points):
            weights[i], required[i] = point.weight, point.required
            if point.at_least:
                members = sorted((strengths[ids.index(ref)] for ref in point.of), reverse=True)
                strengths[i] = float(np.mean(members[: point.at_least]))
    coverage = float(np.average(strengths, weights=weights)) if strengths else 0.0
    required_strengths = [s for s, r in zip(strengths, required, strict=True) if r]
    features = {
        "coverage": coverage,
        "required": float(np.mean(required_strengths)) if required_strengths else coverage,
        "misconceptions": float(min(len(stated), MAX_COUNTED_MISCONCEPTIONS)),
        "echo": assessment.echo,
        # How much more of the misconceptions' wording than of their key points' the answer recalls,
        # flagged or not: a soft lean towards stating them, beside the hard count above.
        "misconception_gap": sum(max(m.recall_gap, 0.0) for m in assessment.misconceptions),
        "log_words": float(np.log1p(assessment.words)),
        **{f"reference_{k}": v for k, v in assessment.reference.items()},
    }
    return Measures(strengths, contradicted_by, stated, features)


def judge(
    assessment: Assessment, calibration: Calibration, overrides: Mapping[int, float] | None = None
) -> Judgement:
    measures = measure(assessment, calibration, overrides)
    model = calibration.reference if assessment.question.reference_mode else calibration.rubric
    score = model.score(measures.features)
    kept = 1.0 if assessment.question.reference_mode else calibration.lean.kept(assessment.lean)
    score *= kept
    flags = _flags(assessment, calibration, measures.features, measures.stated)
    # The lean still costs what it costs; said beside a plainer flag ("gibberish", "echo") it would
    # point at a keyboard mash or the question's own words as a near-misconception.
    told = {"non_answer", "misconception", "gibberish", "echo", "off_topic", "keyword_list"} & set(flags)
    if kept < calibration.lean.flag_below and assessment.leaning_unit is not None and not told:
        flags.append("leans_to_misconception")
    for flag in flags:
        score = min(score, _cap(calibration, flag))
    p = calibration.point
    statuses: list[Status] = [
        "covered" if s >= p.covered else "partial" if s >= p.partial else "missed" for s in measures.strengths
    ]
    final = round(float(np.clip(score, 0, 100)))
    return Judgement(
        strengths=measures.strengths,
        statuses=statuses,
        contradicted_by=measures.contradicted_by,
        misconceptions=measures.stated,
        flags=flags,
        features=measures.features,
        score=final,
        band=calibration.band(final),
        kept=kept,
    )


def _flags(
    assessment: Assessment,
    calibration: Calibration,
    features: dict[str, float],
    stated: list[MisconceptionMatch],
) -> list[FlagCode]:
    t = calibration.thresholds
    flags: list[FlagCode] = []
    if assessment.non_answer:
        return ["non_answer"]
    if assessment.gibberish:
        flags.append("gibberish")
    if assessment.instructions:
        flags.append("grader_instructions")
    if assessment.keyword_list:
        flags.append("keyword_list")
    # The looser echo rule and the rubric's off-topic rule need a rubric: against a reference answer
    # alone, "Global variables have file scope." (full marks in Mohler's set) is three-quarters the
    # question's own words. An answer of nothing but the question's words is an echo in either mode.
    rubric = not assessment.question.reference_mode
    if assessment.restates or (
        rubric
        and assessment.echo >= t.echo_share
        and assessment.novel <= t.echo_novel
        and features["coverage"] < t.echo_coverage
    ):
        flags.append("echo")
    if (
        rubric
        and assessment.topic_margin <= -t.off_topic_margin
        and features["coverage"] < t.off_topic_coverage
        and not assessment.on_subject
    ) or (not rubric and reference_off_topic(assessment, t)):
        flags.append("off_topic")
    if stated:
        flags.append("misconception")
    return flags


def reference_off_topic(assessment: Assessment, thresholds: Thresholds) -> bool:
    """With a reference answer alone there are no other questions to compare with: an answer that
    shares nothing with the reference beyond the question's own words is off-topic. Mohler's
    graders gave most answers some credit, so without this a recipe for bread scored 52/100."""
    reference = assessment.reference
    return max(reference["demoted"], reference["demoted_text"]) < thresholds.reference_off_topic


def _cap(calibration: Calibration, flag: FlagCode) -> float:
    caps = calibration.caps
    return {
        "non_answer": 0.0,
        "gibberish": caps.gibberish,
        "grader_instructions": caps.grader_instructions,
        "keyword_list": caps.keyword_list,
        "echo": caps.echo,
        "off_topic": caps.off_topic,
        "misconception": caps.misconception,
    }.get(flag, 100.0)
