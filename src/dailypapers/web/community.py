"""Votes, comments, submissions and moderation: form posts from pages (all CSRF-checked) and
their JSON twins for scripts (a bearer token, no cookies)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from dailypapers.common import ratelimit
from dailypapers.community import comments, services, submissions
from dailypapers.db.models import Comment, Paper, User
from dailypapers.ingest.arxiv_api import ArxivApi
from dailypapers.ingest.http import FetchError, PoliteClient
from dailypapers.papers.records import PaperRecord
from dailypapers.web import csrf
from dailypapers.web.deps import (
    MAX_ID,
    ApiPaper,
    ApiUser,
    CurrentUser,
    DbSession,
    PagePaper,
    SignedIn,
    back_to,
    render,
    wants_json,
)
from dailypapers.web.schemas import VoteOut

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify)])
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["community"])
CommentBody = Annotated[str, Form(max_length=20_000)]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="A comment's id")]
ParentId = Annotated[int | None, Form(ge=1, le=MAX_ID)]


def _back(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


def _vote(session: Session, user: User, paper: Paper, up: bool) -> services.VoteResult:
    ratelimit.hit(session, "vote", str(user.id))
    return services.vote(session, user, paper.id, up)


@router.post("/papers/{arxiv_id:path}/vote")
def vote_form(
    request: Request,
    paper: PagePaper,
    user: CurrentUser,
    session: DbSession,
    action: Annotated[str, Form(max_length=10)] = "up",
) -> Response:
    """Form post from a page; answers JSON to fetch() and redirects a plain form back."""
    if user is None:
        if wants_json(request):
            raise HTTPException(401, "Sign in to vote.")
        return RedirectResponse(f"/login?next=/papers/{paper.arxiv_id}", status_code=303)
    result = _vote(session, user, paper, up=action != "down")
    if wants_json(request):
        return JSONResponse({"voted": result.voted, "votes": result.votes})
    return _back(back_to(request.headers.get("referer", ""), f"/papers/{paper.arxiv_id}"))


@api.post("/papers/{arxiv_id:path}/vote", response_model=VoteOut)
def api_vote(paper: ApiPaper, user: ApiUser, session: DbSession) -> VoteOut:
    """Upvote a paper (idempotent). Needs `Authorization: Bearer TOKEN`."""
    return VoteOut.of(_vote(session, user, paper, up=True))


@api.delete("/papers/{arxiv_id:path}/vote", response_model=VoteOut)
def api_unvote(paper: ApiPaper, user: ApiUser, session: DbSession) -> VoteOut:
    """Remove your upvote (idempotent). Needs `Authorization: Bearer TOKEN`."""
    return VoteOut.of(_vote(session, user, paper, up=False))


@router.post("/papers/{arxiv_id:path}/comments")
def post_comment(
    paper: PagePaper,
    user: SignedIn,
    session: DbSession,
    body: CommentBody,
    parent_id: ParentId = None,
) -> Response:
    ratelimit.hit(session, "comment", str(user.id))
    try:
        comment = comments.add_comment(session, user, paper.id, body, parent_id)
    except comments.CommentError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _back(f"/papers/{paper.arxiv_id}#c{comment.id}")


@router.post("/comments/{comment_id}/edit")
def edit_comment(
    comment_id: CommentId, user: SignedIn, session: DbSession, body: CommentBody
) -> Response:
    return _change(comment_id, lambda: comments.edit_comment(session, user, comment_id, body))


@router.post("/comments/{comment_id}/delete")
def delete_comment(comment_id: CommentId, user: SignedIn, session: DbSession) -> Response:
    return _change(comment_id, lambda: comments.delete_comment(session, user, comment_id))


@router.post("/comments/{comment_id}/hide")
def hide_comment(
    comment_id: CommentId,
    user: SignedIn,
    session: DbSession,
    hidden: Annotated[bool, Form()] = True,
) -> Response:
    return _change(comment_id, lambda: comments.set_hidden(session, user, comment_id, hidden))


def _change(comment_id: int, action: Callable[[], Comment]) -> Response:
    try:
        comment = action()
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    except comments.CommentError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _back(f"/papers/{comment.paper.arxiv_id}#c{comment_id}")


@router.post("/papers/{arxiv_id:path}/hide")
def hide_paper(
    paper: PagePaper, user: SignedIn, session: DbSession, hidden: Annotated[bool, Form()] = True
) -> Response:
    try:
        services.set_paper_hidden(session, user, paper.id, hidden)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    return _back(f"/papers/{paper.arxiv_id}")


@router.post("/users/{username}/ban")
def ban_user(username: str, user: SignedIn, session: DbSession) -> Response:
    try:
        banned = services.ban(session, user, username)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    if banned is None:
        raise HTTPException(404, f"No user {username[:40]!r} to ban.")
    return _back(f"/users/{username}")


@pages.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, paper: Annotated[str, Query(max_length=200)] = "") -> Response:
    """`?paper=` fills the box (the search page links here for an id this instance lacks)."""
    return _submit_form(request, None, paper)


def _submit_form(request: Request, error: str | None, value: str, status: int = 200) -> Response:
    days = request.app.state.settings.submission_max_age_days
    context = {"error": error, "value": value, "max_age_days": days}
    return render(request, "submit.html", context, status)


@router.post("/submit")
def submit(
    request: Request,
    user: SignedIn,
    session: DbSession,
    background: BackgroundTasks,
    paper: Annotated[str, Form(max_length=300)],
) -> Response:
    settings = request.app.state.settings

    def fetch(arxiv_id: str) -> PaperRecord | None:
        with PoliteClient(min_interval=0, retries=2, timeout=20) as client:
            items = ArxivApi(client, settings.arxiv_api_url).by_ids([arxiv_id])
            return next((i for i in items if isinstance(i, PaperRecord)), None)

    ratelimit.hit(session, "submit", str(user.id))
    try:
        added = submissions.submit(
            session, user, paper, fetch, max_age_days=settings.submission_max_age_days
        )
    except submissions.SubmissionError as exc:
        return _submit_form(request, str(exc), paper, 400)
    except FetchError:
        return _submit_form(request, "arXiv did not answer; try again in a minute.", paper, 502)
    # searchable by words at once: after the response, so after this request's commit
    background.add_task(request.app.state.search.catch_up, embed_limit=0)
    return _back(f"/papers/{added.arxiv_id}")
