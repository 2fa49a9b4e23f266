"""Grading one answer with nothing stored, for clients that only want a grade."""

from fastapi import APIRouter
from pydantic import Field, ValidationError

from viva.api.deps import BatcherDep, ReviewerDep, SettingsDep
from viva.api.errors import documented
from viva.errors import AnswerTooLongError, InvalidRequestError, ReferenceTooLongError
from viva.grading.grader import reference_question
from viva.grading.models import Grade
from viva.interview.models import RequestShape, StoredText

router = APIRouter(prefix="/api/v1", tags=["grading"], responses=documented(400, 404, 413, 422))


class GradeRequest(RequestShape):
    question: int | str = Field(
        description="A bank question's number or id; with `reference`, the question's text."
    )
    answer: StoredText
    reference: StoredText | None = Field(
        default=None, description="Grade against this reference answer instead."
    )


@router.post("/grade", summary="Grade one answer (nothing is stored)")
def grade(request: GradeRequest, batcher: BatcherDep, settings: SettingsDep, reviewer: ReviewerDep) -> Grade:
    """The grade, with the LLM critique when an LLM is configured (waiting at most `VIVA_LLM_TIMEOUT`)."""
    if len(request.answer) > settings.max_answer_chars:
        raise AnswerTooLongError(
            f"The answer is {len(request.answer)} characters; the limit is {settings.max_answer_chars}."
        )
    if request.reference is None:
        question = batcher.grader.question(request.question)
    else:
        longest = max(len(request.reference), len(str(request.question)))
        if longest > settings.max_answer_chars:
            raise ReferenceTooLongError(
                f"With a `reference`, the question and the reference may each be at most "
                f"{settings.max_answer_chars} characters, as an answer may; one is {longest}."
            )
        try:
            question = reference_question(str(request.question), request.reference)
        except ValidationError as error:
            raise InvalidRequestError(
                "With a `reference`, `question` is the question's text and `reference` a model answer:"
                " neither may be blank."
            ) from error
    grade = batcher.grade(question, request.answer)
    if reviewer is not None:  # nothing is stored to update later: this one waits for the critique
        grade, _ = reviewer.review(question, request.answer, grade)
    return grade
