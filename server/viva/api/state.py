"""What the service holds for its lifetime: settings, database engine, grader, batcher, interview flow."""

from __future__ import annotations

from dataclasses import dataclass

from limits.strategies import RateLimiter
from sqlalchemy import Engine

from viva.config import Settings
from viva.grading.batching import GradingBatcher
from viva.grading.grader import Grader
from viva.interview.service import InterviewService


@dataclass
class Services:
    settings: Settings
    engine: Engine
    grader: Grader
    batcher: GradingBatcher
    interviews: InterviewService
    limiter: RateLimiter
