"""Grading one answer with nothing stored, for clients that only want a grade."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from viva.api.deps import BatcherDep, SettingsDep
from viva.errors import AnswerTooLongError
from viva.grading.grader import reference_question
from viva.grading.models import Grade
from viva.interview.models import StoredText

router = APIRouter(prefix="/api/v1", tags=["grading"])


class GradeRequest(BaseModel):
    question: int | str = Field(
        description="A bank question's number or id; with `reference`, the question's text."
    )
    answer: StoredText
    reference: StoredText | None = Field(
        default=None, description="Grade against this reference answer instead."
    )


@router.post("/grade", summary="Grade one answer (nothing is stored)")
def grade(request: GradeRequest, batcher: BatcherDep, settings: SettingsDep) -> Grade:
    if len(request.answer) > settings.max_answer_chars:
        raise AnswerTooLongError(
            f"The answer is {len(request.answer)} characters; the limit is {settings.max_answer_chars}."
        )
    if request.reference is not None:
        return batcher.grade(reference_question(str(request.question), request.reference), request.answer)
    question = batcher.grader.question(request.question)
    return batcher.grade(question, request.answer)
