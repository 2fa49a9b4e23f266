"""Grading one answer with nothing stored, for clients that only want a grade."""

from fastapi import APIRouter, Response
from pydantic import Field, ValidationError

from viva.api.deps import BatcherDep, GradeQuotaDep, ReviewerDep, SettingsDep
from viva.api.errors import documented
from viva.config import Settings
from viva.errors import AnswerTooLongError, InvalidRequestError, ReferenceTooLongError
from viva.grading.grader import QuestionLike, reference_question
from viva.grading.models import Grade
from viva.interview.models import RequestShape, StoredText

router = APIRouter(prefix="/api/v1", tags=["grading"], responses=documented(400, 404, 413, 422, 429))


class GradeRequest(RequestShape):
    question: int | str = Field(
        description="A bank question's number or id; with `reference`, the question's text."
    )
    answer: StoredText
    reference: StoredText | None = Field(
        default=None, description="Grade against this reference answer instead."
    )

    def target(self, settings: Settings) -> QuestionLike:
        """What the answer is graded against, once within the limits (this route's and `viva grade`'s)."""
        limit = settings.max_answer_chars
        if len(self.answer) > limit:
            raise AnswerTooLongError(
                f"The answer is {len(self.answer)} characters; the limit is {limit} (VIVA_MAX_ANSWER_CHARS)."
            )
        if self.reference is None:
            return self.question
        if isinstance(self.question, int):
            raise InvalidRequestError(
                "With a `reference`, `question` is the question's text, not a bank question's number."
            )
        longest = max(len(self.reference), len(str(self.question)))
        if longest > limit:
            raise ReferenceTooLongError(
                f"With a `reference`, the question and the reference may each be at most {limit} characters,"
                f" as an answer may; one is {longest}."
            )
        try:
            return reference_question(str(self.question), self.reference)
        except ValidationError as error:
            raise InvalidRequestError(
                "With a `reference`, `question` is the question's text and `reference` a model answer:"
                " neither may be blank."
            ) from error


@router.post("/grade", summary="Grade one answer (nothing is stored)", response_model=Grade)
def grade(
    request: GradeRequest,
    batcher: BatcherDep,
    settings: SettingsDep,
    reviewer: ReviewerDep,
    quota: GradeQuotaDep,
) -> Response:
    """The grade, with the LLM critique when an LLM is configured (waiting at most `VIVA_LLM_TIMEOUT`).
    Each client address may have `VIVA_GRADE_RATE` answers graded per replica (429 beyond it)."""
    question = batcher.grader.question(request.target(settings))
    quota.take()  # the most expensive request there is: counted once it is sure to be graded
    grade = batcher.grade(question, request.answer)
    if reviewer is not None:  # nothing is stored to update later: this one waits for the critique
        grade, _ = reviewer.review(question, request.answer, grade)
    # Serialised here, on the request's thread, as an answer's response is: FastAPI would validate
    # the grade again, on another trip through the threadpool, before serialising it.
    return Response(grade.model_dump_json(), media_type="application/json")
