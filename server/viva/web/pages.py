"""The pages: `/` (the candidate's chat), `/report/{id}`, and `/coach` (sign in, list, transcript)."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Annotated, Literal, cast, get_args

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlmodel import Session

from viva.api.deps import InterviewsDep, ServicesDep, SessionDep, SettingsDep, TurnNumber
from viva.config import Settings
from viva.errors import VivaError
from viva.interview import coaching
from viva.interview.models import CommentRequest, OverrideRequest
from viva.interview.service import InterviewService
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
        {
            "categories": bank.categories,
            "total": len(bank),
            # The answer box's limit is the server's, so the page never cuts less or more than the API refuses.
            "max_answer_chars": settings.max_answer_chars,
            # How long the page looks for a critique: a critique may wait its turn for the model, then
            # take the model's whole timeout.
            "critique_wait": round(2 * settings.llm_timeout + 30),
        },
    )


@router.get("/docs", response_class=HTMLResponse)
def api_docs_page(request: Request) -> HTMLResponse:
    """The OpenAPI documentation. FastAPI's own page loads Swagger UI from a CDN with an inline script,
    which the pages' Content-Security-Policy refuses (and an offline host cannot reach): this one takes
    it from the `swagger-ui-py` package."""
    return templates.TemplateResponse(request, "api_docs.html")


@router.get("/docs/assets/{name}")
def api_docs_asset(name: Literal["swagger-ui-bundle.js", "swagger-ui.css"]) -> FileResponse:
    """Only the two files the page uses (the package also holds an editor and source maps); cached, as
    the page names them with Viva's version."""
    return FileResponse(
        str(files("swagger_ui") / "static" / name), headers={"Cache-Control": "max-age=86400"}
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


_SINCE: TypeAdapter[datetime] = TypeAdapter(coaching.DateTime)
_UNTIL: TypeAdapter[datetime] = TypeAdapter(coaching.Until)
LIST_ROWS = 200
"""The most interviews the coach's list shows; it says when there are more (it had cut them silently)."""


@router.get("/coach", response_class=HTMLResponse)
def coach_home(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    candidate: str = "",
    min_score: str = "",
    max_score: str = "",
    overridden: str = "",
    since: str = "",
    until: str = "",
    sort: str = "created_at",
    order: str = "desc",
) -> HTMLResponse:
    coach = coach_session.signed_in(request, settings)
    if coach is None and coach_session.holds_token(request):
        # The token in the cookie was changed or removed from VIVA_COACH_TOKEN since: a bare sign-in
        # form left the coach to guess why they were signed out.
        response = _sign_in_page(
            request,
            settings,
            "Your coach token is no longer accepted here (it was changed or removed): sign in with your current one.",
        )
        coach_session.sign_out(response)
        return response
    if coach is None:
        return _sign_in_page(request, settings)
    # A hand-edited address gets a page that says what to change, not the API's JSON error.
    for name, value, allowed in (
        ("sort", sort, get_args(coaching.SortKey)),
        ("order", order, ("asc", "desc")),
        ("overridden", overridden, ("", "yes", "no")),
    ):
        if value not in allowed:
            choices = ", ".join(repr(a) for a in allowed if a)
            return _coach_error(
                request, coach, 422, "This list cannot be shown", f"Unknown {name} {value!r}: use {choices}."
            )
    bounds: dict[str, float | None] = {}
    for name, value in (("min_score", min_score), ("max_score", max_score)):
        try:
            bounds[name] = _score(value)
        except ValueError:  # dropped without a word, it listed every interview as if it had filtered them
            message = f"{name} {value!r} is not a score: use a number from 0 to 100, or leave it empty."
            return _coach_error(request, coach, 422, "This list cannot be shown", message)
    moments: dict[str, datetime | None] = {}
    for name, value, reading in (("since", since, _SINCE), ("until", until, _UNTIL)):
        try:  # the API's reading: a date alone, "until" included, means that whole day in UTC
            moments[name] = reading.validate_python(value.strip()) if value.strip() else None
        except ValidationError:
            message = f"{name} {value!r} is not a date: use one such as 2026-11-25, or leave it empty."
            return _coach_error(request, coach, 422, "This list cannot be shown", message)
    wanted = coaching.InterviewFilter(
        candidate=candidate or None,
        since=moments["since"],
        until=moments["until"],
        min_score=bounds["min_score"],
        max_score=bounds["max_score"],
        overridden={"yes": True, "no": False}.get(overridden),
        sort=cast(coaching.SortKey, sort),
        descending=order == "desc",
        limit=LIST_ROWS + 1,  # one more than shown, to know whether the list was cut
    )
    listed = coaching.list_interviews(session, wanted)
    return templates.TemplateResponse(
        request,
        "coach_list.html",
        {
            "coach": coach,
            "csrf": coach_session.csrf_token(request),
            "interviews": listed[:LIST_ROWS],
            "cut": len(listed) > LIST_ROWS,
            "filters": {
                "candidate": candidate,
                "min_score": min_score,
                "max_score": max_score,
                "overridden": overridden,
                "since": since,
                "until": until,
            },
            "sort": sort,
            "order": order,
        },
    )


def _coach_error(request: Request, coach: str, status: int, title: str, message: str) -> HTMLResponse:
    """A readable page for a coach's mistake (an unknown interview, a mistyped address)."""
    return templates.TemplateResponse(
        request,
        "coach_error.html",
        {"coach": coach, "csrf": coach_session.csrf_token(request), "title": title, "message": message},
        status_code=status,
    )


def _score(text: str) -> float | None:
    """A score bound from the filter form. The form sends empty fields, so an empty bound is no bound;
    a text that is not a number from 0 to 100 is a ValueError, as the API refuses it (held to 0-100,
    `min_score=150` listed nothing and said nothing)."""
    if not text.strip():
        return None
    number = float(text)
    if not 0 <= number <= 100:  # NaN fails this too
        raise ValueError(f"{text!r} is not from 0 to 100")
    return number


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
def coach_sign_out(request: Request, settings: SettingsDep, csrf: Annotated[str, Form()] = "") -> Response:
    if not coach_session.csrf_valid(request, csrf):
        coach = coach_session.signed_in(request, settings)
        if coach is not None:
            return _coach_error(
                request,
                coach,
                403,
                "Still signed in",
                "That sign-out came from another page: use the button here.",
            )
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
    return _transcript_page(request, coach, interviews, session, interview_id)


class OverrideProblem(BaseModel):
    """An override form the page refused: which turn, why, and what the coach typed (shown again)."""

    turn: int
    message: str
    score: str
    comment: str


def _transcript_page(
    request: Request,
    coach: str,
    interviews: InterviewService,
    session: Session,
    interview_id: str,
    problem: OverrideProblem | None = None,
) -> HTMLResponse:
    try:
        transcript = interviews.transcript(session, interview_id)
    except VivaError as error:
        return _coach_error(request, coach, error.status, "No such interview", error.message)
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
            "problem": problem,
        },
        status_code=422 if problem else 200,
    )


def _form_sender(request: Request, settings: Settings, csrf: str) -> str | Response:
    """The signed-in coach who sent a form from this session's page, or the response that refuses it."""
    coach = coach_session.signed_in(request, settings)
    if coach is None:  # signed out in another tab, or the session ended: say so, rather than a bare sign-in
        return _sign_in_page(
            request, settings, "You were signed out, so nothing was saved: sign in and send it again.", 401
        )
    if not coach_session.csrf_valid(request, csrf):
        return _form_expired(request, coach, csrf)
    return coach


def _form_expired(request: Request, coach: str, csrf: str) -> HTMLResponse:
    why = (
        "Since this page was opened, this browser signed in as another coach"
        if csrf
        else "The form came without the token that shows it is from this site's page"  # another site's, or a script's
    )
    return _coach_error(
        request,
        coach,
        403,
        "The form expired",
        f"{why}, so nothing was saved. Go back, copy what you typed, reload the page and send it again.",
    )


@router.post("/coach/interviews/{interview_id}/turns/{number}/override", response_model=None)
def coach_override(
    request: Request,
    interview_id: str,
    number: TurnNumber,
    settings: SettingsDep,
    interviews: InterviewsDep,
    session: SessionDep,
    score: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    coach = _form_sender(request, settings, csrf)
    if isinstance(coach, Response):
        return coach
    try:
        override = OverrideRequest(score=int(score.strip()), comment=comment)
    except ValueError as error:  # pydantic's ValidationError is one
        problem = OverrideProblem(turn=number, message=_override_problem(error), score=score, comment=comment)
        return _transcript_page(request, coach, interviews, session, interview_id, problem)
    try:
        coaching.override(interviews, session, interview_id, number, coach, override)
    except VivaError as error:
        return _coach_error(request, coach, error.status, "The override was not saved", error.message)
    return RedirectResponse(f"/coach/interviews/{interview_id}#turn-{number}", status_code=303)


@router.post("/coach/interviews/{interview_id}/comments", response_model=None)
def coach_comment(
    request: Request,
    interview_id: str,
    settings: SettingsDep,
    interviews: InterviewsDep,
    session: SessionDep,
    text: Annotated[str, Form()] = "",
    turn: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    coach = _form_sender(request, settings, csrf)
    if isinstance(coach, Response):
        return coach
    try:
        comment = CommentRequest(text=text, turn=int(turn) if turn.strip() else None)
    except ValueError as error:  # pydantic's ValidationError is one
        return _coach_error(request, coach, 422, "The comment was not saved", _comment_problem(error, turn))
    try:
        coaching.comment(interviews, session, interview_id, coach, comment)
    except VivaError as error:
        return _coach_error(request, coach, error.status, "The comment was not saved", error.message)
    anchor = f"turn-{comment.turn}" if comment.turn else "comments-title"
    return RedirectResponse(f"/coach/interviews/{interview_id}#{anchor}", status_code=303)


@router.post("/coach/interviews/{interview_id}/turns/{number}/regrade", response_model=None)
def coach_regrade(
    request: Request,
    interview_id: str,
    number: TurnNumber,
    settings: SettingsDep,
    interviews: InterviewsDep,
    session: SessionDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Grade again an answer whose grading failed: the page said it could be, and offered no way."""
    coach = _form_sender(request, settings, csrf)
    if isinstance(coach, Response):
        return coach
    try:
        interviews.regrade(session, interview_id, number)
    except VivaError as error:
        return _coach_error(request, coach, error.status, "The answer was not graded", error.message)
    return RedirectResponse(f"/coach/interviews/{interview_id}#turn-{number}", status_code=303)


def _comment_problem(error: ValueError, turn: str) -> str:
    """What is wrong with a comment form, in the coach's words: the turn it is about (a value the page's
    list never offers, so a hand-made form's or a script's), or else its text."""
    fields = (
        {e["loc"][0] for e in error.errors() if e["loc"]} if isinstance(error, ValidationError) else {"turn"}
    )
    if "turn" in fields:  # a plain ValueError is int()'s: the turn is not a number at all
        return (
            f"Turn {turn.strip()!r} is not one of this interview's turns: choose the whole interview or one "
            "of its turns. Nothing was saved."
        )
    return "A comment is 1 to 5,000 characters, not only spaces. Nothing was saved."


def _override_problem(error: ValueError) -> str:
    """What is wrong with an override form, in the coach's words."""
    comment = (
        [e for e in error.errors() if e["loc"] and e["loc"][0] == "comment"]
        if isinstance(error, ValidationError)
        else []
    )
    if comment:
        return f"The comment cannot be saved: {comment[0]['msg']}. Nothing was saved."
    return "The score must be a whole number from 0 to 100. Nothing was saved."


@router.get("/coach/interviews/{interview_id}/export", response_model=None)
def coach_export(
    request: Request,
    interview_id: str,
    settings: SettingsDep,
    interviews: InterviewsDep,
    session: SessionDep,
    format: str = "json",
) -> Response:
    coach = coach_session.signed_in(request, settings)
    if coach is None:
        return RedirectResponse("/coach", status_code=303)
    if format not in get_args(coaching.ExportFormat):
        choices = ", ".join(repr(f) for f in get_args(coaching.ExportFormat))
        return _coach_error(
            request, coach, 422, "No such export", f"Unknown format {format!r}: use {choices}."
        )
    try:
        transcript = interviews.transcript(session, interview_id)
    except VivaError as error:
        return _coach_error(request, coach, error.status, "No such interview", error.message)
    content, media_type = coaching.export(transcript, cast(coaching.ExportFormat, format))
    disposition = f'attachment; filename="interview-{interview_id}.{format}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})
