"""The question bank, as a candidate may see it: no model answers, no key points."""

from fastapi import APIRouter
from pydantic import BaseModel

from viva.api.deps import ServicesDep
from viva.api.errors import documented
from viva.bank import Question
from viva.bank.models import Difficulty

router = APIRouter(prefix="/api/v1/questions", tags=["questions"], responses=documented(404, 422))


class PublicQuestion(BaseModel):
    id: str
    number: int
    category: str
    difficulty: Difficulty
    question: str


def public(question: Question) -> PublicQuestion:
    return PublicQuestion(
        id=question.id,
        number=question.number,
        category=question.category,
        difficulty=question.difficulty,
        question=question.question,
    )


@router.get("", summary="Every question of the bank")
def list_questions(state: ServicesDep) -> list[PublicQuestion]:
    return [public(q) for q in state.grader.bank]


@router.get("/{question}", summary="One question, by number or id")
def get_question(question: str, state: ServicesDep) -> PublicQuestion:
    return public(state.grader.bank.get(question))
