"""critique on turns

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:58:27.350021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("turn", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("critique_status", sa.String(length=16), server_default="disabled", nullable=False)
        )
        batch_op.add_column(sa.Column("embedding_score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("llm_prompt_tokens", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("llm_completion_tokens", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("llm_latency_ms", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turn", schema=None) as batch_op:
        batch_op.drop_column("llm_latency_ms")
        batch_op.drop_column("llm_completion_tokens")
        batch_op.drop_column("llm_prompt_tokens")
        batch_op.drop_column("embedding_score")
        batch_op.drop_column("critique_status")
