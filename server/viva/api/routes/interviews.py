"""A candidate's interview: start it, answer, read the transcript and the report."""

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response, status

from viva.api.deps import AnswerQuotaDep, CandidateToken, InterviewsDep, SessionDep, TurnNumber
from viva.api.errors import documented
from viva.interview import coaching
from viva.interview.models import (
    AnswerRequest,
    AnswerResponse,
    Report,
    StartRequest,
    StartResponse,
    Transcript,
    TurnView,
)
from viva.interview.report import build_report
from viva.web.charts import NARROWEST, WIDTH, categories_chart, key_points_chart

router = APIRouter(
    prefix="/api/v1/interviews", tags=["interviews"], responses=documented(400, 401, 404, 413, 422, 503)
)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Start an interview")
def start(request: StartRequest, interviews: InterviewsDep, session: SessionDep) -> StartResponse:
    """Plans the questions and asks the first. The response's token opens this interview alone."""
    return interviews.start(session, request)


@router.post(
    "/{interview_id}/answers",
    summary="Answer the current question",
    response_model=AnswerResponse,
    responses=documented(409, 429),
)
def answer(
    interview_id: str,
    request: AnswerRequest,
    token: CandidateToken,
    quota: AnswerQuotaDep,
    interviews: InterviewsDep,
    session: SessionDep,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=200, description="Send the same key when retrying: the answer is stored once."),
    ] = None,
) -> Response:
    """Stores the answer, grades it, and asks the next question (or a follow-up)."""
    # Serialised here, on the request's thread: FastAPI would validate the model again (on
    # another trip through the threadpool) before serialising it on the event loop.
    # A blank key is no key: stored, it would make the next blank-keyed answer a "retry" of this one.
    key = idempotency_key.strip() if idempotency_key else None
    answered = interviews.answer(session, interview_id, token, request, key or None, accept=quota.take)
    return Response(answered.model_dump_json(), media_type="application/json")


@router.get("/{interview_id}", summary="The transcript")
def transcript(
    interview_id: str, token: CandidateToken, interviews: InterviewsDep, session: SessionDep
) -> Transcript:
    return interviews.transcript(session, interview_id, token)


@router.get("/{interview_id}/report", summary="The report: scores, what to study, progress")
def report(
    interview_id: str, token: CandidateToken, interviews: InterviewsDep, session: SessionDep
) -> Report:
    return build_report(interviews, session, interviews.open(session, interview_id, token))


@router.post(
    "/{interview_id}/turns/{number}/regrade", summary="Grade a stored answer again", responses=documented(409)
)
def regrade(
    interview_id: str,
    number: TurnNumber,
    token: CandidateToken,
    interviews: InterviewsDep,
    session: SessionDep,
) -> TurnView:
    """For an answer whose grading failed: it was stored, and is graded now."""
    return interviews.regrade(session, interview_id, number, token)


@router.get(
    "/{interview_id}/export",
    summary="Download the transcript as JSON or Markdown",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/markdown": {}}}},
)
def export(
    interview_id: str,
    token: CandidateToken,
    interviews: InterviewsDep,
    session: SessionDep,
    format: Literal["json", "md"] = "json",
) -> Response:
    content, media_type = coaching.export(interviews.transcript(session, interview_id, token), format)
    disposition = f'attachment; filename="viva-interview-{interview_id}.{format}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/{interview_id}/report/charts/{chart}.svg",
    summary="A chart of the report, as SVG",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def chart(
    interview_id: str,
    chart: Literal["categories", "key-points"],
    token: CandidateToken,
    interviews: InterviewsDep,
    session: SessionDep,
    width: Annotated[
        int,
        Query(ge=NARROWEST, le=WIDTH, description="The width the page shows the chart at, in CSS pixels."),
    ] = WIDTH,
) -> Response:
    report = build_report(interviews, session, interviews.open(session, interview_id, token))
    draw = categories_chart if chart == "categories" else key_points_chart
    drawn = draw(report, width)
    return Response(drawn, media_type="image/svg+xml")
