"""Sign up, sign in, sign out, user pages, data export, API tokens and votes."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from dailypapers.community import ratelimit, services
from dailypapers.community.comments import comments_of
from dailypapers.community.store import CommunityStore
from dailypapers.db.models import User
from dailypapers.ingest.records import RecordError, split_arxiv_id
from dailypapers.papers.store import PaperStore
from dailypapers.web import csrf

router = APIRouter()
SESSION_COOKIE = "dp_session"
CsrfChecked = Depends(csrf.verify)


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "Sign in first.")
    return user


def api_user(request: Request) -> User:
    """Scripts authenticate with `Authorization: Bearer TOKEN` (no cookies, so no CSRF)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    with request.app.state.sessions() as session:
        user = services.user_for_api_token(session, token)
        if user is None:
            raise HTTPException(401, "Send a valid API token: Authorization: Bearer TOKEN")
        session.expunge(user)
    return user


def _render(request: Request, name: str, context: dict, status: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _signed_in(request: Request, user: User, token: str, next_url: str) -> Response:
    response = RedirectResponse(_safe_next(next_url), status_code=303)
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


@router.get("/signup", response_class=HTMLResponse, include_in_schema=False)
def signup_page(request: Request) -> Response:
    return _render(request, "signup.html", {"problems": [], "form": {}})


@router.post("/signup", include_in_schema=False, dependencies=[CsrfChecked])
def signup(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    email: Annotated[str, Form(max_length=400)],
    password: Annotated[str, Form(max_length=400)],
) -> Response:
    with request.app.state.sessions() as session:
        ratelimit.hit(session, "signup", _client(request))
        session.commit()
        try:
            user = services.sign_up(session, username, email, password)
        except services.SignupError as exc:
            form = {"username": username, "email": email}
            return _render(request, "signup.html", {"problems": exc.problems, "form": form}, 400)
        token = services.start_session(session, user)
        session.commit()
    return _signed_in(request, user, token, "/")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    return _render(request, "login.html", {"error": None, "next": _safe_next(next)})


@router.post("/login", include_in_schema=False, dependencies=[CsrfChecked])
def login(
    request: Request,
    login: Annotated[str, Form(max_length=400)],
    password: Annotated[str, Form(max_length=400)],
    next: Annotated[str, Form(max_length=400)] = "/",
) -> Response:
    with request.app.state.sessions() as session:
        ratelimit.hit(session, "login", _client(request))
        session.commit()
        user = services.authenticate(session, login, password)
        if user is None:
            context = {"error": services.LOGIN_FAILED, "next": _safe_next(next)}
            return _render(request, "login.html", context, 400)
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            services.end_session(session, old)  # a cookie set before sign-in is never kept
        token = services.start_session(session, user)
        session.commit()
    return _signed_in(request, user, token, next)


@router.post("/logout", include_in_schema=False, dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with request.app.state.sessions() as session:
            services.end_session(session, token)
            session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    csrf.rotate(request)
    return response


@router.get("/users/{username}", response_class=HTMLResponse, include_in_schema=False)
def user_page(request: Request, username: str) -> Response:
    with request.app.state.sessions() as session:
        user = CommunityStore(session).user_by_name(username)
        if user is None:
            raise HTTPException(404, f"No user {username[:40]!r} here.")
        store = CommunityStore(session)
        context = {
            "profile": user,
            "upvoted": store.upvoted_papers(user),
            "submitted": store.submissions(user),
            "comments": comments_of(session, user),
        }
        return _render(request, "user.html", context)


@router.get("/users/{username}/export.json", include_in_schema=False)
def export(
    request: Request, username: str, user: Annotated[User, Depends(require_user)]
) -> Response:
    if user.username != username:
        raise HTTPException(403, "You can download only your own data.")
    with request.app.state.sessions() as session:
        data = services.export_user(session, session.merge(user))
    return Response(
        json.dumps(data, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="dailypapers-{username}.json"'},
    )


@router.post("/account/token", include_in_schema=False, dependencies=[CsrfChecked])
def new_api_token(request: Request, user: Annotated[User, Depends(require_user)]) -> Response:
    with request.app.state.sessions() as session:
        token = services.issue_api_token(session.merge(user))
        session.commit()
    return _render(request, "token.html", {"token": token})


def paper_id_or_404(session: Session, arxiv_id: str, invalid_status: int = 404) -> int:
    """The paper's row id; 404 when absent, `invalid_status` when the id is not an arXiv id."""
    try:
        canonical, _ = split_arxiv_id(arxiv_id)
    except RecordError as exc:
        raise HTTPException(invalid_status, str(exc)) from exc
    paper = PaperStore(session).get(canonical)
    if paper is None:
        raise HTTPException(404, f"paper {canonical} is not in this instance")
    return paper.id


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _vote(request: Request, user: User, arxiv_id: str, up: bool) -> services.VoteResult:
    with request.app.state.sessions() as session:
        ratelimit.hit(session, "vote", str(user.id))
        result = services.vote(session, session.merge(user), paper_id_or_404(session, arxiv_id), up)
        session.commit()
    return result


@router.post("/papers/{arxiv_id:path}/vote", include_in_schema=False, dependencies=[CsrfChecked])
async def vote_form(request: Request, arxiv_id: str) -> Response:
    """Form post from a page; answers JSON to fetch() and redirects a plain form back."""
    user = current_user(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    if user is None:
        if wants_json:
            raise HTTPException(401, "Sign in to vote.")
        return RedirectResponse(f"/login?next=/papers/{arxiv_id}", status_code=303)
    form = await request.form()
    result = _vote(request, user, arxiv_id, up=form.get("action", "up") != "down")
    if wants_json:
        return JSONResponse({"voted": result.voted, "votes": result.votes})
    back = request.headers.get("referer", "")
    return RedirectResponse(_safe_next(_path_of(back)) if back else f"/papers/{arxiv_id}", 303)


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.post("/api/papers/{arxiv_id:path}/vote", tags=["community"])
def api_vote(request: Request, arxiv_id: str, user: Annotated[User, Depends(api_user)]) -> dict:
    """Upvote a paper (idempotent). Needs `Authorization: Bearer TOKEN`."""
    result = _vote(request, user, arxiv_id, up=True)
    return {"voted": result.voted, "votes": result.votes, "communityVotes": result.community_votes}


@router.delete("/api/papers/{arxiv_id:path}/vote", tags=["community"])
def api_unvote(request: Request, arxiv_id: str, user: Annotated[User, Depends(api_user)]) -> dict:
    """Remove your upvote (idempotent). Needs `Authorization: Bearer TOKEN`."""
    result = _vote(request, user, arxiv_id, up=False)
    return {"voted": result.voted, "votes": result.votes, "communityVotes": result.community_votes}
