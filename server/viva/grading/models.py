"""The Grade: what the grader says about one answer, as the API, the pages and the LLM critique see it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["covered", "partial", "missed"]
CallStatus = Literal["ok", "timeout", "error", "invalid_output"]
"""How one call to the LLM ended."""
LlmStatus = Literal["disabled", "pending", CallStatus]
FlagCode = Literal[
    "non_answer",
    "gibberish",
    "grader_instructions",
    "echo",
    "off_topic",
    "keyword_list",
    "misconception",
    "leans_to_misconception",
    "too_short",
    "too_long",
]


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True)


class Evidence(Contract):
    """A span of the candidate's own words: `answer[start:end] == text`."""

    start: int = Field(ge=0, description="Offset of the first character, in Python string indices.")
    end: int = Field(ge=0, description="Offset one past the last character.")
    text: str


class KeyPointResult(Contract):
    id: str
    text: str
    required: bool
    weight: float
    status: Status
    similarity: float = Field(ge=0, le=1, description="How strongly the answer makes the point, 0 to 1.")
    evidence: Evidence | None = Field(default=None, description="The answer's words that make the point.")
    contradicted_by: str | None = Field(
        default=None, description="The misconception the answer states instead, if any."
    )
    decided_by: Literal["embedding", "llm"] = Field(
        default="embedding", description="Which grader set the status: the embeddings, or the LLM critique."
    )
    llm_reason: str | None = Field(default=None, description="The LLM's reason, when it gave one.")


class MisconceptionResult(Contract):
    id: str
    text: str = Field(description="The rubric's statement of the misconception.")
    explanation: str = Field(description="Why it is wrong.")
    contradicts: str = Field(description="The key point it contradicts.")
    similarity: float = Field(ge=0, le=1)
    evidence: Evidence


class Flag(Contract):
    code: FlagCode
    message: str = Field(description="What the candidate should know, in plain words.")
    evidence: list[Evidence] = Field(default_factory=list)


class Delivery(Contract):
    """How the answer would sound, against the seed's 30-second rule; not part of the score."""

    words: int
    speaking_seconds: int = Field(description="At about 150 words a minute.")
    target_seconds: int = 30
    opens_with_definition: bool
    gives_example: bool
    names_trade_off: bool
    example_evidence: Evidence | None = Field(
        default=None, description="The sentence (in a long one, the clause) that gives the concrete example."
    )
    trade_off_evidence: Evidence | None = Field(
        default=None, description="The sentence (in a long one, the clause) that names the trade-off."
    )
    tips: list[str]


class FollowUp(Contract):
    key_point: str | None = Field(description="The missed key point it probes.")
    question: str
    source: Literal["rubric", "llm"] = "rubric"


class QuestionRef(Contract):
    number: int | None
    id: str
    text: str


class GraderInfo(Contract):
    method: Literal["rubric", "reference"]
    embedding_model: str
    rubric_version: str
    grader_version: str
    calibration: str
    llm_status: LlmStatus = Field(
        default="disabled",
        description=(
            "The LLM critique: `disabled` (no LLM configured), `pending` (being written in the background;"
            " the stored grade changes when it lands), `ok`, or how it failed (`timeout`, `error`,"
            " `invalid_output`: the grade stands without it)."
        ),
    )
    llm_model: str | None = None
    prompt_version: str | None = None
    llm_latency_ms: int | None = None
    llm_tokens: int | None = Field(default=None, description="Prompt plus completion tokens of the critique.")
    score_source: Literal["embedding", "embedding, lowered by llm", "embedding, raised by llm"] = Field(
        default="embedding",
        description="Where the score came from; the LLM may only adjust it within bounds.",
    )
    embedding_score: int | None = Field(
        default=None, description="The score before the critique, when it changed."
    )


class Grade(Contract):
    question: QuestionRef
    score: int = Field(ge=0, le=100)
    band: str = Field(description="A word for the score: weak, partial, good or strong.")
    summary: str = Field(description="One sentence on the grade, for the candidate.")
    key_points: list[KeyPointResult]
    misconceptions: list[MisconceptionResult]
    flags: list[Flag]
    delivery: Delivery
    follow_up: FollowUp | None
    model_answer: str
    critique: str | None = Field(
        default=None, description="The LLM interviewer's feedback, when there is an LLM."
    )
    suggestion: str | None = Field(default=None, description="One concrete way to improve, from the LLM.")
    llm_misconceptions: list[str] = Field(
        default_factory=list, description="Wrong statements the LLM noticed."
    )
    grader: GraderInfo
