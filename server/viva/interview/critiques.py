"""Critiques written in the background and stored on their turn: a grade never waits for the LLM."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlmodel import Session, select

from viva.bank import Question
from viva.grading.models import Grade, LlmStatus
from viva.llm.review import Reviewer
from viva.store.database import lock_row
from viva.store.models import Turn

log = logging.getLogger("viva.critiques")


def with_llm_status(grade: Grade, status: LlmStatus) -> Grade:
    """The grade, saying where its critique stands: `pending` while it is written in the background,
    for `disabled` would tell a client there is no LLM; never `pending` once it will not come."""
    return grade.model_copy(update={"grader": grade.grader.model_copy(update={"llm_status": status})})


class CritiqueQueue:
    def __init__(
        self,
        reviewer: Reviewer,
        sessions: Callable[[], Session],
        question_of: Callable[[Turn], Question],
        workers: int,
    ) -> None:
        self.reviewer = reviewer
        self._sessions = sessions
        self._question_of = question_of
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="viva-critique")

    def submit(self, turn_id: int) -> Future[None]:
        return self._pool.submit(self._run, turn_id)

    def resume(self, session: Session) -> int:
        """Queue again the critiques a stop interrupted; how many there were."""
        pending = session.exec(select(Turn.id).where(Turn.critique_status == "pending")).all()
        for turn_id in pending:
            if turn_id is not None:
                self.submit(turn_id)
        return len(pending)

    def close(self) -> None:
        """Finish the critiques under way (each ends within the LLM timeout), then stop. Those still
        queued are not started: they stay pending in the store, and the next start resumes them (a
        backlog written one call after another had held a stop far beyond its deadline)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, turn_id: int) -> None:
        graded: dict[str, Any] | None = None
        try:
            with self._sessions() as session:
                turn = session.get(Turn, turn_id)
                if turn is None or turn.critique_status != "pending" or not turn.grade or turn.answer is None:
                    return
                graded = turn.grade
                grade = Grade.model_validate(graded)
                question, answer = self._question_of(turn), turn.answer
                # No transaction stays open while the model thinks: on SQLite, one that had read before
                # other answers were stored could not write after them ("database is locked").
                session.rollback()
                reviewed, outcome = self.reviewer.review(question, answer, grade)
                lock_row(session, Turn, turn_id)
                turn = session.get(Turn, turn_id)
                if turn is None or turn.critique_status != "pending" or turn.grade != graded:
                    return  # graded again meanwhile: that grade has a critique of its own coming
                turn.grade, turn.score = reviewed.model_dump(mode="json"), reviewed.score
                turn.embedding_score = grade.score
                turn.critique_status = "ready" if outcome.status == "ok" else "failed"
                turn.llm_prompt_tokens = outcome.usage.prompt_tokens
                turn.llm_completion_tokens = outcome.usage.completion_tokens
                turn.llm_latency_ms = outcome.latency_ms
                session.add(turn)
                session.commit()
        except Exception:  # a critique is a bonus: its failure must never take anything else down
            log.exception("critique of turn %s failed", turn_id)
            with self._sessions() as session:
                lock_row(session, Turn, turn_id)
                turn = session.get(Turn, turn_id)
                # Only the grade this critique was for: one a regrade stored meanwhile has its own coming.
                if turn is not None and turn.critique_status == "pending" and turn.grade == graded and graded:
                    turn.critique_status = "failed"
                    turn.grade = with_llm_status(Grade.model_validate(graded), "error").model_dump(
                        mode="json"
                    )
                    session.add(turn)
                    session.commit()
