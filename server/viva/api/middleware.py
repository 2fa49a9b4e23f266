"""ASGI middleware: request ids, metrics and a log line per request, a request body limit, security headers."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from viva.api.errors import unexpected_error
from viva.logs import request_id
from viva.metrics import REQUEST_SECONDS, REQUESTS

log = logging.getLogger("viva.requests")
log_unexpected = logging.getLogger("viva.api")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def _caching(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`no-store` for every response but the static files, unless it says otherwise: a page or a
    transcript taken from the browser's cache (the Back button) showed a question already answered, and
    a coach's pages stayed readable after signing out."""
    if path.startswith("/static/") or any(name.lower() == b"cache-control" for name, _ in headers):
        return []
    return [(b"cache-control", b"no-store")]


class Telemetry:
    """Give every request an id (a valid `X-Request-ID` is kept), add the security headers, count it and
    time it by route template, and log one line for it: method, route, status, duration. Never a body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status, status_sent = 500, False
        began = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status, status_sent = message["status"], True
                headers = message.get("headers", [])
                message["headers"] = [
                    *headers,
                    (b"x-request-id", rid.encode()),
                    *SECURITY_HEADERS,
                    *_caching(scope["path"], headers),
                ]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:  # a bug: answered here, inside this request's id and headers
            if status_sent:
                # Too late for a 500: the server closes the half-sent response (and says so).
                log_unexpected.error("unexpected error after the response began", exc_info=error)
            else:
                await unexpected_error(error)(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - began
            route = _route_label(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            REQUEST_SECONDS.labels(route).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                },
            )
            request_id.reset(token)


def _route_label(scope: Scope) -> str:
    """The path template that answered, "unmatched" for none: a bounded label, never the raw path.

    FastAPI's own routes say which they are; a mount (the static files) or a plain route (the
    OpenAPI document) only names its endpoint, and was counted as "unmatched", with the 404s.
    """
    route = scope.get("route")
    if route is not None:
        return str(route.path)
    endpoint = scope.get("endpoint")
    for candidate in getattr(scope.get("app"), "routes", ()) if endpoint is not None else ():
        if endpoint in (getattr(candidate, "endpoint", None), getattr(candidate, "app", None)):
            return str(candidate.path)
    return "unmatched"


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, whether or not they announce their length.

    A body of unknown length is read (up to the limit) before the app sees it, so
    the refusal never depends on how the app parses it.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.limit:
                await self._refuse(send)
            else:
                await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "request_too_large",
                    "message": f"The request body is over {self.limit} bytes (VIVA_MAX_BODY_BYTES).",
                }
            }
        ).encode()
        headers: list[Any] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
