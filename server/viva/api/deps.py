"""FastAPI dependencies: every shared thing a route needs, typed."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse
from limits.strategies import RateLimiter
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
from viva.interview.models import MAX_TURN
from viva.interview.service import InterviewService
from viva.llm.review import Reviewer

_bearer = HTTPBearer(auto_error=False, description="The interview's token, or a coach token.")


async def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


async def settings(state: ServicesDep) -> Settings:
    return state.settings


async def session(state: ServicesDep) -> AsyncIterator[Session]:
    # Opened here, on the event loop: a session does no I/O until its first query, and a sync
    # dependency cost every request a trip through the threadpool to make one. Closing does I/O
    # (it rolls back and hands its connection back), so it runs on a thread, on a limiter of its
    # own: closed on the shared threadpool's limiter, requests waiting there for a connection (or
    # for SQLite's writer lock) could hold up the closes that would free one.
    db = Session(state.engine, expire_on_commit=False)
    try:
        yield db
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(db.close, limiter=anyio.CapacityLimiter(1))


async def interviews(state: ServicesDep) -> InterviewService:
    return state.interviews


async def batcher(state: ServicesDep) -> GradingBatcher:
    return state.batcher


async def reviewer(state: ServicesDep) -> Reviewer | None:
    return state.interviews.critiques.reviewer if state.interviews.critiques else None


class Quota:
    """One key's rate limit (per replica): an interview token's answers, or a client address's grades.
    A route takes from it only once it accepts a request for grading: one refused (too long, out of
    turn, an unknown question) costs nothing."""

    def __init__(self, limiter: RateLimiter, rate: str, what: str, key: str) -> None:
        self._limiter = limiter
        self._rate_text = rate
        self._what = what
        self._key = hashlib.sha256(key.encode()).hexdigest()

    def take(self) -> None:
        """Count one request, or raise `TooManyRequestsError` (429, with `Retry-After`)."""
        rate = parse(self._rate_text)
        if not self._limiter.hit(rate, self._what, self._key):
            reset = self._limiter.get_window_stats(rate, self._what, self._key).reset_time
            wait = max(1, math.ceil(reset - time.time()))
            raise TooManyRequestsError(
                f"Too many {self._what} in a short time (at most {self._rate_text}): wait {wait} s.",
                headers={"Retry-After": str(wait)},
            )


async def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    if credentials is None or not credentials.credentials:
        raise MissingCredentialsError("Send the interview's token: `Authorization: Bearer <token>`.")
    return credentials.credentials


SettingsDep = Annotated[Settings, Depends(settings)]
SessionDep = Annotated[Session, Depends(session)]
InterviewsDep = Annotated[InterviewService, Depends(interviews)]
BatcherDep = Annotated[GradingBatcher, Depends(batcher)]
ReviewerDep = Annotated[Reviewer | None, Depends(reviewer)]
CandidateToken = Annotated[str, Depends(bearer_token)]
TurnNumber = Annotated[
    int, Path(ge=1, le=MAX_TURN, description="The turn's number in the interview, from 1.")
]


async def answer_quota(state: ServicesDep, token: Annotated[str, Depends(bearer_token)]) -> Quota:
    return Quota(state.limiter, state.settings.answer_rate, "answers", token)


async def grade_quota(state: ServicesDep, request: Request) -> Quota:
    # By address, not by token: grading takes no credentials, so a token sent with it would be the
    # client's own pick, and a new one on each request would never be limited.
    address = request.client.host if request.client else "unknown"
    return Quota(state.limiter, state.settings.grade_rate, "grades", address)


AnswerQuotaDep = Annotated[Quota, Depends(answer_quota)]
GradeQuotaDep = Annotated[Quota, Depends(grade_quota)]


async def coach_name(
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
