"""The interview's public shapes: what the API takes and returns (never the tables themselves)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from viva.bank.models import Difficulty
from viva.grading.models import Grade

TurnKind = Literal["question", "follow_up"]
CritiqueStatus = Literal["disabled", "pending", "ready", "failed"]
GradingStatus = Literal["asked", "pending", "graded", "failed"]


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold U+0000, and no database can store half a surrogate pair
    # (JSON's "\ud800" alone is not a character); everything else is stored exactly as given.
    if "\x00" in text:
        raise ValueError("must not contain the NUL character (U+0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"must be valid Unicode: a lone surrogate at position {error.start}") from None
    return text


StoredText = Annotated[str, AfterValidator(_storable)]
"""Text kept exactly as given (markup, control characters and all) but for U+0000 and lone surrogates."""


def _not_blank(hint: str) -> AfterValidator:
    """Surrounding spaces dropped, never blank: a name of spaces alone would be shown to the coach as an
    empty, unclickable link, a comment as an empty note."""

    def stripped(text: str) -> str:
        if not text.strip():
            raise ValueError(f"must not be blank: {hint}")
        return text.strip()

    return AfterValidator(stripped)


Name = Annotated[StoredText, _not_blank("send the candidate's name")]
"""A name without its surrounding spaces, never blank."""


MAX_TURN = 10_000
"""Far beyond any interview's turns (50 questions, with their follow-ups) and within every database's
integers: a turn number of 2**70 was a 500 ("Python int too large to convert to SQLite INTEGER")."""


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestShape(Shape):
    """What a client sends: JSON types as documented (`true` is not a number, `"5"` is not 5)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class StartRequest(RequestShape):
    candidate: Name = Field(
        min_length=1,
        max_length=100,
        description="The candidate's name, shown to their coach; surrounding spaces are dropped, and a "
        "blank name is refused.",
    )
    count: int = Field(default=5, ge=1, le=50, description="How many bank questions to ask.")
    # Stored with the interview's options: "Machine Learning Algorithms\x00" matched its category.
    categories: list[StoredText] = Field(
        default_factory=list, description="Only these categories (names or slugs)."
    )
    difficulty: Difficulty | None = Field(default=None, description="Only fresher or experienced questions.")
    questions: list[int | str] = Field(
        default_factory=list, description="Exactly these questions (numbers or ids), in this order."
    )
    seed: int | None = Field(default=None, description="Shuffle seed, for a reproducible order.")
    follow_ups: bool = Field(default=True, description="Probe a missed required key point with a follow-up.")
    # Its length checked before `_storable` runs: after it, pydantic counts "items", not characters.
    candidate_key: Annotated[str, Field(min_length=8, max_length=200), AfterValidator(_storable)] | None = (
        Field(
            default=None,
            description="A secret of the candidate's own: interviews with the same name and key are compared.",
        )
    )


class AnswerRequest(RequestShape):
    answer: StoredText = Field(description="The candidate's answer, as typed.")
    turn: int | None = Field(
        default=None,
        ge=1,
        le=MAX_TURN,
        description="The turn being answered; a retry of an answered turn returns its result.",
    )


class AskedQuestion(Shape):
    """A question as the candidate sees it: no model answer, no key points."""

    turn: int
    kind: TurnKind
    id: str = Field(description="The bank question's id.")
    number: int
    category: str
    difficulty: Difficulty
    text: str = Field(description="What the interviewer asks.")


class Progress(Shape):
    position: int = Field(
        description="Which of the planned questions this is (1-based); follow-ups share it."
    )
    total: int
    answered: int = Field(description="Turns answered so far, follow-ups included.")
    finished: bool


class StartResponse(Shape):
    id: str
    token: str = Field(
        description="The candidate's bearer credential for this interview alone. Keep it secret."
    )
    question: AskedQuestion
    progress: Progress


class AnswerResponse(Shape):
    turn: int
    status: GradingStatus = Field(description="`failed`: the answer is stored and can be re-graded later.")
    grade: Grade | None
    next: AskedQuestion | None = Field(description="The next question, or null when the interview is over.")
    follow_up: AskedQuestion | None = Field(
        description="The next question, when it is a follow-up of this one."
    )
    progress: Progress
    critique_status: CritiqueStatus = Field(
        default="disabled",
        description="`pending`: the LLM critique is being written; read the turn again to get it when `ready`.",
    )


class OverrideView(Shape):
    coach: str
    score: int
    comment: str
    created_at: datetime


class CommentView(Shape):
    coach: str
    text: str
    turn: int | None
    created_at: datetime


class TurnView(Shape):
    number: int
    kind: TurnKind
    question: AskedQuestion
    answer: str | None
    status: GradingStatus
    grade: Grade | None
    override: OverrideView | None = Field(
        description="The coach's latest override; the grader's grade stays beside it."
    )
    overrides: list[OverrideView] = Field(default_factory=list, description="Every override, oldest first.")
    score: int | None = Field(
        default=None,
        description="The score of record: the coach's latest override where there is one, else the grader's.",
    )
    corrected_by: str | None = Field(
        default=None, description="The coach whose override is the score of record, if one corrected it."
    )
    asked_at: datetime
    answered_at: datetime | None
    critique_status: CritiqueStatus = "disabled"
    llm_tokens: int | None = Field(
        default=None, description="What the critique cost: prompt plus completion tokens."
    )
    llm_latency_ms: int | None = None


class Transcript(Shape):
    id: str
    candidate: str
    created_at: datetime
    finished_at: datetime | None
    progress: Progress
    turns: list[TurnView]
    comments: list[CommentView] = Field(default_factory=list)


class CategoryResult(Shape):
    category: str
    questions: int
    score: float = Field(description="Mean score of record: a coach's correction where there is one.")


class KeyPointSummary(Shape):
    question: str
    number: int = Field(description="The question's number in the bank, as the pages show it: Q35.")
    question_text: str = Field(description="The question as the interviewer asked it.")
    key_point: str
    text: str
    required: bool
    status: str = Field(description="How the answer to the question made the point.")
    follow_up_status: str | None = Field(
        default=None,
        description="How the answer to a follow-up asking for this point made it; null: none asked.",
    )


class WeakArea(Shape):
    question: str
    number: int
    score: int = Field(description="The score of record: a coach's correction where there is one.")
    grader_score: int = Field(description="The grader's own score for the answer.")
    corrected_by: str | None = Field(
        default=None, description="The coach who corrected the score, if one did."
    )
    study: list[str] = Field(description="The key points missed: what to study.")
    partly: list[str] = Field(
        default_factory=list,
        description="The key points made only in part: worth a second look, even in an answer that scored 100.",
    )
    recovered: list[str] = Field(
        default_factory=list, description="Those of `study` the candidate gave when a follow-up asked again."
    )


class DeliverySummary(Shape):
    mean_words: float
    mean_seconds: float
    opens_with_definition: float = Field(description="Share of answers, 0 to 1.")
    gives_example: float
    names_trade_off: float


class EarlierInterview(Shape):
    id: str
    created_at: datetime
    score: float | None


class Report(Shape):
    id: str
    candidate: str
    finished: bool
    score: float | None = Field(
        description="Mean score of the graded planned questions (follow-ups apart); a coach's correction of "
        "a turn's score replaces the grader's for that turn."
    )
    grader_score: float | None = Field(
        default=None, description="The same mean over the grader's own scores, before any coach's correction."
    )
    corrected: int = Field(
        default=0, description="Turns (follow-ups included) whose score a coach corrected."
    )
    answered: int
    total: int
    follow_up_score: float | None
    covered: int
    partial: int
    missed: int
    categories: list[CategoryResult]
    key_points: list[KeyPointSummary]
    delivery: DeliverySummary | None
    weakest: list[WeakArea]
    earlier: list[EarlierInterview] = Field(
        description="Earlier interviews with the same name and candidate key."
    )
    change: float | None = Field(description="This score minus the previous interview's.")


class InterviewSummary(Shape):
    id: str
    candidate: str
    created_at: datetime
    finished: bool
    score: float | None = Field(
        description="Mean score of record of the planned questions (coaches' corrections count)."
    )
    grader_score: float | None = Field(
        default=None, description="The same mean over the grader's own scores, before any coach's correction."
    )
    answered: int
    total: int
    overridden: bool


class OverrideRequest(RequestShape):
    score: int = Field(ge=0, le=100)
    comment: StoredText = Field(default="", max_length=5000)


class CommentRequest(RequestShape):
    text: Annotated[StoredText, _not_blank("write the comment")] = Field(min_length=1, max_length=5000)
    turn: int | None = Field(default=None, ge=1, le=MAX_TURN)


class QuestionAgreement(Shape):
    question: str
    n: int
    mean_difference: float = Field(description="Coach minus grader, in points.")
    pearson: float | None


class Agreement(Shape):
    n: int = Field(description="Overridden turns.")
    pearson: float | None = Field(description="Between grader and coach scores (null below 3 turns).")
    mean_difference: float | None = Field(description="Coach minus grader, in points.")
    mean_absolute_difference: float | None
    questions: list[QuestionAgreement]
