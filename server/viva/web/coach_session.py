"""The coach's browser session: the coach token in an HttpOnly, SameSite=Strict cookie, and CSRF tokens.

The cookie is the credential the coach typed, so every replica can check it with
the configured tokens alone; a form's CSRF token is derived from it, so a page on
another site (which cannot read the HttpOnly cookie) cannot forge one.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request, Response

from viva.config import Settings

COOKIE = "viva_coach"


def coach_for(settings: Settings, token: str | None) -> str | None:
    """The coach's name if `token` is one of the configured coach tokens."""
    found = None
    for candidate, name in settings.coaches.items():  # every token compared: timing reveals nothing
        if token and hmac.compare_digest(candidate.encode(), token.encode()):
            found = name
    return found


def signed_in(request: Request, settings: Settings) -> str | None:
    return coach_for(settings, request.cookies.get(COOKIE))


def holds_token(request: Request) -> bool:
    """Whether the browser sends a coach token, valid or not."""
    return bool(request.cookies.get(COOKIE))


def csrf_token(request: Request) -> str:
    token = request.cookies.get(COOKIE, "")
    return hashlib.sha256(f"viva-csrf:{token}".encode()).hexdigest()[:32]


def csrf_valid(request: Request, submitted: str) -> bool:
    return holds_token(request) and hmac.compare_digest(csrf_token(request), submitted)


def sign_in(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/", max_age=8 * 3600
    )


def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
