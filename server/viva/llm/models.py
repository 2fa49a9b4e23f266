"""What the LLM is asked to return, and what a critique call came to."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from viva.grading.models import LlmStatus

Verdict = Literal["covered", "partial", "missed", "wrong"]


_OUT_OF = r"\d{1,3}(?:\.\d+)?\s*(?:/|out\s+of)\s*(?:10|100)\b"
_STATED_SCORE = re.compile(
    # "a score of 9/10" anywhere; a bare "9/10" or "9 out of 10" only where it ends a phrase (a mark),
    # so "trained on 9 out of 10 folds" stays.
    rf"[,;:]?\s*\(?(?:\b(?:a\s+)?score\s*(?:of|is|:|=)?\s*{_OUT_OF}|\b{_OUT_OF}(?=\s*(?:[.!?,;)]|$)))\)?",
    re.IGNORECASE,
)


def _without_stated_scores(text: str) -> str:
    """A score the model states is ignored, so it is not shown either: "Perfect, 100/100!" reads "Perfect!"."""
    return _STATED_SCORE.sub("", text).strip()


def _cut(limit: int) -> BeforeValidator:
    """Over-long text is cut (with an ellipsis), not a reason to throw the whole critique away."""

    def cut(value: object) -> object:
        return value[: limit - 1].rstrip() + "…" if isinstance(value, str) and len(value) > limit else value

    return BeforeValidator(cut)


def _first(count: int) -> BeforeValidator:
    return BeforeValidator(lambda value: value[:count] if isinstance(value, list) else value)


def _known_verdicts(value: object) -> object:
    """Points the model gave a verdict Viva does not know ("unclear") are dropped, not the reply."""
    if not isinstance(value, dict):
        return value
    allowed = Verdict.__args__  # type: ignore[attr-defined]
    return {k: v for k, v in value.items() if not isinstance(v, dict) or v.get("verdict") in allowed}


class KeyPointVerdict(BaseModel):
    model_config = ConfigDict(extra="ignore")

    verdict: Verdict
    reason: Annotated[str, _cut(400), Field(max_length=400)] = ""
    quote: str = Field(default="", max_length=400, description="The answer's own words, copied exactly.")


class CritiqueReply(BaseModel):
    """The model's reply. Only `critique` is required; unknown fields (a `score`, say) are ignored, and so
    is a score stated in the text."""

    model_config = ConfigDict(extra="ignore")

    critique: Annotated[
        str, _cut(1200), AfterValidator(_without_stated_scores), Field(min_length=1, max_length=1200)
    ]
    suggestion: Annotated[str, _cut(600), AfterValidator(_without_stated_scores), Field(max_length=600)] = ""
    key_points: Annotated[dict[str, KeyPointVerdict], BeforeValidator(_known_verdicts)] = Field(
        default_factory=dict
    )
    misconceptions: Annotated[list[Annotated[str, _cut(400)]], _first(5), Field(max_length=5)] = Field(
        default_factory=list
    )
    follow_up: Annotated[str, _cut(400), Field(max_length=400)] = ""


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
