"""The coach's side: finding interviews, overriding grades, comments, exports, agreement with the grader."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal, NamedTuple

import numpy as np
from pydantic import AfterValidator, BaseModel, BeforeValidator
from scipy.stats import pearsonr
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from viva.errors import TurnNotAnsweredError
from viva.grading.calibration import shipped_calibration
from viva.grading.models import Grade
from viva.interview.models import (
    Agreement,
    CommentRequest,
    InterviewSummary,
    OverrideRequest,
    QuestionAgreement,
    Transcript,
    TurnView,
)
from viva.interview.report import mean_of, mean_score, whole
from viva.interview.service import InterviewService, latest_overrides
from viva.store.database import rollback_on_error
from viva.store.models import Comment, Interview, Override, Turn, aware, utcnow

ExportFormat = Literal["json", "csv", "md"]
SortKey = Literal["created_at", "candidate", "score", "answered"]


def _iso_8601(value: object) -> object:
    # pydantic would read "4" as a Unix timestamp; a coach's filter is a date, written as one.
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("must be an ISO 8601 date or date-time, such as 2026-11-25 or 2026-11-25T09:00:00Z")
    return value


def _through_the_day(value: object) -> object:
    # "until=2026-11-25" means through that day: the first moment after it, as "until" is exclusive.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.combine(date.fromisoformat(value.strip()) + timedelta(days=1), time(), UTC)
        except OverflowError:
            raise ValueError("must be a date before 9999-12-31") from None
    return value


def _in_utc(moment: datetime) -> datetime:
    """The moment in UTC (a naive one is UTC already): SQLite keeps a moment's digits and drops its
    offset, so a filter written in +05:00 was five hours off."""
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("must be a moment between the years 1 and 9999 in UTC") from None


DateTime = Annotated[datetime, BeforeValidator(_iso_8601), AfterValidator(_in_utc)]
Until = Annotated[DateTime, BeforeValidator(_through_the_day)]


class InterviewFilter(BaseModel):
    candidate: str | None = None
    since: datetime | None = None
    """In UTC, as every stored moment is (the API converts what a coach writes)."""
    until: datetime | None = None
    """Exclusive: created before it."""
    min_score: float | None = None
    max_score: float | None = None
    overridden: bool | None = None
    sort: SortKey = "created_at"
    descending: bool = True
    limit: int = 200


class _TurnRow(NamedTuple):
    """What the list reads of a turn: never its grade (the largest column) nor its answer."""

    interview_id: str
    id: int
    kind: str
    status: str
    score: int | None


def list_interviews(session: Session, wanted: InterviewFilter) -> list[InterviewSummary]:
    """The interviews `wanted`, summarised, sorted and cut to its limit.

    Three statements however many interviews there are (the interviews, their turns' scores, their
    turns' overrides): a statement or more per interview made a coach's page of thousands take seconds.
    Score filters and sorts are on the summaries, as the score of record is the mean of the turns'.
    """
    conditions = _conditions(wanted)
    # Interviews that tie on the sort key keep this order, newest first: unordered, PostgreSQL read
    # them in whatever order its heap held them (an updated row moves), SQLite oldest first, and a
    # limit cut the two at different interviews.
    interviews = session.exec(
        select(Interview).where(*conditions).order_by(col(Interview.created_at).desc(), col(Interview.id))
    ).all()
    if wanted.candidate is not None:
        # Matched here, not in SQL: "emile" finds "Émile", and case folds as it does everywhere (LIKE
        # on SQLite folds only ASCII, PostgreSQL's lower() by the database's locale).
        part = _plain(wanted.candidate)
        interviews = [i for i in interviews if part in _plain(i.candidate)]
    listed = select(Interview.id).where(*conditions)
    turns: dict[str, list[_TurnRow]] = defaultdict(list)
    # sqlmodel types a select() of at most four columns; the rows are `_TurnRow`'s five.
    columns = select(Turn.interview_id, Turn.id, Turn.kind, Turn.status, Turn.score)  # type: ignore[call-overload]
    for row in session.exec(columns.where(col(Turn.interview_id).in_(listed))):
        turns[row.interview_id].append(_TurnRow._make(row))
    corrections = latest_overrides(session, select(col(Turn.id)).where(col(Turn.interview_id).in_(listed)))
    summaries = [_summary(i, turns[i.id], corrections) for i in interviews]
    summaries = [
        s
        for s in summaries
        # In whole points, as the pages show a score: "at least 23" keeps the 22.5 a coach sees as 23.
        if (wanted.min_score is None or (s.score is not None and whole(s.score) >= wanted.min_score))
        and (wanted.max_score is None or (s.score is not None and whole(s.score) <= wanted.max_score))
        and (wanted.overridden is None or s.overridden == wanted.overridden)
    ]

    def key(s: InterviewSummary) -> Any:
        value = getattr(s, wanted.sort)
        return _alphabetical(value) if isinstance(value, str) else value

    # Either way up, interviews without the value (no score yet) come last: the first rows a coach
    # sees sorted by score, highest or lowest first, are scores.
    present = sorted(
        (s for s in summaries if getattr(s, wanted.sort) is not None), key=key, reverse=wanted.descending
    )
    return (present + [s for s in summaries if getattr(s, wanted.sort) is None])[: wanted.limit]


def _alphabetical(name: str) -> tuple[str, str]:
    """A name's place in an alphabetical list: "Émile" among the e's, where a coach looks for it, not
    after "Zoë" (by code point every accented letter comes after z); accents then break the tie."""
    return _plain(name), name.casefold()


def _plain(name: str) -> str:
    """The name as a coach types it to find it: without accents, case folded."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def _conditions(wanted: InterviewFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.since:
        conditions.append(col(Interview.created_at) >= wanted.since)
    if wanted.until:
        conditions.append(col(Interview.created_at) < wanted.until)
    return conditions


def _summary(
    interview: Interview, turns: list[_TurnRow], corrections: dict[int, Override]
) -> InterviewSummary:
    return InterviewSummary(
        id=interview.id,
        candidate=interview.candidate,
        created_at=aware(interview.created_at) or utcnow(),
        finished=interview.finished_at is not None,
        score=mean_score(turns, corrections),
        grader_score=mean_score(turns, {}),
        answered=_questions_answered(turns),
        total=len(interview.plan),
        overridden=any(t.id in corrections for t in turns),
    )


def _questions_answered(turns: Iterable[_TurnRow | TurnView]) -> int:
    """Planned questions answered, as the list and the Markdown export both say: a follow-up is part of
    its question, and the question being asked is not answered yet."""
    return sum(t.kind == "question" and t.status != "asked" for t in turns)


def override(
    service: InterviewService,
    session: Session,
    interview_id: str,
    number: int,
    coach: str,
    request: OverrideRequest,
) -> TurnView:
    # Locked before the first read, as every write is: on SQLite a transaction that read before a
    # candidate's answer was stored could not write after it ("database is locked", a 503).
    interview = service.open_by_id(session, interview_id, lock=True)
    with rollback_on_error(session):
        turn = service.turn(session, interview.id, number)
        assert turn.id is not None
        if turn.answer is None:
            raise TurnNotAnsweredError(
                f"Turn {number} has no answer yet: a correction is of an answer's grade. Override it once it "
                "is answered."
            )
    session.add(Override(turn_id=turn.id, coach=coach, score=request.score, comment=request.comment))
    session.commit()
    return service.turn_view(session, turn)


def comment(
    service: InterviewService, session: Session, interview_id: str, coach: str, request: CommentRequest
) -> Transcript:
    interview = service.open_by_id(session, interview_id, lock=True)  # a write: see `override`
    if request.turn is not None:
        with rollback_on_error(session):
            service.turn(session, interview.id, request.turn)
    session.add(Comment(interview_id=interview.id, turn_number=request.turn, coach=coach, text=request.text))
    session.commit()
    return service.transcript(session, interview.id)


def agreement(session: Session) -> Agreement:
    """How far the grader and the coaches agree, over every turn a coach overrode (latest override)."""
    latest: dict[int, Override] = {}
    for o in session.exec(select(Override).order_by(col(Override.id))).all():
        latest[o.turn_id] = o
    turns = session.exec(select(Turn).where(col(Turn.id).in_(list(latest)))).all() if latest else []
    pairs = [
        (t.question_id, float(t.score), float(latest[t.id].score))
        for t in turns
        if t.id and t.score is not None
    ]
    by_question: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for question, grader, coach in pairs:
        by_question[question].append((grader, coach))
    overall = _figures([(g, c) for _, g, c in pairs])
    return Agreement(
        n=len(pairs),
        pearson=overall[0],
        mean_difference=overall[1],
        mean_absolute_difference=overall[2],
        questions=[
            QuestionAgreement(
                question=q, n=len(v), mean_difference=_figures(v)[1] or 0.0, pearson=_figures(v)[0]
            )
            for q, v in sorted(by_question.items())
        ],
    )


def _figures(pairs: list[tuple[float, float]]) -> tuple[float | None, float | None, float | None]:
    if not pairs:
        return None, None, None
    grader, coach = np.array(pairs).T
    r = (
        float(pearsonr(grader, coach)[0])
        if len(pairs) >= 3 and grader.std() > 0 and coach.std() > 0
        else None
    )
    difference = coach - grader
    return (
        round(r, 3) if r is not None else None,
        round(float(difference.mean()), 2),
        round(float(np.abs(difference).mean()), 2),
    )


def export(transcript: Transcript, form: ExportFormat) -> tuple[str, str]:
    """The transcript as (content, media type)."""
    if form == "json":
        return transcript.model_dump_json(indent=2), "application/json"
    if form == "csv":
        return _csv(transcript), "text/csv; charset=utf-8"
    return _markdown(transcript), "text/markdown; charset=utf-8"


CSV_COLUMNS = [
    "turn",
    "kind",
    "question_number",
    "question",
    "answer",
    "status",
    "score",
    "grader_score",
    "corrected_by",
    "band",
    "covered",
    "partial",
    "missed",
    "misconceptions",
    "flags",
    "override_score",
    "override_comment",
    "override_coach",
    "grader_band",
    "comments",
    "critique",
    "changed_by_critique",
]


def _csv(transcript: Transcript) -> str:
    """One row per turn; `score` and `band` are the score of record (a coach's correction where there is
    one) and its band, `grader_score` and `grader_band` the grader's own. New columns go at the end, so
    a spreadsheet that reads the columns by position still finds the old ones."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for turn in transcript.turns:
        grade = turn.grade
        comments = [c for c in transcript.comments if c.turn == turn.number]
        # What the critique did to the grade, compactly: each point it set, with the status it set.
        changed = [p for p in grade.key_points if p.decided_by == "llm"] if grade else []
        row: dict[str, object] = {
            "turn": turn.number,
            "kind": turn.kind,
            "question_number": turn.question.number,
            "question": turn.question.text,
            "answer": turn.answer or "",
            "status": turn.status,
            "score": turn.score if turn.score is not None else "",
            "grader_score": grade.score if grade else "",
            "corrected_by": turn.corrected_by or "",
            "band": _band_of_record(turn),
            **{
                status: "; ".join(p.id for p in grade.key_points if p.status == status) if grade else ""
                for status in ("covered", "partial", "missed")
            },
            "misconceptions": "; ".join(m.id for m in grade.misconceptions) if grade else "",
            "flags": "; ".join(f.code for f in grade.flags) if grade else "",
            "override_score": turn.override.score if turn.override else "",
            "override_comment": turn.override.comment if turn.override else "",
            "override_coach": turn.override.coach if turn.override else "",
            "grader_band": grade.band if grade else "",
            # One line each, oldest first, as the page lists them: a comment's own "; " stays readable.
            "comments": "\n".join(f"{c.coach}: {c.text}" for c in comments),
            "critique": _critique_text(grade) if grade else "",
            "changed_by_critique": "; ".join(f"{p.id}: {p.status}" for p in changed),
        }
        writer.writerow({column: _inert(value) for column, value in row.items()})
    return out.getvalue()


def _critique_text(grade: Grade) -> str:
    """The LLM critique and its suggestion, in the words the coach's page gives them; empty without one."""
    if not grade.critique:
        return ""
    return grade.critique + (f" Suggested: {grade.suggestion}" if grade.suggestion else "")


def _band_of_record(turn: TurnView) -> str:
    """The band of the turn's score of record: a row must not say 80 beside "weak". A coach's score
    gets the band the grader would give it (the shipped calibration's, which every grade is made with)."""
    grade = turn.grade
    if (
        turn.corrected_by is not None
        and turn.score is not None
        and (grade is None or turn.score != grade.score)
    ):
        return shipped_calibration().band(turn.score)
    return grade.band if grade else ""  # a confirmed score keeps the band it was graded with


def _inert(value: object) -> object:
    """A text a spreadsheet would run as a formula (it starts with =, +, -, @ or a tab), quoted with
    a leading apostrophe: an answer "=HYPERLINK(...)" must open as text, not as a live link."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _markdown(transcript: Transcript) -> str:
    lines = [
        f"# Mock interview: {_md(transcript.candidate)}",
        "",
        f"- Started: {transcript.created_at:%Y-%m-%d %H:%M} UTC",
        f"- Answered: {_questions_answered(transcript.turns)} of {transcript.progress.total} questions"
        + (" (finished)" if transcript.progress.finished else ""),
        *_score_lines(transcript),
        "",
    ]
    for turn in transcript.turns:
        label = "Follow-up" if turn.kind == "follow_up" else f"Q{turn.question.number}"
        lines += [f"## {turn.number}. {label}: {_md(turn.question.text)}", ""]
        lines += ["**Answer:**", "", _quote(turn.answer) if turn.answer else "_(not answered)_", ""]
        grade = turn.grade
        if grade:
            lines.append(
                f"**Score {grade.score}/100** ({grade.band}{critique_moved(grade)}). {_md(grade.summary)}"
            )
            for point in grade.key_points:
                mark = {"covered": "x", "partial": "~", "missed": " "}[point.status]
                said = f" — “{_md(point.evidence.text)}”" if point.evidence else ""
                why = f": {_md(point.llm_reason)}" if point.llm_reason else ""
                by = f" (set by the LLM critique{why})" if point.decided_by == "llm" else ""
                lines.append(f"- [{mark}] {_md(point.text)}{said}{by}")
            for wrong in grade.misconceptions:
                lines.append(f"- Misconception: {_md(wrong.text)} ({_md(wrong.explanation)})")
            lines.append("")
            if grade.critique:
                lines += [f"**LLM critique:** {_md(_critique_text(grade))}", ""]
                lines += [f"- Wrong statement it noticed: {_md(wrong)}" for wrong in grade.llm_misconceptions]
                lines += [""] if grade.llm_misconceptions else []
        if turn.override:
            lines += [
                f"**Coach ({_md(turn.override.coach)}): {turn.override.score}/100.** {_md_lines(turn.override.comment)}",
                "",
            ]
    if transcript.comments:
        lines += ["## Coach's comments", ""]
        lines += [
            f"- {_md(c.coach)}{f' on turn {c.turn}' if c.turn else ''}: {_md_lines(c.text, indent='  ')}"
            for c in transcript.comments
        ]
    return "\n".join(lines) + "\n"


def critique_moved(grade: Grade) -> str:
    """How the LLM critique moved the score, as the coach's page and exports say it; empty when it did not."""
    before = grade.grader.embedding_score
    if before is None:
        return ""
    way = "raised" if "raised" in grade.grader.score_source else "lowered"
    return f"; the LLM critique {way} it from {before}"


def _score_lines(transcript: Transcript) -> list[str]:
    """The interview's score of record, and the grader's own beside it when a coach corrected a turn,
    in whole points as the report page shows them."""
    scored = [
        (t.score, t.grade.score)
        for t in transcript.turns
        if t.kind == "question" and t.grade is not None and t.score is not None
    ]
    of_record = mean_of(score for score, _ in scored)
    if of_record is None:
        return []
    # As the report counts them: follow-ups a coach corrected too.
    corrected = sum(t.corrected_by is not None for t in transcript.turns)
    if not corrected:
        return [f"- Score: {whole(of_record)}/100"]
    grader = mean_of(score for _, score in scored)
    assert grader is not None  # the same turns, so as many scores
    turns = "turn" if corrected == 1 else "turns"
    return [
        f"- Score: {whole(of_record)}/100, {corrected} {turns} corrected by a coach "
        f"(the grader's: {whole(grader)}/100)"
    ]


def _md(text: str) -> str:
    """Plain text in Markdown: markup characters escaped, so an answer's `<script>` stays text."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|" else ch for ch in text).replace("\n", " ")


def _md_lines(text: str, indent: str = "") -> str:
    """A coach's text with the lines it was typed in, each ending in a hard break (indented to stay in
    its list item): run into one line, a numbered list of advice read as one sentence."""
    return ("\\\n" + indent).join(_inline(line.strip()) for line in text.splitlines() if line.strip())


def _inline(line: str) -> str:
    """A line of text that starts no block of its own ("2. Then..." after a line break began a list,
    "- " an item, "#" a heading): the punctuation that would start one, escaped."""
    numbered = re.sub(r"^(\d+)([.)])", r"\1\\\2", _md(line))
    return re.sub(r"^([#=+-])", r"\\\1", numbered)


def _quote(text: str) -> str:
    return "\n".join("> " + _md(line) for line in text.splitlines() or [""])
