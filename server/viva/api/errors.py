"""Every error as JSON `{"error": {"code", "message"}}` with the right status; never a bare 500 page."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
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
            where = ".".join(str(p) for p in detail["loc"] if p != "body") or "body"
            problems.append(f"{where}: {detail['msg']}")
        return error_response(422, "invalid_request", "; ".join(problems) or "The request is not valid.")

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return error_response(error.status_code, code, str(error.detail))

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    async def _database(_: Request, error: DBAPIError) -> JSONResponse:
        log.warning("database error: %s", type(error.orig).__name__)
        return error_response(
            503, "database_unavailable", "The database is unavailable right now; try again in a moment."
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")
