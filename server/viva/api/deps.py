"""FastAPI dependencies: every shared thing a route needs, typed."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse
from sqlmodel import Session

from viva.api.state import Services
from viva.config import Settings
from viva.errors import (
    CoachDisabledError,
    InvalidCoachTokenError,
    MissingCredentialsError,
    TooManyRequestsError,
)
from viva.grading.batching import GradingBatcher
from viva.interview.service import InterviewService
from viva.llm.review import Reviewer

_bearer = HTTPBearer(auto_error=False, description="The interview's token, or a coach token.")


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


def settings(state: ServicesDep) -> Settings:
    return state.settings


def session(state: ServicesDep) -> Iterator[Session]:
    with Session(state.engine, expire_on_commit=False) as db:
        yield db


def interviews(state: ServicesDep) -> InterviewService:
    return state.interviews


def batcher(state: ServicesDep) -> GradingBatcher:
    return state.batcher


def reviewer(state: ServicesDep) -> Reviewer | None:
    return state.interviews.critiques.reviewer if state.interviews.critiques else None


def _rate_limited(state: ServicesDep, token: Annotated[str, Depends(bearer_token)]) -> str:
    """The candidate's token, if it has not sent too many answers lately (per replica)."""
    rate = parse(state.settings.answer_rate)
    key = hashlib.sha256(token.encode()).hexdigest()
    if not state.limiter.hit(rate, "answers", key):
        reset = state.limiter.get_window_stats(rate, "answers", key).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise TooManyRequestsError(
            f"Too many answers in a short time (at most {state.settings.answer_rate}): wait {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    return token


def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    if credentials is None or not credentials.credentials:
        raise MissingCredentialsError("Send the interview's token: `Authorization: Bearer <token>`.")
    return credentials.credentials


SettingsDep = Annotated[Settings, Depends(settings)]
SessionDep = Annotated[Session, Depends(session)]
InterviewsDep = Annotated[InterviewService, Depends(interviews)]
BatcherDep = Annotated[GradingBatcher, Depends(batcher)]
ReviewerDep = Annotated[Reviewer | None, Depends(reviewer)]
CandidateToken = Annotated[str, Depends(bearer_token)]
RateLimitedToken = Annotated[str, Depends(_rate_limited)]


def coach_name(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The coach a token belongs to; 503 when no coach token is configured, 401 for a wrong one."""
    coaches = settings.coaches
    if not coaches:
        raise CoachDisabledError(
            "No coach token is configured: set VIVA_COACH_TOKEN (`viva coach token` prints a fresh one)."
        )
    if credentials is None or not credentials.credentials:
        raise MissingCredentialsError("Send a coach token: `Authorization: Bearer <coach token>`.")
    found = None
    for token, name in coaches.items():  # look at every token, so timing says nothing of which matched
        if hmac.compare_digest(token.encode(), credentials.credentials.encode()):
            found = name
    if found is None:
        raise InvalidCoachTokenError("This coach token is not valid.")
    return found


CoachName = Annotated[str, Depends(coach_name)]
