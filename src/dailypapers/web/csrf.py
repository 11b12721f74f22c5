"""CSRF protection by double submit: a random token in an HttpOnly SameSite cookie, repeated in
every form (hidden field) or fetch (X-CSRF-Token header). A cross-site page can make the browser
send the cookie but cannot read it, so it cannot repeat it. In production both cookies carry the
`__Host-` prefix: browsers then accept them only from this very host over HTTPS, so neither a
sibling subdomain nor a plain-HTTP man in the middle can plant a token of its own."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response

HEADER = "x-csrf-token"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The token for this browser, minting one (set on the response) when it has none."""
    token = request.cookies.get(request.app.state.cookies.csrf) or getattr(
        request.state, "new_csrf", None
    )
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def rotate(request: Request) -> None:
    """A new token after signing in or out."""
    request.state.new_csrf = secrets.token_urlsafe(32)
    request.state.rotated = True


@dataclass(frozen=True)
class CookieNames:
    session: str
    csrf: str
    secure: bool


def cookie_names(secure: bool) -> CookieNames:
    """`__Host-` names when the cookies are Secure (production), plain names otherwise (a
    browser refuses a `__Host-` cookie over plain HTTP)."""
    prefix = "__Host-" if secure else ""
    return CookieNames(f"{prefix}dp_session", f"{prefix}dp_csrf", secure)


def cookie_header(names: CookieNames, token: str) -> str:
    """The Set-Cookie value that carries a browser's CSRF token."""
    response = Response()
    response.set_cookie(
        names.csrf, token, httponly=True, samesite="lax", secure=names.secure, max_age=30 * 86400
    )
    return response.headers["set-cookie"]


async def verify(request: Request) -> None:
    """Raise 403 unless the request repeats the cookie's token (form field or header)."""
    cookie = request.cookies.get(request.app.state.cookies.csrf, "")
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
