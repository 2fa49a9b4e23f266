"""The flow of a mock interview: start, ask, take an answer, grade it, follow up, finish.

Every answer is committed before it is graded; a grading failure leaves it stored
with status `failed`, to be graded again later. Each method takes the caller's
session and commits its own work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import NamedTuple, Protocol, cast

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from viva.bank import Bank, Question
from viva.config import Settings
from viva.errors import (
    AnswerInProgressError,
    AnswerTooLongError,
    InterviewFinishedError,
    InterviewNotFoundError,
    TurnMismatchError,
    TurnNotAnsweredError,
    TurnNotFoundError,
    VivaError,
)
from viva.grading.grader import QuestionLike
from viva.grading.models import Grade
from viva.interview.critiques import CritiqueQueue, with_llm_status
from viva.interview.models import (
    AnswerRequest,
    AnswerResponse,
    AskedQuestion,
    CommentView,
    CritiqueStatus,
    GradingStatus,
    OverrideView,
    Progress,
    StartRequest,
    StartResponse,
    Transcript,
    TurnView,
)
from viva.interview.planning import follow_up_question, plan_questions
from viva.interview.tokens import matches, new_token, token_hash
from viva.metrics import ANSWERS_STORED
from viva.store.database import lock_row, queue_for_writing, rollback_on_error
from viva.store.models import Comment, Interview, Override, Turn, aware, utcnow

FINISHED = "This interview is finished: start a new one to answer more questions."


def latest_overrides(
    session: Session, turn_ids: list[int] | SelectOfScalar[int | None]
) -> dict[int, Override]:
    """Each turn's latest override: a coach's correction, the turn's score of record.

    `turn_ids` is a list, or a query selecting them: the turns of thousands of interviews are one
    statement, not a list of thousands of bound parameters (SQLite and PostgreSQL both cap those).
    """
    if isinstance(turn_ids, list) and not turn_ids:
        return {}
    found = session.exec(
        select(Override).where(col(Override.turn_id).in_(turn_ids)).order_by(col(Override.id))
    ).all()
    return {o.turn_id: o for o in found}  # the latest wins


class Grading(Protocol):
    def grade(self, question: QuestionLike, answer: str) -> Grade: ...


class Advanced(NamedTuple):
    """What a grading asked next (None: the interview is finished), and the progress committed with it."""

    next: Turn | None
    progress: Progress


class InterviewService:
    def __init__(
        self,
        bank: Bank,
        grading: Grading | None,
        settings: Settings,
        critiques: CritiqueQueue | None = None,
    ) -> None:
        """`grading` may be None for reading transcripts only (the command line's exports);
        `critiques`, when an LLM is configured, writes each graded turn's critique in the background."""
        self.bank = bank
        self.grading = grading
        self.settings = settings
        self.critiques = critiques

    # --- the candidate's side -------------------------------------------------------------

    def start(self, session: Session, request: StartRequest) -> StartResponse:
        questions = plan_questions(self.bank, request)
        token = new_token()
        interview = Interview(
            id=uuid.uuid4().hex,
            candidate=request.candidate,
            candidate_key_hash=token_hash(request.candidate_key) if request.candidate_key else None,
            token_hash=token_hash(token),
            plan=[q.id for q in questions],
            follow_ups=request.follow_ups and self.settings.follow_ups,
            options=request.model_dump(mode="json", exclude={"candidate", "candidate_key"}),
        )
        first = Turn(
            interview_id=interview.id,
            number=1,
            kind="question",
            question_id=questions[0].id,
            prompt=questions[0].question,
        )
        queue_for_writing(session)  # a new row: nothing to lock, but it waits its turn like every write
        session.add(interview)
        session.add(first)
        session.commit()
        return StartResponse(
            id=interview.id,
            token=token,
            question=self.asked(first),
            progress=self.progress(session, interview),
        )

    def answer(
        self,
        session: Session,
        interview_id: str,
        token: str,
        request: AnswerRequest,
        idempotency_key: str | None = None,
        *,
        accept: Callable[[], None] | None = None,
    ) -> AnswerResponse:
        """Store a new answer, grade it and ask what comes next; a retry gets the stored result.

        `accept` is called just before a new answer is stored, once every check has passed: the
        API counts the answer against the token's rate limit there, and may refuse it by raising.
        """
        limit = self.settings.max_answer_chars
        if len(request.answer) > limit:
            raise AnswerTooLongError(
                f"The answer is {len(request.answer)} characters; the limit is {limit}. Shorten it and send it again."
            )
        interview = self.open(session, interview_id, token, lock=True)
        # Without the earlier turns' grades: decoding each one's JSON cost more than all the rest of
        # loading them, and only a retry reads one (it loads on access).
        turns = self.turns(session, interview.id, grades=False)
        with rollback_on_error(session):
            retried = self._retried(
                turns, request, idempotency_key, finished=interview.finished_at is not None
            )
        if retried is not None:
            session.rollback()
            if retried.status == "pending":
                # The client did not get its answer: the replica that took it may have died
                # grading it. Grade it here (if that replica is alive, the first to finish wins).
                self.grade_turn(session, interview, retried)
            return self.result(session, interview, retried)
        current = turns[-1]
        if current.status != "asked":
            session.rollback()
            if interview.finished_at is not None:
                raise InterviewFinishedError(FINISHED)
            raise AnswerInProgressError(
                f"Turn {current.number} is still being graded: send the next answer in a moment."
            )
        if request.turn is not None and request.turn != current.number:
            session.rollback()
            raise TurnMismatchError(
                f"Turn {request.turn} is not the one being asked: turn {current.number} is."
            )
        if accept is not None:
            try:
                accept()
            except VivaError:
                session.rollback()
                raise
        current.answer = request.answer
        current.answered_at = utcnow()
        current.idempotency_key = idempotency_key
        current.status = "pending"
        session.add(current)
        session.commit()  # the answer is safe before grading starts
        ANSWERS_STORED.inc()
        advanced = self.grade_turn(session, interview, current)
        if advanced is None:  # graded elsewhere meanwhile, or already moved on: read what is stored
            return self.result(session, interview, current)
        return self._response(current, advanced.next, advanced.progress)

    def _retried(
        self, turns: list[Turn], request: AnswerRequest, idempotency_key: str | None, *, finished: bool
    ) -> Turn | None:
        """The turn a retry refers to, if it has been answered already."""
        if idempotency_key is not None:
            keyed = next((t for t in turns if t.idempotency_key == idempotency_key), None)
            if keyed is not None:
                if keyed.answer != request.answer:
                    raise TurnMismatchError(
                        f"This Idempotency-Key was sent with a different answer to turn {keyed.number}; "
                        "a new answer needs a new key."
                    )
                return keyed
        if request.turn is not None:
            turn = next((t for t in turns if t.number == request.turn), None)
            if turn is None and finished:
                raise InterviewFinishedError(FINISHED)
            if turn is None:
                raise TurnNotFoundError(f"This interview has no turn {request.turn} yet.")
            if turn.status != "asked":
                if turn.answer != request.answer:
                    raise TurnMismatchError(
                        f"Turn {request.turn} was already answered with a different answer; answer the current turn."
                    )
                return turn
        return None

    def grade_turn(self, session: Session, interview: Interview, turn: Turn) -> Advanced | None:
        """Grade a stored answer (again, after a failure) and, the first time, ask what comes next:
        what it asked (an answer's response needs no second look at the database); None when this
        grading did not move the interview on."""
        assert turn.answer is not None and self.grading is not None
        seen = turn.status
        failure: str | None = None
        try:
            grade: Grade | None = self.grading.grade(self.question_of(turn), turn.answer)
        except Exception as error:  # the answer stays stored; a coach or a retry can grade it later
            grade, failure = None, f"{type(error).__name__}: {error}"[:2000]
        locked = self.open_by_id(session, interview.id, lock=True)
        session.refresh(turn)
        if turn.status != seen:
            session.rollback()  # another replica graded it while this one did: keep theirs
            return None
        if grade is None:
            turn.status, turn.grading_error = "failed", failure
        else:
            if self.critiques:
                grade = with_llm_status(grade, "pending")
            turn.status, turn.grading_error = "graded", None
            turn.grade, turn.score, turn.graded_at = grade.model_dump(mode="json"), grade.score, utcnow()
            turn.critique_status = "pending" if self.critiques else "disabled"
        session.add(turn)
        advanced = self._advance(session, locked, turn, grade)
        session.commit()
        if self.critiques and grade is not None and turn.id is not None:
            self.critiques.submit(turn.id)
        return advanced

    def _advance(
        self, session: Session, interview: Interview, turn: Turn, grade: Grade | None
    ) -> Advanced | None:
        """Ask the next question or follow-up, or finish; None if the interview had moved on already."""
        turns = session.exec(
            select(Turn.number, Turn.kind, Turn.status)
            .where(Turn.interview_id == interview.id)
            .order_by(col(Turn.number))
        ).all()
        last, _, _ = turns[-1]
        if last != turn.number or interview.finished_at is not None:
            return None  # already moved on (a re-grade, or a recovery after a crash)
        asked = sum(kind == "question" for _, kind, _ in turns)
        following: Turn | None = None
        if turn.kind == "question" and interview.follow_ups and grade is not None and grade.follow_up:
            point = next(
                p for p in self.bank.get(turn.question_id).key_points if p.id == grade.follow_up.key_point
            )
            if point.required:
                following = Turn(
                    interview_id=interview.id,
                    number=turn.number + 1,
                    kind="follow_up",
                    question_id=turn.question_id,
                    key_point=point.id,
                    prompt=grade.follow_up.question,
                )
        if following is None and asked < len(interview.plan):
            question = self.bank.get(interview.plan[asked])
            following = Turn(
                interview_id=interview.id,
                number=turn.number + 1,
                kind="question",
                question_id=question.id,
                prompt=question.question,
            )
        if following is None:
            interview.finished_at = utcnow()
            session.add(interview)
        else:
            session.add(following)
        # The progress as `progress` will read it once this is stored: the turn asked, not yet answered.
        stored = [(kind, status) for _, kind, status in turns]
        return Advanced(
            following, _progress(interview, stored + ([(following.kind, "asked")] if following else []))
        )

    def regrade(self, session: Session, interview_id: str, number: int, token: str | None = None) -> TurnView:
        """Grade a turn's stored answer again: after a grading failure, or whenever a coach asks."""
        interview = (
            self.open(session, interview_id, token)
            if token is not None
            else self.open_by_id(session, interview_id)
        )
        turn = self.turn(session, interview.id, number)
        if turn.answer is None:
            raise TurnNotAnsweredError(f"Turn {number} has no answer to grade yet.")
        # A candidate's regrade is for an answer whose grading failed: one graded (or being graded) is
        # returned as it stands, so a retried request grades nothing twice and cannot re-roll the critique.
        if token is None or turn.status == "failed":
            self.grade_turn(session, interview, turn)
        return self.turn_view(session, turn)

    def recover(self, session: Session) -> int:
        """Grade the answers a crash left ungraded (status `pending`); how many there were."""
        pending = session.exec(select(Turn).where(Turn.status == "pending")).all()
        for turn in pending:
            self.grade_turn(session, self.open_by_id(session, turn.interview_id), turn)
        return len(pending)

    def drop_pending_critiques(self, session: Session) -> int:
        """With no LLM configured any more, critiques a stop interrupted will not come: say so."""
        pending = session.exec(select(Turn).where(Turn.critique_status == "pending")).all()
        for turn in pending:
            turn.critique_status = "failed"
            if turn.grade:
                grade = with_llm_status(Grade.model_validate(turn.grade), "disabled")
                turn.grade = grade.model_dump(mode="json")
            session.add(turn)
        session.commit()
        return 0

    def transcript(self, session: Session, interview_id: str, token: str | None = None) -> Transcript:
        """The whole interview; `token` is the candidate's (None: the caller is a coach)."""
        interview = (
            self.open(session, interview_id, token)
            if token is not None
            else self.open_by_id(session, interview_id)
        )
        comments = session.exec(
            select(Comment).where(Comment.interview_id == interview.id).order_by(col(Comment.id))
        ).all()
        return Transcript(
            id=interview.id,
            candidate=interview.candidate,
            created_at=aware(interview.created_at) or utcnow(),
            finished_at=aware(interview.finished_at),
            progress=self.progress(session, interview),
            turns=[self.turn_view(session, t) for t in self.turns(session, interview.id)],
            comments=[
                CommentView(
                    coach=c.coach, text=c.text, turn=c.turn_number, created_at=aware(c.created_at) or utcnow()
                )
                for c in comments
            ],
        )

    # --- reading --------------------------------------------------------------------------

    def open(self, session: Session, interview_id: str, token: str, *, lock: bool = False) -> Interview:
        """The interview, if `token` opens it; an unknown id and a wrong token look the same."""
        interview = self._find(session, interview_id, lock=lock)
        if interview is None or not matches(token, interview.token_hash):
            raise InterviewNotFoundError(f"No interview {interview_id!r} for this token.")
        return interview

    def open_by_id(self, session: Session, interview_id: str, *, lock: bool = False) -> Interview:
        """The interview, for a caller that needs no token (a coach, a recovery at start-up)."""
        interview = self._find(session, interview_id, lock=lock)
        if interview is None:
            raise InterviewNotFoundError(f"No interview {interview_id!r}.")
        return interview

    def _find(self, session: Session, interview_id: str, *, lock: bool) -> Interview | None:
        """The interview; with `lock`, its row is locked until the transaction ends (answers queue up)."""
        if "\x00" in interview_id:  # in no id, and in a PostgreSQL query an error (a 500), not a miss
            return None
        if lock:
            lock_row(session, Interview, interview_id)
        return session.exec(select(Interview).where(Interview.id == interview_id)).first()

    def turns(self, session: Session, interview_id: str, *, grades: bool = True) -> list[Turn]:
        query = select(Turn).where(Turn.interview_id == interview_id).order_by(col(Turn.number))
        return list(session.exec(query if grades else query.options(defer(Turn.grade))).all())  # type: ignore[arg-type]

    def turn(self, session: Session, interview_id: str, number: int) -> Turn:
        turn = session.exec(
            select(Turn).where(Turn.interview_id == interview_id, Turn.number == number)
        ).first()
        if turn is None:
            raise TurnNotFoundError(f"Interview {interview_id!r} has no turn {number}.")
        return turn

    def question_of(self, turn: Turn) -> Question:
        question = self.bank.get(turn.question_id)
        if turn.kind == "follow_up" and turn.key_point:
            return follow_up_question(question, turn.key_point, turn.prompt)
        return question

    def asked(self, turn: Turn) -> AskedQuestion:
        question = self.bank.get(turn.question_id)
        return AskedQuestion(
            turn=turn.number,
            kind="follow_up" if turn.kind == "follow_up" else "question",
            id=question.id,
            number=question.number,
            category=question.category,
            difficulty=question.difficulty,
            text=turn.prompt,
        )

    def progress(self, session: Session, interview: Interview) -> Progress:
        turns = session.exec(select(Turn.kind, Turn.status).where(Turn.interview_id == interview.id)).all()
        return _progress(interview, [(kind, status) for kind, status in turns])

    def result(self, session: Session, interview: Interview, turn: Turn) -> AnswerResponse:
        session.refresh(interview)
        after = session.exec(
            select(Turn).where(Turn.interview_id == interview.id, Turn.number == turn.number + 1)
        ).first()
        return self._response(turn, after, self.progress(session, interview))

    def _response(self, turn: Turn, after: Turn | None, progress: Progress) -> AnswerResponse:
        following = self.asked(after) if after is not None else None
        return AnswerResponse(
            turn=turn.number,
            status="graded"
            if turn.status == "graded"
            else "failed"
            if turn.status == "failed"
            else "pending",
            grade=Grade.model_validate(turn.grade) if turn.grade else None,
            next=following,
            follow_up=following if following is not None and following.kind == "follow_up" else None,
            progress=progress,
            critique_status=cast(CritiqueStatus, turn.critique_status),
        )

    def turn_view(self, session: Session, turn: Turn) -> TurnView:
        overrides = [
            OverrideView(
                coach=o.coach, score=o.score, comment=o.comment, created_at=aware(o.created_at) or utcnow()
            )
            for o in session.exec(
                select(Override).where(Override.turn_id == turn.id).order_by(col(Override.id))
            ).all()
        ]
        latest = overrides[-1] if overrides else None
        return TurnView(
            number=turn.number,
            kind="follow_up" if turn.kind == "follow_up" else "question",
            question=self.asked(turn),
            answer=turn.answer,
            status=cast(GradingStatus, turn.status),
            grade=Grade.model_validate(turn.grade) if turn.grade else None,
            override=latest,
            overrides=overrides,
            score=latest.score if latest else turn.score,
            corrected_by=latest.coach if latest else None,
            asked_at=aware(turn.asked_at) or utcnow(),
            answered_at=aware(turn.answered_at),
            critique_status=cast(CritiqueStatus, turn.critique_status),
            llm_tokens=(turn.llm_prompt_tokens or 0) + (turn.llm_completion_tokens or 0) or None,
            llm_latency_ms=turn.llm_latency_ms,
        )


def _progress(interview: Interview, turns: list[tuple[str, str]]) -> Progress:
    """How far the interview has come, from its turns' (kind, status)."""
    return Progress(
        position=sum(kind == "question" for kind, _ in turns),
        total=len(interview.plan),
        answered=sum(status != "asked" for _, status in turns),
        finished=interview.finished_at is not None,
    )
