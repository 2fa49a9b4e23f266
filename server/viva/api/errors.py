"""Every error as JSON `{"error": {"code", "message"}}` with the right status; never a bare 500 page."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from viva.errors import VivaError

log = logging.getLogger("viva.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "missing_credentials",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error: `{"error": {"code", "message"}}`."""

    error: ErrorDetail


_MEANINGS = {
    400: "The request cannot be read at all (`bad_request`); a body that is not valid JSON is a 422.",
    401: "No token, or a coach token Viva does not know (`missing_credentials`, `invalid_coach_token`).",
    404: "No such interview, turn or question.",
    409: "Not now: the turn is being graded, was answered differently, is not answered yet, or the "
    "interview is finished.",
    413: "The body, the answer or a reference is too long (`request_too_large`, `answer_too_long`, "
    "`reference_too_long`).",
    422: "The request is not valid (`invalid_request`): the message says which field and why.",
    429: "Too many answers on this token, or grades from this address (`too_many_requests`): wait the "
    "`Retry-After` seconds.",
    503: "The database does not answer, or coaching is not configured: try again later.",
}


_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
}
_HEADERS = {429: _RETRY_AFTER, 503: _RETRY_AFTER}
"""Headers an error may carry (a 503 for coaching not configured has none)."""


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route can answer with, so clients (and schemathesis) know them."""
    return {
        status: {"model": ErrorBody, "description": _MEANINGS[status]}
        | ({"headers": _HEADERS[status]} if status in _HEADERS else {})
        for status in statuses
    }


def error_response(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(VivaError)
    async def _viva(_: Request, error: VivaError) -> JSONResponse:
        response = error_response(error.status, error.code, error.message)
        response.headers.update(error.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for detail in error.errors():
            if detail["type"] == "json_invalid":  # its location is a character, not a field
                reason = (detail.get("ctx") or {}).get("error", "it cannot be parsed")
                at = int(detail["loc"][-1]) + 1  # pydantic counts from 0; people count from 1
                problems.append(f"The body is not valid JSON: {reason}, at character {at}.")
                continue
            where = ".".join(str(p) for p in detail["loc"] if p != "body") or "body"
            problems.append(f"{where}: {detail['msg']}")
        return error_response(422, "invalid_request", "; ".join(problems) or "The request is not valid.")

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return error_response(error.status_code, code, str(error.detail))

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database(_: Request, error: DBAPIError | PoolTimeoutError) -> JSONResponse:
        unreachable = isinstance(error, OperationalError | InterfaceError | PoolTimeoutError) or (
            isinstance(error, DBAPIError) and error.connection_invalidated
        )
        if not unreachable:  # a real bug (a constraint, bad SQL): say so, do not call it an outage
            log.error("database error", exc_info=error)
            return _internal()
        log.warning("database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        response = error_response(
            503, "database_unavailable", "The database is unavailable right now; try again in a moment."
        )
        response.headers["Retry-After"] = "5"
        return response


def unexpected_error(error: Exception) -> JSONResponse:
    """The 500 for an error nothing else handled, its traceback logged here and only here.

    `Telemetry` calls this rather than Starlette's last-resort handler, which runs outside every
    middleware (its 500 would carry no request id and no security headers) and hands the error
    on to the server, which logs the traceback a second time.
    """
    log.error("unexpected error", exc_info=error)
    return _internal()


def _internal() -> JSONResponse:
    return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")
