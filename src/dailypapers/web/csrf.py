"""CSRF protection by double submit: a random token in an HttpOnly SameSite cookie, repeated in
every form (hidden field) or fetch (X-CSRF-Token header). A cross-site page can make the browser
send the cookie but cannot read it, so it cannot repeat it."""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request, Response

COOKIE = "dp_csrf"
HEADER = "x-csrf-token"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The token for this browser, minting one (set on the response) when it has none."""
    token = request.cookies.get(COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def rotate(request: Request) -> None:
    """A new token after signing in or out."""
    request.state.new_csrf = secrets.token_urlsafe(32)
    request.state.rotated = True


def cookie_header(token: str, secure: bool) -> str:
    """The Set-Cookie value that carries a browser's CSRF token."""
    response = Response()
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="lax", secure=secure, max_age=30 * 86400
    )
    return response.headers["set-cookie"]


def set_cookie(request: Request, response: Response, secure: bool) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="lax", secure=secure, max_age=30 * 86400
        )


async def verify(request: Request) -> None:
    """Raise 403 unless the request repeats the cookie's token (form field or header)."""
    cookie = request.cookies.get(COOKIE, "")
    sent = request.headers.get(HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        sent = str(form.get(FIELD, ""))
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise HTTPException(
            403, "This form expired or did not come from this site; reload and try again."
        )
