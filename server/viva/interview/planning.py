"""Choosing an interview's questions, and the narrow question a follow-up asks."""

from __future__ import annotations

import random
import re

from viva.bank import Bank, Question
from viva.bank.models import PART_SEPARATOR
from viva.errors import InvalidRequestError, NoQuestionsError
from viva.interview.models import StartRequest


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def plan_questions(bank: Bank, request: StartRequest) -> list[Question]:
    """The questions to ask: the ones named, in order; or a seeded shuffle of the ones that match."""
    if request.questions:
        questions = [bank.get(ref) for ref in request.questions]
        named: dict[str, int | str] = {}
        for ref, question in zip(request.questions, questions, strict=True):
            if question.id in named:
                raise InvalidRequestError(
                    f"Question {ref!r} is named twice (as {named[question.id]!r} before): an interview asks "
                    "each question once."
                )
            named[question.id] = ref
        return questions
    wanted = {slug(c) for c in request.categories}
    pool = [
        q
        for q in bank
        if (not wanted or slug(q.category) in wanted)
        and (request.difficulty is None or q.difficulty == request.difficulty)
    ]
    if not pool:
        categories = ", ".join(f"{c!r}" for c in bank.categories)
        raise NoQuestionsError(
            f"No question matches categories {request.categories or 'any'} and difficulty "
            f"{request.difficulty or 'any'}; the categories are: {categories}."
        )
    random.Random(request.seed).shuffle(pool)
    return pool[: request.count]


def follow_up_question(question: Question, key_point_id: str, prompt: str) -> Question:
    """The question a follow-up asks: graded against the missed key point alone (and what it counts)."""
    point = next(p for p in question.key_points if p.id == key_point_id)
    points = [p for p in question.key_points if p.id in point.of] + [point] if point.at_least else [point]
    ids = {p.id for p in points}
    return question.model_copy(
        update={
            "id": f"{question.id}{PART_SEPARATOR}{key_point_id}",
            "question": prompt,
            "model_answer": " ".join(p.text for p in points),
            "key_points": points,
            "misconceptions": [m for m in question.misconceptions if m.contradicts in ids],
            "rubric_version": f"{question.rubric_version}{PART_SEPARATOR}{key_point_id}",
        }
    )
