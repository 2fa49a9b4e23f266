"""The end-of-interview report: scores by category and key point, delivery, what to study, progress."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from statistics import mean
from typing import Protocol

from sqlmodel import Session, col, select

from viva.grading.models import Grade
from viva.interview.models import (
    CategoryResult,
    DeliverySummary,
    EarlierInterview,
    KeyPointSummary,
    Report,
    WeakArea,
)
from viva.interview.service import InterviewService, latest_overrides
from viva.store.models import Interview, Override, Turn, aware, utcnow

WEAKEST = 3


def build_report(service: InterviewService, session: Session, interview: Interview) -> Report:
    """The report, on each turn's score of record: a coach's correction replaces the grader's score
    (the grader's own mean stays beside it), while key points and delivery remain the grader's reading."""
    turns = service.turns(session, interview.id)
    corrections = latest_overrides(session, [t.id for t in turns if t.id is not None])
    graded = [(t, Grade.model_validate(t.grade)) for t in turns if t.grade]

    def of_record(turn: Turn, grade: Grade) -> int:
        correction = corrections.get(turn.id) if turn.id is not None else None
        return correction.score if correction else grade.score

    main = [(t, g) for t, g in graded if t.kind == "question"]
    follow_ups = [of_record(t, g) for t, g in graded if t.kind == "follow_up"]
    # How each probed point went when a follow-up asked for it again.
    probed = {
        (t.question_id, p.id): p.status
        for t, g in graded
        if t.kind == "follow_up"
        for p in g.key_points
        if p.id == t.key_point
    }
    by_category: dict[str, list[int]] = defaultdict(list)
    for turn, grade in main:
        by_category[service.bank.get(turn.question_id).category].append(of_record(turn, grade))
    points = [
        KeyPointSummary(
            question=turn.question_id,
            number=service.bank.get(turn.question_id).number,
            question_text=turn.prompt,
            key_point=p.id,
            text=p.text,
            required=p.required,
            status=p.status,
            follow_up_status=probed.get((turn.question_id, p.id)),
        )
        for turn, grade in main
        for p in grade.key_points
    ]
    weakest = sorted(main, key=lambda pair: of_record(*pair))[:WEAKEST]
    score = mean_score([t for t, _ in main], corrections)
    earlier = _earlier(session, interview, service)
    previous = next((e.score for e in reversed(earlier) if e.score is not None), None)
    return Report(
        id=interview.id,
        candidate=interview.candidate,
        finished=interview.finished_at is not None,
        score=score,
        grader_score=mean_score([t for t, _ in main], {}),
        corrected=sum(t.id in corrections for t, _ in graded),
        answered=sum(t.kind == "question" and t.status != "asked" for t in turns),
        total=len(interview.plan),
        follow_up_score=mean_of(follow_ups),
        covered=sum(p.status == "covered" for p in points),
        partial=sum(p.status == "partial" for p in points),
        missed=sum(p.status == "missed" for p in points),
        categories=[
            CategoryResult(category=c, questions=len(s), score=mean_of(s) or 0.0)
            for c, s in by_category.items()
        ],
        key_points=points,
        delivery=_delivery([g for _, g in graded]),
        weakest=[
            WeakArea(
                question=turn.prompt,
                number=service.bank.get(turn.question_id).number,
                score=of_record(turn, grade),
                grader_score=grade.score,
                corrected_by=corrections[turn.id].coach if turn.id in corrections else None,
                study=[p.text for p in grade.key_points if p.status == "missed"],
                partly=[p.text for p in grade.key_points if p.status == "partial"],
                recovered=[
                    p.text
                    for p in grade.key_points
                    if p.status == "missed" and probed.get((turn.question_id, p.id)) == "covered"
                ],
            )
            for turn, grade in weakest
        ],
        earlier=earlier,
        change=round(score - previous, 1) if score is not None and previous is not None else None,
    )


class ScoredTurn(Protocol):
    """What an interview's score reads of a turn: a whole `Turn`, or a row of just these columns."""

    @property
    def id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def score(self) -> int | None: ...


def mean_score(turns: Iterable[ScoredTurn], corrections: Mapping[int, Override]) -> float | None:
    """Mean score of the graded planned questions among `turns`, to one decimal: each turn's score of
    record (its latest override in `corrections`, from `latest_overrides`) or, with no corrections
    given, the grader's own."""
    return mean_of(
        corrections[t.id].score if t.id is not None and t.id in corrections else t.score
        for t in turns
        if t.kind == "question" and t.score is not None
    )


def mean_of(scores: Iterable[int]) -> float | None:
    """Whole-point scores' mean to one decimal, as the API gives it; `whole` of it is what pages show."""
    values = list(scores)
    # Not statistics.mean: over whole numbers both give the float nearest the exact mean, and this runs
    # twice per interview for the coach's list, where mean's fractions were a quarter of its time.
    return round(sum(values) / len(values), 1) if values else None


def whole(score: float) -> int:
    """A score in whole points as every page shows it: halves round up, as the report page's
    `Math.round` does (Python's `round` and `%.0f` send 58.5 to 58, the page to 59)."""
    return math.floor(score + 0.5)


def interview_score(session: Session, interview_id: str) -> float | None:
    """An interview's `mean_score` of record (coaches' corrections count)."""
    turns = session.exec(
        select(Turn).where(
            Turn.interview_id == interview_id, Turn.kind == "question", col(Turn.score).is_not(None)
        )
    ).all()
    return mean_score(turns, latest_overrides(session, [t.id for t in turns if t.id is not None]))


def _earlier(session: Session, interview: Interview, service: InterviewService) -> list[EarlierInterview]:
    """The same candidate's earlier interviews: same name (ignoring case and spaces) and same candidate key."""
    if interview.candidate_key_hash is None:
        return []
    others = session.exec(
        select(Interview)
        .where(
            Interview.candidate_key_hash == interview.candidate_key_hash,
            Interview.id != interview.id,
            col(Interview.created_at) < interview.created_at,
        )
        .order_by(col(Interview.created_at))
    ).all()
    name = interview.candidate.strip().casefold()
    return [
        EarlierInterview(
            id=o.id, created_at=aware(o.created_at) or utcnow(), score=interview_score(session, o.id)
        )
        for o in others
        if o.candidate.strip().casefold() == name
    ]


def _delivery(grades: list[Grade]) -> DeliverySummary | None:
    answered = [g.delivery for g in grades if g.delivery.words]
    if not answered:
        return None
    return DeliverySummary(
        mean_words=round(mean(d.words for d in answered), 1),
        mean_seconds=round(mean(d.speaking_seconds for d in answered), 1),
        opens_with_definition=round(mean(d.opens_with_definition for d in answered), 2),
        gives_example=round(mean(d.gives_example for d in answered), 2),
        names_trade_off=round(mean(d.names_trade_off for d in answered), 2),
    )
