"""The pages: `/` (the candidate's chat), `/report/{id}`, and `/coach` (sign in, list, transcript)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from viva.api.deps import InterviewsDep, ServicesDep, SessionDep, SettingsDep
from viva.interview import coaching
from viva.interview.models import OverrideRequest
from viva.resources import resource_dir
from viva.web import coach_session
from viva.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def candidate_page(request: Request, state: ServicesDep, settings: SettingsDep) -> HTMLResponse:
    bank = state.grader.bank
    return templates.TemplateResponse(
        request,
        "candidate.html",
        # The answer box's limit is the server's, so the page never cuts less or more than the API refuses.
        {"categories": bank.categories, "total": len(bank), "max_answer_chars": settings.max_answer_chars},
    )


@router.get("/report/{interview_id}", response_class=HTMLResponse)
def report_page(request: Request, interview_id: str) -> HTMLResponse:
    """The report's frame; its content comes from the API with the token the browser keeps."""
    return templates.TemplateResponse(request, "report.html", {"interview_id": interview_id})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico whatever the page links to (a bookmark, a tab opened on the API)."""
    return FileResponse(resource_dir("web") / "static" / "favicon.svg", media_type="image/svg+xml")


# --- the coach's pages ----------------------------------------------------------------------


@router.get("/coach", response_class=HTMLResponse)
def coach_home(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    candidate: str = "",
    min_score: str = "",
    max_score: str = "",
    overridden: Literal["", "yes", "no"] = "",
    sort: coaching.SortKey = "created_at",
    order: Literal["asc", "desc"] = "desc",
) -> HTMLResponse:
    coach = coach_session.signed_in(request, settings)
    if coach is None:
        return _sign_in_page(request, settings)
    # A filter form sends empty fields: an empty score bound means "no bound", not an error.
    wanted = coaching.InterviewFilter(
        candidate=candidate or None,
        min_score=_score(min_score),
        max_score=_score(max_score),
        overridden={"yes": True, "no": False}.get(overridden),
        sort=sort,
        descending=order == "desc",
    )
    return templates.TemplateResponse(
        request,
        "coach_list.html",
        {
            "coach": coach,
            "csrf": coach_session.csrf_token(request),
            "interviews": coaching.list_interviews(session, wanted),
            "filters": {
                "candidate": candidate,
                "min_score": min_score,
                "max_score": max_score,
                "overridden": overridden,
            },
            "sort": sort,
            "order": order,
        },
    )


def _score(text: str) -> float | None:
    try:
        return min(100.0, max(0.0, float(text)))
    except ValueError:
        return None


def _sign_in_page(
    request: Request, settings: SettingsDep, error: str = "", status: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "coach_sign_in.html",
        {"error": error, "configured": bool(settings.coaches)},
        status_code=status,
    )


@router.post("/coach/sign-in", response_model=None)
def coach_sign_in(
    request: Request, settings: SettingsDep, token: Annotated[str, Form(max_length=500)] = ""
) -> Response:
    if coach_session.coach_for(settings, token.strip()) is None:
        message = "That coach token is not valid." if settings.coaches else "No coach token is configured."
        return _sign_in_page(request, settings, message, status=401)
    response = RedirectResponse("/coach", status_code=303)
    coach_session.sign_in(response, token.strip(), secure=request.url.scheme == "https")
    return response


@router.post("/coach/sign-out", response_model=None)
def coach_sign_out(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    if not coach_session.csrf_valid(request, csrf):
        return Response("The form expired: reload the page and try again.", status_code=403)
    response = RedirectResponse("/coach", status_code=303)
    coach_session.sign_out(response)
    return response


@router.get("/coach/interviews/{interview_id}", response_class=HTMLResponse, response_model=None)
def coach_transcript(
    request: Request, interview_id: str, settings: SettingsDep, interviews: InterviewsDep, session: SessionDep
) -> Response:
    coach = coach_session.signed_in(request, settings)
    if coach is None:
        return RedirectResponse("/coach", status_code=303)
    transcript = interviews.transcript(session, interview_id)
    asked = {t.question.id for t in transcript.turns}
    agreement = coaching.agreement(session)
    return templates.TemplateResponse(
        request,
        "coach_transcript.html",
        {
            "coach": coach,
            "csrf": coach_session.csrf_token(request),
            "transcript": transcript,
            "agreement": [q for q in agreement.questions if q.question in asked],
        },
    )


@router.post("/coach/interviews/{interview_id}/turns/{number}/override", response_model=None)
def coach_override(
    request: Request,
    interview_id: str,
    number: int,
    settings: SettingsDep,
    interviews: InterviewsDep,
    session: SessionDep,
    score: Annotated[int, Form(ge=0, le=100)],
    comment: Annotated[str, Form(max_length=5000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    coach = coach_session.signed_in(request, settings)
    if coach is None:
        return RedirectResponse("/coach", status_code=303)
    if not coach_session.csrf_valid(request, csrf):
        return Response("The form expired: reload the page and try again.", status_code=403)
    coaching.override(
        interviews, session, interview_id, number, coach, OverrideRequest(score=score, comment=comment)
    )
    return RedirectResponse(f"/coach/interviews/{interview_id}#turn-{number}", status_code=303)


@router.get("/coach/interviews/{interview_id}/export", response_model=None)
def coach_export(
    request: Request,
    interview_id: str,
    settings: SettingsDep,
    interviews: InterviewsDep,
    session: SessionDep,
    format: coaching.ExportFormat = "json",
) -> Response:
    if coach_session.signed_in(request, settings) is None:
        return RedirectResponse("/coach", status_code=303)
    content, media_type = coaching.export(interviews.transcript(session, interview_id), format)
    disposition = f'attachment; filename="interview-{interview_id}.{format}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})
