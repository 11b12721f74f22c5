"""Sign up, sign in, sign out, user pages, data download and API tokens."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.common import ratelimit
from dailypapers.community import services
from dailypapers.community.comments import comments_of
from dailypapers.community.store import CommunityStore
from dailypapers.privacy.export import export_user
from dailypapers.web import csrf
from dailypapers.web.deps import DbSession, SignedIn, client_of, render, safe_next
from dailypapers.web.middleware import SESSION_COOKIE

router = APIRouter(include_in_schema=False)
CsrfChecked = Depends(csrf.verify)


def _signed_in(request: Request, token: str, next_url: str) -> Response:
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.env == "production",
        max_age=int(services.SESSION_LIFETIME.total_seconds()),
    )
    csrf.rotate(request)
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", {"problems": [], "form": {}})


@router.post("/signup", dependencies=[CsrfChecked])
def signup(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=100)],
    email: Annotated[str, Form(max_length=400)],
    password: Annotated[str, Form(max_length=400)],
) -> Response:
    ratelimit.hit(session, "signup", client_of(request))
    try:
        user = services.sign_up(session, username, email, password)
    except services.SignupError as exc:
        form = {"username": username, "email": email}
        return render(request, "signup.html", {"problems": exc.problems, "form": form}, 400)
    return _signed_in(request, services.start_session(session, user), "/")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"error": None, "next": safe_next(next)})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: DbSession,
    login: Annotated[str, Form(max_length=400)],
    password: Annotated[str, Form(max_length=400)],
    next: Annotated[str, Form(max_length=400)] = "/",
) -> Response:
    ratelimit.hit(session, "login", client_of(request))
    user = services.authenticate(session, login, password)
    if user is None:
        context = {"error": services.LOGIN_FAILED, "next": safe_next(next)}
        return render(request, "login.html", context, 400)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        services.end_session(session, old)  # a cookie set before sign-in is never kept
    return _signed_in(request, services.start_session(session, user), next)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        services.end_session(session, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    csrf.rotate(request)
    return response


@router.get("/users/{username}", response_class=HTMLResponse)
def user_page(request: Request, username: str, session: DbSession) -> Response:
    store = CommunityStore(session)
    user = store.user_by_name(username)
    if user is None:
        raise HTTPException(404, f"No user {username[:40]!r} here.")
    context = {
        "profile": user,
        "upvoted": store.upvoted_papers(user),
        "submitted": store.submissions(user),
        "comments": comments_of(session, user),
    }
    return render(request, "user.html", context)


@router.get("/users/{username}/export.json")
def export(username: str, user: SignedIn, session: DbSession) -> Response:
    if user.username != username:
        raise HTTPException(403, "You can download only your own data.")
    return Response(
        json.dumps(export_user(session, user), indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="dailypapers-{username}.json"'},
    )


@router.post("/account/token", dependencies=[CsrfChecked])
def new_api_token(request: Request, user: SignedIn, session: DbSession) -> Response:
    return render(request, "token.html", {"token": services.issue_api_token(user)})
