"""What the LLM is asked to return, and what a critique call came to."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from viva.grading.models import LlmStatus

Verdict = Literal["covered", "partial", "missed", "wrong"]


class KeyPointVerdict(BaseModel):
    model_config = ConfigDict(extra="ignore")

    verdict: Verdict
    reason: str = Field(default="", max_length=400)
    quote: str = Field(default="", max_length=400, description="The answer's own words, copied exactly.")


class CritiqueReply(BaseModel):
    """The model's reply. Only `critique` is required; unknown fields (a `score`, say) are ignored."""

    model_config = ConfigDict(extra="ignore")

    critique: str = Field(min_length=1, max_length=1200)
    suggestion: str = Field(default="", max_length=600)
    key_points: dict[str, KeyPointVerdict] = Field(default_factory=dict)
    misconceptions: list[str] = Field(default_factory=list, max_length=5)
    follow_up: str = Field(default="", max_length=400)


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class CritiqueOutcome(BaseModel):
    """One critique call: its status, the reply when there is one, and what it cost."""

    status: LlmStatus
    reply: CritiqueReply | None = None
    model: str
    prompt_version: str
    response_format: str | None = Field(default=None, description="json_schema, json_object or text.")
    usage: Usage = Field(default_factory=Usage)
    latency_ms: int = 0
    error: str | None = None
