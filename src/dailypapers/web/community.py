"""Comments, submissions and moderation: form posts from pages, all CSRF-checked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.community import comments, ratelimit, services, submissions
from dailypapers.db.models import User
from dailypapers.ingest.arxiv_api import ArxivApi
from dailypapers.ingest.http import FetchError, PoliteClient
from dailypapers.ingest.records import PaperRecord
from dailypapers.web import csrf
from dailypapers.web.accounts import paper_id_or_404, require_user

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify)])
pages = APIRouter(include_in_schema=False)
SignedIn = Annotated[User, Depends(require_user)]


def _back(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


@router.post("/papers/{arxiv_id:path}/comments")
def post_comment(
    request: Request,
    arxiv_id: str,
    user: SignedIn,
    body: Annotated[str, Form(max_length=20_000)],
    parent_id: Annotated[int | None, Form()] = None,
) -> Response:
    with request.app.state.sessions() as session:
        paper_id = paper_id_or_404(session, arxiv_id)
        ratelimit.hit(session, "comment", str(user.id))
        try:
            comment = comments.add_comment(session, session.merge(user), paper_id, body, parent_id)
        except comments.CommentError as exc:
            raise HTTPException(400, str(exc)) from exc
        session.commit()
        return _back(f"/papers/{arxiv_id}#c{comment.id}")


@router.post("/comments/{comment_id}/edit")
def edit_comment(
    request: Request, comment_id: int, user: SignedIn, body: Annotated[str, Form(max_length=20_000)]
) -> Response:
    return _change(request, comment_id, lambda s, u: comments.edit_comment(s, u, comment_id, body))


@router.post("/comments/{comment_id}/delete")
def delete_comment(request: Request, comment_id: int, user: SignedIn) -> Response:
    return _change(request, comment_id, lambda s, u: comments.delete_comment(s, u, comment_id))


@router.post("/comments/{comment_id}/hide")
def hide_comment(
    request: Request, comment_id: int, user: SignedIn, hidden: Annotated[bool, Form()] = True
) -> Response:
    return _change(request, comment_id, lambda s, u: comments.set_hidden(s, u, comment_id, hidden))


def _change(request: Request, comment_id: int, action) -> Response:  # type: ignore[no-untyped-def]
    user = request.state.user
    with request.app.state.sessions() as session:
        try:
            comment = action(session, session.merge(user))
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from exc
        except comments.CommentError as exc:
            raise HTTPException(404, str(exc)) from exc
        session.commit()
        from dailypapers.db.models import Paper

        paper = session.get(Paper, comment.paper_id)
        return _back(f"/papers/{paper.arxiv_id}#c{comment_id}")


@router.post("/papers/{arxiv_id:path}/hide")
def hide_paper(
    request: Request, arxiv_id: str, user: SignedIn, hidden: Annotated[bool, Form()] = True
) -> Response:
    with request.app.state.sessions() as session:
        try:
            services.set_paper_hidden(
                session, session.merge(user), paper_id_or_404(session, arxiv_id), hidden
            )
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from exc
        session.commit()
    return _back(f"/papers/{arxiv_id}")


@router.post("/users/{username}/ban")
def ban_user(request: Request, username: str, user: SignedIn) -> Response:
    with request.app.state.sessions() as session:
        try:
            banned = services.ban(session, session.merge(user), username)
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from exc
        if banned is None:
            raise HTTPException(404, f"No user {username[:40]!r} to ban.")
        session.commit()
    return _back(f"/users/{username}")


@pages.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request) -> Response:
    return _submit_form(request, None, "")


def _submit_form(request: Request, error: str | None, value: str, status: int = 200) -> Response:
    days = request.app.state.settings.submission_max_age_days
    context = {"error": error, "value": value, "max_age_days": days}
    return request.app.state.templates.TemplateResponse(
        request, "submit.html", context, status_code=status
    )


@router.post("/submit")
def submit(
    request: Request, user: SignedIn, paper: Annotated[str, Form(max_length=300)]
) -> Response:
    settings = request.app.state.settings

    def fetch(arxiv_id: str) -> PaperRecord | None:
        with PoliteClient(min_interval=0, retries=2, timeout=20) as client:
            items = ArxivApi(client, settings.arxiv_api_url).by_ids([arxiv_id])
            return next((i for i in items if isinstance(i, PaperRecord)), None)

    with request.app.state.sessions() as session:
        ratelimit.hit(session, "submit", str(user.id))
        session.commit()
        try:
            added = submissions.submit(
                session, session.merge(user), paper, fetch,
                max_age_days=settings.submission_max_age_days,
            )  # fmt: skip
        except submissions.SubmissionError as exc:
            return _submit_form(request, str(exc), paper, 400)
        except FetchError:
            return _submit_form(request, "arXiv did not answer; try again in a minute.", paper, 502)
        session.commit()
        arxiv_id = added.arxiv_id
    request.app.state.search.catch_up(embed_limit=0)  # searchable by words at once
    return _back(f"/papers/{arxiv_id}")
