"""Applying a critique to a grade, under one rule: the score stays Viva's.

The LLM may lower a key point it says is missed or wrong. It may confirm or raise
one (by one step: missed to partial, partial to covered) only with a quote that is
in the answer word for word, never for an answer flagged as a non-answer, as
gibberish or as instructions to the grader, and never by more than
`llm_max_raise` points of score in all. A score the model states is ignored (the
reply model drops it). Every point the LLM changed says so (`decided_by: "llm"`).
"""

from __future__ import annotations

import logging
import re

from viva.bank import Question
from viva.grading.grader import Grader
from viva.grading.models import Evidence, FollowUp, Grade, KeyPointResult
from viva.llm import Critic
from viva.llm.models import CritiqueOutcome, CritiqueReply

log = logging.getLogger("viva.llm")

NO_RAISE_FLAGS = {"non_answer", "gibberish", "grader_instructions"}
RANK = {"missed": 0, "partial": 1, "covered": 2}
STRENGTH = {"missed": 0.0, "partial": 0.45, "covered": 1.0}
"""The strength a verdict sets: the middle of its band under the shipped calibration's thresholds."""


class Reviewer:
    """Runs the critic and applies its verdicts to a grade."""

    def __init__(self, grader: Grader, critic: Critic, max_raise: int) -> None:
        self.grader = grader
        self.critic = critic
        self.max_raise = max_raise

    def review(self, question: Question, answer: str, grade: Grade) -> tuple[Grade, CritiqueOutcome]:
        outcome = self.critic.critique(question, answer, grade)
        if outcome.status != "ok":
            # What the operator needs to mend it (a wrong key, a down server, a short timeout); the
            # critic's causes never quote a reply or a server's body, which may echo the answer.
            log.warning(
                "LLM critique failed: %s",
                outcome.status,
                extra={"model": outcome.model, "ms": outcome.latency_ms, "error": outcome.error},
            )
        return apply(self.grader, question, answer, grade, outcome, self.max_raise), outcome


def apply(
    grader: Grader, question: Question, answer: str, grade: Grade, outcome: CritiqueOutcome, max_raise: int
) -> Grade:
    cost = outcome.usage.prompt_tokens + outcome.usage.completion_tokens
    info = grade.grader.model_copy(
        update={
            "llm_status": outcome.status,
            "llm_model": outcome.model,
            "prompt_version": outcome.prompt_version,
            "llm_latency_ms": outcome.latency_ms,
            "llm_tokens": cost or None,
        }
    )
    if outcome.status != "ok" or outcome.reply is None:
        return grade.model_copy(update={"grader": info})
    reply = outcome.reply
    may_raise = not ({f.code for f in grade.flags} & NO_RAISE_FLAGS)
    strengths, reasons, evidence = _verdicts(grade, reply, answer, may_raise)
    reviewed = grader.grade_with(question, answer, strengths) if strengths else grade
    score = reviewed.score
    if score > grade.score:
        score = min(score, grade.score + max_raise) if may_raise else grade.score
    source = (
        "embedding"
        if score == grade.score
        else "embedding, raised by llm"
        if score > grade.score
        else "embedding, lowered by llm"
    )
    # A verdict that moved nothing is no decision: a point made of others ("at least three of...")
    # stands as they stand, whatever the LLM says of it alone.
    before = {p.id: p.status for p in grade.key_points}
    moved = {i: reason for i, reason in reasons.items() if before[i] != _status(reviewed, i)}
    points = [_marked(p, moved, evidence) for p in reviewed.key_points]
    follow_up = grade.follow_up
    if reply.follow_up.strip():
        follow_up = FollowUp(
            key_point=grade.follow_up.key_point if grade.follow_up else None,
            question=reply.follow_up.strip(),
            source="llm",
        )
    return reviewed.model_copy(
        update={
            "score": score,
            "band": grader.calibration.band(score),
            "key_points": points,
            "follow_up": follow_up,
            "critique": reply.critique.strip(),
            "suggestion": reply.suggestion.strip() or None,
            "llm_misconceptions": [m.strip() for m in reply.misconceptions if m.strip()],
            "grader": info.model_copy(
                update={
                    "score_source": source,
                    "embedding_score": grade.score if score != grade.score else None,
                }
            ),
        }
    )


def _verdicts(
    grade: Grade, reply: CritiqueReply, answer: str, may_raise: bool
) -> tuple[dict[str, float], dict[str, str], dict[str, Evidence]]:
    strengths: dict[str, float] = {}
    reasons: dict[str, str] = {}
    evidence: dict[str, Evidence] = {}
    for point in grade.key_points:
        verdict = reply.key_points.get(point.id)
        if verdict is None:
            continue
        said = "missed" if verdict.verdict == "wrong" else verdict.verdict
        if RANK[said] < RANK[point.status] and verdict.reason.strip():
            strengths[point.id] = STRENGTH[said]
            reasons[point.id] = verdict.reason.strip()
        elif RANK[said] > RANK[point.status] and may_raise:
            found = find_quote(answer, verdict.quote)
            if found is not None:
                raised = ("partial", "covered")[RANK[point.status]]  # one step up, whatever was claimed
                strengths[point.id] = STRENGTH[raised]
                reasons[point.id] = verdict.reason.strip() or "the LLM found this point made"
                evidence[point.id] = found
    return strengths, reasons, evidence


def _status(grade: Grade, point_id: str) -> str:
    return next(p.status for p in grade.key_points if p.id == point_id)


def _marked(point: KeyPointResult, reasons: dict[str, str], evidence: dict[str, Evidence]) -> KeyPointResult:
    if point.id not in reasons:
        return point
    update: dict[str, object] = {"decided_by": "llm", "llm_reason": reasons[point.id]}
    if point.id in evidence:
        update["evidence"] = evidence[point.id]
    elif point.status == "missed":
        update["evidence"] = None
    return point.model_copy(update=update)


def find_quote(answer: str, quote: str) -> Evidence | None:
    """Where the quote is in the answer, word for word (spacing may differ); None if it is not there."""
    words = quote.split()
    if len(words) < 2:
        return None  # a single word proves nothing
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, answer)
    if match is None:
        return None
    return Evidence(start=match.start(), end=match.end(), text=match.group())
