"""What the LLM is asked to return, and what a critique call came to."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from viva.grading.models import CallStatus

Verdict = Literal["covered", "partial", "missed", "wrong"]


_OUT_OF = r"\d{1,3}(?:\.\d+)?\s*(?:/|out\s+of)\s*(?:10|100)\b"
_STATED_SCORE = re.compile(
    # A mark, not any fraction: after a word of marking ("a score of 9/10", "I'd give it 8 out of 10"),
    # in parentheses ("(10/10)"), or after a comma at the end of a sentence ("Perfect answer, 100/100!").
    # "Hold out 1/10", "precision was 9/10" and "9 out of 10 folds" stay.
    rf"\s*(?:(?:\ba\s+)?\b(?:score|rating|mark|grade|give\s+it|rate\s+it)\w*\s*(?:of|is|at|:|=)?\s*{_OUT_OF}"
    rf"|\(\s*{_OUT_OF}\s*\)|,\s*{_OUT_OF}(?=\s*[.!?]|\s*$))",
    re.IGNORECASE,
)


_MARK = r"(?<![\d.])\d{1,3}(?![.,]?\d)(?:\s*(?:/|out\s+of)\s*(?:10|100)\b|\s*(?:points?\b|%|percent\b))?"
_SCORE_SENTENCE = re.compile(
    # A sentence that marks the answer in words: "This answer deserves 100", "I would rate this answer
    # 100 out of 100", "Score: 100". A whole number only, so "an F1 score of 0.9" stays.
    rf"\b(?:deserves?|merits?)\s+(?:an?\s+|full\s+)?{_MARK}"
    rf"|\b(?:give|gave|giving|rate|rated|rating|grade|graded|score|scored|mark|marked|award|awarded)\s+"
    rf"(?:it|you|this(?:\s+answer|\s+one|\s+response)?|the\s+answer|your\s+answer)\s+"
    rf"(?:an?\s+|a\s+score\s+of\s+)?{_MARK}"
    rf"|\b(?:score|rating|grade|mark)\s*[:=]\s*{_MARK}"
    rf"|\b(?:my|a|your|the|final)\s+(?:score|rating|grade|mark)\s+(?:of|is|would\s+be)\s+{_MARK}",
    re.IGNORECASE,
)


def _without_stated_scores(text: str) -> str:
    """A score the model states is ignored, so it is not shown either: "Perfect, 100/100!" reads
    "Perfect!", and a sentence that marks the answer in words goes whole. A text that is nothing but
    a score is left as it is (the reply stays valid)."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = " ".join(s for s in sentences if not _SCORE_SENTENCE.search(s))
    stripped = _STATED_SCORE.sub("", kept).strip()
    return stripped if re.search(r"[^\W\d_]", stripped) else text


def _said_once(text: str) -> str:
    """Each clause once: a small model stuck in a loop repeats one until its length limit ("and that
    was asked in a way that was not a question", twenty times), and the candidate read every one."""
    pieces = re.split(r"([,;.!?]+\s*)", text)
    seen: set[str] = set()
    kept: list[str] = []
    for clause, mark in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
        said = " ".join(clause.lower().split())
        if len(said.split()) >= 3 and said in seen:
            continue
        seen.add(said)
        kept.append(clause + mark)
    return "".join(kept)


def _cut(limit: int, mark: str = "…") -> BeforeValidator:
    """Over-long text is cut (with an ellipsis), not a reason to throw the whole critique away."""

    def cut(value: object) -> object:
        if not isinstance(value, str) or len(value) <= limit:
            return value
        return value[: limit - len(mark)].rstrip() + mark

    return BeforeValidator(cut)


def _first(count: int) -> BeforeValidator:
    """The first `count` items of a longer list: the rest are dropped, not the reply."""
    return BeforeValidator(lambda value: value[:count] if isinstance(value, list) else value)


def _too_long_is_none(limit: int) -> BeforeValidator:
    """A question cut short cannot be asked: an over-long one is dropped (the grader's own stays)."""
    return BeforeValidator(lambda value: "" if isinstance(value, str) and len(value) > limit else value)


def _known_verdicts(value: object) -> object:
    """Verdicts read in any case ("Covered"); points the model gave one Viva does not know ("unclear")
    are dropped, not the reply."""
    if not isinstance(value, dict):
        return value
    allowed = get_args(Verdict)
    known = {}
    for point, verdict in value.items():
        if isinstance(verdict, dict) and isinstance(verdict.get("verdict"), str):
            verdict = {**verdict, "verdict": verdict["verdict"].strip().lower()}
            if verdict["verdict"] not in allowed:
                continue
        known[point] = verdict
    return known


class KeyPointVerdict(BaseModel):
    model_config = ConfigDict(extra="ignore")

    verdict: Verdict
    reason: Annotated[str, _cut(400), Field(max_length=400)] = ""
    # Cut without a mark: the start of a quote is still the answer's own words.
    quote: Annotated[str, _cut(400, mark=""), Field(max_length=400)] = Field(
        default="", description="The answer's own words, copied exactly."
    )


class CritiqueReply(BaseModel):
    """The model's reply. Only `critique` is required; unknown fields (a `score`, say) are ignored, and so
    is a score stated in the text."""

    model_config = ConfigDict(extra="ignore")

    critique: Annotated[
        str,
        _cut(1200),
        AfterValidator(_said_once),
        AfterValidator(_without_stated_scores),
        Field(min_length=1, max_length=1200),
    ]
    suggestion: Annotated[
        str,
        _cut(600),
        AfterValidator(_said_once),
        AfterValidator(_without_stated_scores),
        Field(max_length=600),
    ] = ""
    key_points: Annotated[dict[str, KeyPointVerdict], BeforeValidator(_known_verdicts)] = Field(
        default_factory=dict
    )
    misconceptions: Annotated[list[Annotated[str, _cut(400)]], _first(5), Field(max_length=5)] = Field(
        default_factory=list
    )
    follow_up: Annotated[str, _too_long_is_none(400), Field(max_length=400)] = ""


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class CritiqueOutcome(BaseModel):
    """One critique call: its status, the reply when there is one, and what it cost."""

    status: CallStatus
    reply: CritiqueReply | None = None
    model: str
    prompt_version: str
    response_format: str | None = Field(default=None, description="json_schema, json_object or text.")
    usage: Usage = Field(default_factory=Usage)
    latency_ms: int = 0
    error: str | None = None
