"""The coach's API: review transcripts, override grades, comment, export, measure agreement."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from viva.api.deps import CoachName, InterviewsDep, SessionDep, TurnNumber
from viva.api.errors import documented
from viva.interview import coaching
from viva.interview.models import (
    Agreement,
    CommentRequest,
    InterviewSummary,
    OverrideRequest,
    Transcript,
    TurnView,
)

router = APIRouter(prefix="/api/v1/coach", tags=["coach"], responses=documented(400, 401, 404, 413, 422, 503))


@router.get("/interviews", summary="Interviews, filtered and sorted")
def list_interviews(
    _: CoachName,
    session: SessionDep,
    candidate: Annotated[
        str | None, Query(description="Part of the candidate's name; accents and case are ignored.")
    ] = None,
    since: Annotated[coaching.DateTime | None, Query(description="Created at or after (ISO 8601).")] = None,
    until: Annotated[
        coaching.Until | None,
        Query(description="Created before (ISO 8601); a date alone means through that day."),
    ] = None,
    min_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    max_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    overridden: Annotated[
        bool | None, Query(description="Only interviews with (or without) an override.")
    ] = None,
    sort: coaching.SortKey = "created_at",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[InterviewSummary]:
    wanted = coaching.InterviewFilter(
        candidate=candidate,
        since=since,
        until=until,
        min_score=min_score,
        max_score=max_score,
        overridden=overridden,
        sort=sort,
        descending=order == "desc",
        limit=limit,
    )
    return coaching.list_interviews(session, wanted)


@router.get("/interviews/{interview_id}", summary="A transcript, with overrides and comments")
def transcript(interview_id: str, _: CoachName, interviews: InterviewsDep, session: SessionDep) -> Transcript:
    return interviews.transcript(session, interview_id)


@router.post(
    "/interviews/{interview_id}/turns/{number}/override",
    summary="Override a turn's grade",
    responses=documented(409),
)
def override(
    interview_id: str,
    number: TurnNumber,
    request: OverrideRequest,
    coach: CoachName,
    interviews: InterviewsDep,
    session: SessionDep,
) -> TurnView:
    """The coach's score and comment are stored beside the grader's grade, which is kept."""
    return coaching.override(interviews, session, interview_id, number, coach, request)


@router.post(
    "/interviews/{interview_id}/turns/{number}/regrade",
    summary="Grade a stored answer again",
    responses=documented(409),
)
def regrade(
    interview_id: str, number: TurnNumber, _: CoachName, interviews: InterviewsDep, session: SessionDep
) -> TurnView:
    return interviews.regrade(session, interview_id, number)


@router.post("/interviews/{interview_id}/comments", summary="Comment on an interview or a turn")
def comment(
    interview_id: str,
    request: CommentRequest,
    coach: CoachName,
    interviews: InterviewsDep,
    session: SessionDep,
) -> Transcript:
    return coaching.comment(interviews, session, interview_id, coach, request)


@router.get(
    "/interviews/{interview_id}/export",
    summary="Export a transcript as JSON, CSV or Markdown",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv": {}, "text/markdown": {}}}},
)
def export(
    interview_id: str,
    _: CoachName,
    interviews: InterviewsDep,
    session: SessionDep,
    format: coaching.ExportFormat = "json",
) -> Response:
    content, media_type = coaching.export(interviews.transcript(session, interview_id), format)
    filename = f"interview-{interview_id}.{format}"
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/agreement", summary="How far the grader and the coaches agree")
def agreement(_: CoachName, session: SessionDep) -> Agreement:
    return coaching.agreement(session)
