"""The transcript store's tables: interviews, their turns, coaches' overrides and comments.

Nothing here is SQLite-only: the same tables run on PostgreSQL when many replicas
share one database. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

JsonColumn = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Interview(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    candidate: str = Field(sa_column=Column(Text, nullable=False, index=True))
    candidate_key_hash: str | None = Field(default=None, max_length=64, index=True)
    token_hash: str = Field(max_length=64)
    plan: list[str] = Field(sa_column=Column(JsonColumn, nullable=False))
    """The bank question ids to ask, in order."""
    follow_ups: bool = True
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonColumn, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Turn(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("interview_id", "number", name="uq_turn_number"),
        UniqueConstraint("interview_id", "idempotency_key", name="uq_turn_idempotency_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True, max_length=32)
    number: int
    kind: str = Field(max_length=16)
    """"question" (from the plan) or "follow_up" (probing a missed key point of the turn before)."""
    question_id: str = Field(max_length=64)
    prompt: str = Field(sa_column=Column(Text, nullable=False))
    key_point: str | None = Field(default=None, max_length=64)
    asked_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    answer: str | None = Field(default=None, sa_column=Column(Text))
    answered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    idempotency_key: str | None = Field(default=None, max_length=200)
    status: str = Field(default="asked", max_length=16, index=True)
    """asked -> pending (answer stored, not yet graded) -> graded | failed."""
    grade: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonColumn))
    score: int | None = None
    grading_error: str | None = Field(default=None, sa_column=Column(Text))
    graded_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    critique_status: str = Field(
        default="disabled", max_length=16, sa_column_kwargs={"server_default": "disabled"}
    )
    """disabled (no LLM) | pending (being written) | ready | failed (the grade stands without one)."""
    embedding_score: int | None = None
    """The embedding grader's score, kept when the critique adjusted it."""
    llm_prompt_tokens: int | None = None
    llm_completion_tokens: int | None = None
    llm_latency_ms: int | None = None


class Override(SQLModel, table=True):
    """A coach's own score for a turn; the grader's grade stays on the turn beside it."""

    id: int | None = Field(default=None, primary_key=True)
    turn_id: int = Field(foreign_key="turn.id", index=True)
    coach: str = Field(max_length=100)
    score: int
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Comment(SQLModel, table=True):
    """A coach's note on an interview, or on one of its turns."""

    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True, max_length=32)
    turn_number: int | None = None
    coach: str = Field(max_length=100)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


def aware(moment: datetime | None) -> datetime | None:
    """The moment in UTC. SQLite hands back naive datetimes (they are UTC); PostgreSQL hands back the
    database session's time zone, which a server set to another one made "+05:30" in the API and
    local time labelled UTC in the exports."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
