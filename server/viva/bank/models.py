"""The rubric schema: what a question file in `rubrics/` may say.

These models are the single source of truth for rubric files: `viva bank check`
validates against them and `viva bank schema` turns them into a JSON Schema for
editors. A file holds one category's questions; a coach's own file may hold a
single question with only a model (reference) answer, in which case the grader
derives key points from that answer's sentences.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=64),
    Field(description="A stable identifier: lower-case words joined by hyphens."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Difficulty = Literal["fresher", "experienced"]

MAX_KEY_POINTS = 7
PART_SEPARATOR = "--"
"""Joins a question's id and one of its key points' ids into the id of a narrower question (a
follow-up probing that point). Slugs never contain it, so a derived id is never a bank id."""


def base_id(question_id: str) -> str:
    """The bank question an id belongs to: itself, or the question a follow-up was derived from."""
    return question_id.split(PART_SEPARATOR, 1)[0]


def _field_error(field: str, message: str) -> PydanticCustomError:
    """A cross-field problem, carrying the field it is about so `viva bank check` can name it."""
    return PydanticCustomError("rubric_field", "{message}", {"field": field, "message": message})


class StrictModel(BaseModel):
    """Rubric files are written by hand: a misspelt field must be an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyPoint(StrictModel):
    id: Slug
    text: Text = Field(description="One gradable idea, stated in one sentence.")
    weight: float = Field(default=1.0, gt=0, le=5, description="Relative weight in the score.")
    required: bool = Field(
        default=False, description="A strong answer must make this point (the why-asked note says so)."
    )
    source: Literal["answer", "why_asked"] = Field(
        default="answer", description="Whether the point comes from the model answer or the why-asked note."
    )
    phrasings: list[Text] = Field(
        default_factory=list,
        max_length=4,
        description="Other ways a candidate might state the same idea, in their own words.",
    )
    follow_up: Text | None = Field(
        default=None, description="What an interviewer would ask when the point is missing."
    )
    of: list[Slug] = Field(
        default_factory=list,
        description="For a counting point ('names at least three strategies'): the key points it counts.",
    )
    at_least: int | None = Field(
        default=None, ge=1, description="For a counting point: how many of `of` the answer must cover."
    )

    @model_validator(mode="after")
    def _counting_rule_is_whole(self) -> KeyPoint:
        if bool(self.of) != (self.at_least is not None):
            raise _field_error(
                "at_least" if self.of else "of",
                "a counting key point needs both `of` (key point ids) and `at_least` (a number)",
            )
        if self.at_least is not None and self.at_least > len(self.of):
            raise _field_error(
                "at_least", f"at_least is {self.at_least} but `of` lists only {len(self.of)} key points"
            )
        return self


class Misconception(StrictModel):
    id: Slug
    text: Text = Field(description="The wrong statement, as a weak candidate would say it.")
    phrasings: list[Text] = Field(
        default_factory=list,
        max_length=4,
        description="Other ways a candidate might state the same wrong idea, in their own words.",
    )
    contradicts: Slug = Field(description="The id of the key point this statement contradicts.")
    explanation: Text = Field(description="Why it is wrong, in a sentence or two a candidate can learn from.")


class DeliveryHints(StrictModel):
    """How to say it well, following the seed's 30-second answer rule."""

    one_line: Text | None = Field(default=None, description="A one-line definition to open with.")
    example: Text | None = Field(default=None, description="A concrete real-world example to give.")
    trade_off: Text | None = Field(default=None, description="A trade-off to close with.")


class QuestionSpec(StrictModel):
    """A question as written in a rubric file."""

    id: Slug
    number: int | None = Field(
        default=None, ge=1, description="Position in the bank; assigned after the highest number if absent."
    )
    question: Text
    category: Text | None = Field(default=None, description="Defaults to the file's category.")
    difficulty: Difficulty = "experienced"
    model_answer: Text = Field(description="The reference answer, revealed to the candidate after grading.")
    why_asked: Text | None = Field(default=None, description="What the interviewer is really evaluating.")
    key_points: list[KeyPoint] = Field(
        default_factory=list,
        max_length=MAX_KEY_POINTS,
        description="Empty: the grader derives key points from the model answer (reference-answer mode).",
    )
    misconceptions: list[Misconception] = Field(default_factory=list)
    delivery: DeliveryHints = Field(default_factory=DeliveryHints)

    @model_validator(mode="after")
    def _ids_are_consistent(self) -> QuestionSpec:
        seen: set[str] = set()
        for index, point in enumerate(self.key_points):
            if point.id in seen:
                raise _field_error(f"key_points.{index}.id", f"duplicate key point id '{point.id}'")
            seen.add(point.id)
        for index, point in enumerate(self.key_points):
            unknown = [ref for ref in point.of if ref not in seen or ref == point.id]
            if unknown:
                raise _field_error(
                    f"key_points.{index}.of", f"no other key point '{unknown[0]}' in this question"
                )
        seen_misconceptions: set[str] = set()
        for index, wrong in enumerate(self.misconceptions):
            if wrong.id in seen_misconceptions:
                raise _field_error(f"misconceptions.{index}.id", f"duplicate misconception id '{wrong.id}'")
            seen_misconceptions.add(wrong.id)
            if wrong.contradicts not in seen:
                raise _field_error(
                    f"misconceptions.{index}.contradicts",
                    f"no key point '{wrong.contradicts}' in this question"
                    f" (its key points are: {', '.join(sorted(seen)) or 'none'})",
                )
        return self


class RubricFile(StrictModel):
    """One YAML file of the bank."""

    category: Text | None = Field(default=None, description="The category of every question in the file.")
    questions: list[QuestionSpec] = Field(min_length=1)


class Question(QuestionSpec):
    """A loaded question: its number and category resolved, its content fingerprinted."""

    number: int
    category: Text
    source_file: str = Field(description="The rubric file this question came from, relative to the bank.")
    rubric_version: str = Field(description="A fingerprint of the rubric content grading reads.")

    @property
    def reference_mode(self) -> bool:
        """True when the grader must derive key points from the model answer."""
        return not self.key_points


def fingerprint(spec: QuestionSpec, category: str) -> str:
    """A short hash of everything grading reads, so a grade names the exact rubric it used."""
    content = spec.model_dump(mode="json", exclude={"number", "category"}) | {"category": category}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]
